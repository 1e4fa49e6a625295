import type { Test } from 'tap';
import type { Document, Element } from '@xmldom/xmldom';
import type { KeyType } from '../../../src/domain/types.js';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { cases } from '../cases/grandstream.js';
import { elements, parseXml } from '../xml.js';

/**
 * How a Grandstream phone reads its cfg<mac>.xml and phonebook, written from the vendor's
 * templates (src/vendors/facts/grandstream.md §10-§12), apart from the pack's own tables: the
 * numbers below are transcribed again on purpose, so a wrong number in the pack shows.
 */

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;
const child = (parent: Element, tag: string): string => elements(parent, tag)[0]?.textContent ?? '';

/** Account n's keys: account 1 the historic numbers, 2-6 `P<base><suffix>`. */
const ACCOUNTS = [
  { active: 'P271', name: 'P270', server: 'P47', user: 'P35', auth: 'P36', password: 'P34' },
  ...['4', '5', '6', '17', '18'].map((b) => ({ active: `P${b}01`, name: `P${b}17`, server: `P${b}02`, user: `P${b}04`, auth: `P${b}05`, password: `P${b}06` })),
];

/** VPK n's mode, account, description and value: 1-6 at P1363/P1364/P1465/P1466 + 2(n-1), 7-48 at P23800 + 4(n-7). */
export const vpk = (n: number): [string, string, string, string] =>
  n <= 6 ? [`P${1361 + 2 * n}`, `P${1362 + 2 * n}`, `P${1463 + 2 * n}`, `P${1464 + 2 * n}`] : [0, 1, 2, 3].map((i) => `P${23800 + 4 * (n - 7) + i}`) as [string, string, string, string];

/** Mode codes per family and kind of key, as the templates list them; -1 is None. */
export const MODES = {
  grp: { fixed: { 31: 'line', 0: 'speedDial', 1: 'blf', 6: 'voicemail', 9: 'park' }, dynamic: { 0: 'speedDial', 1: 'blf', 6: 'voicemail', 9: 'park' } },
  gxp: { fixed: { 0: 'line', 10: 'speedDial', 11: 'blf', 16: 'voicemail', 19: 'park' }, dynamic: { 0: 'speedDial', 1: 'blf', 6: 'voicemail', 9: 'park' } },
} as const satisfies Record<string, Record<'fixed' | 'dynamic', Record<number, KeyType>>>;

export interface Reader {
  family: keyof typeof MODES;
  /** The model's fixed VPKs (the first ones). */
  fixed: number;
}

export function readLines(doc: Document): OfficeLine[] {
  return ACCOUNTS.flatMap((a, n) => {
    if (value(doc, a.active) !== '1') return [];
    const server = value(doc, a.server);
    return [{ index: n + 1, user: value(doc, a.user), authName: value(doc, a.auth), password: value(doc, a.password), registrar: server?.replace(/:\d+$/, ''), label: value(doc, a.name) }];
  });
}

/** Every VPK written, in order, None ones left out. */
export function readKeys(doc: Document, reader: Reader): Array<OfficeKey & { position: number; account: number }> {
  const out: Array<OfficeKey & { position: number; account: number }> = [];
  for (let n = 1; n <= 48; n++) {
    const [mode, account, label, val] = vpk(n);
    const code = value(doc, mode);
    if (code === undefined) break;
    const table: Record<number, KeyType> = MODES[reader.family][n <= reader.fixed ? 'fixed' : 'dynamic'];
    const type = table[Number(code)];
    if (type === undefined) continue;
    const accountIndex = Number(value(doc, account) ?? 0);
    const shown = value(doc, label) || undefined;
    const v = type === 'line' ? String(accountIndex + 1) : value(doc, val) || undefined;
    out.push({ position: n, account: accountIndex, type, ...(v !== undefined ? { value: v } : {}), ...(shown !== undefined ? { label: shown } : {}) });
  }
  return out;
}

/** The URL the phone fetches its phonebook from: P330 = 3 is HTTPS, and it appends /phonebook.xml to P331. */
export const phonebookUrl = (doc: Document): string | undefined => (value(doc, 'P330') === '3' ? `https://${value(doc, 'P331')}/phonebook.xml` : undefined);

export function readConfig(t: Test, text: string, reader: Reader): OfficeFacts {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'gs_provision', 'cfg<mac>.xml: root');
  const directoryUrl = phonebookUrl(doc);
  return {
    lines: readLines(doc),
    keys: readKeys(doc, reader).map(({ type, value: v, label }) => ({ type, ...(v !== undefined ? { value: v } : {}), ...(label !== undefined ? { label } : {}) })),
    ...(directoryUrl ? { directoryUrl } : {}),
    raw: (key) => value(doc, key),
  };
}

/** The phonebook as the phone lists it: first and last name, the first phone the extension, a second the direct number. */
export function readPhonebook(t: Test, text: string): OfficeEntry[] {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'AddressBook', 'phonebook: root');
  return elements(doc, 'Contact').map((c) => {
    const phones = elements(c, 'Phone').map((p) => child(p, 'phonenumber'));
    return { name: `${child(c, 'FirstName')} ${child(c, 'LastName')}`, extension: phones[0] ?? '', ...(phones[1] ? { phoneNumber: phones[1] } : {}) };
  });
}

const boot = cases.find((c) => c.model === 'grandstream-grp2614');
if (!boot) throw new Error('the Grandstream cases have no GRP2614');

/** GRP2614: 4 accounts, 16 VPKs of which 4 fixed [GS-261X]. */
export const office: OfficeCase = {
  boot,
  directoryFile: `pb${boot.mac}/phonebook.xml`,
  read(t, files) {
    const file = `cfg${boot.mac}.xml`;
    const config = files[file];
    if (config === undefined) throw new Error(`no ${file} among ${Object.keys(files).join(', ')}`);
    return readConfig(t, config, { family: 'grp', fixed: 4 });
  },
  readDirectory: readPhonebook,
  rawKey: 'P1362',
};
