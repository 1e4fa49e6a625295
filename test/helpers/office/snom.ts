/**
 * The office phone for Snom (issue 14): a D785 (12 identities, 24 keys on the base unit) as the
 * boot case replays it. Its files read back as the phone reads them: the per-MAC list for the
 * directory's URL, `<MAC>.xml` for the identities, function keys and raw settings, the `<tbook>`
 * file for the directory. XML through the strict parser.
 */
import type { Test } from 'tap';
import type { Document, Element } from '@xmldom/xmldom';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { cases } from '../cases/snom.js';
import { elements, parseXml } from '../xml.js';

const boot = cases.find((c) => c.model === 'snom-d785');
if (!boot) throw new Error('the Snom cases have no D785');

const text = (e: Element | undefined): string | undefined => e?.textContent ?? undefined;
/** The last `<tag idx="idx">` inside `<phone-settings>` (the phone keeps the last it reads), or the last without `idx`. */
function setting(doc: Document, tag: string, idx?: string): string | undefined {
  const settings = elements(doc, 'phone-settings')[0];
  if (!settings) return undefined;
  return text(elements(settings, tag).filter((e) => (idx === undefined ? !e.hasAttribute('idx') : e.getAttribute('idx') === idx)).at(-1));
}

/** A function key's value back in Dialtone's terms [SN-FKT]; `none` is an empty key. */
export function snomKey(fkey: Element): OfficeKey | undefined {
  const value = fkey.textContent ?? '';
  const label = fkey.getAttribute('label') || undefined;
  const [type = '', ...rest] = value.split(' ');
  const arg = rest.join(' ');
  const withLabel = (k: OfficeKey): OfficeKey => (label === undefined ? k : { ...k, label });
  switch (type) {
    case 'line':
      return withLabel({ type: 'line', value: fkey.getAttribute('context') ?? '' });
    case 'blf':
      return withLabel({ type: 'blf', value: /^sip:([^@]*)@/.exec(arg)?.[1] ?? arg });
    case 'speed':
      return withLabel({ type: 'speedDial', value: arg });
    case 'orbit':
      return withLabel({ type: 'park', value: arg });
    case 'keyevent':
      return arg === 'F_RETRIEVE' ? withLabel({ type: 'voicemail' }) : undefined;
    default:
      return undefined;
  }
}

/** What a D785 makes of its full files (name → text). */
export function readSnom(t: Test, files: Record<string, string>): OfficeFacts {
  const name = Object.keys(files).find((f) => /^[0-9A-F]{12}\.xml$/.test(f));
  const list = Object.keys(files).find((f) => f.endsWith('.htm'));
  t.ok(name, 'the settings file is among the device files');
  const doc = parseXml(files[name ?? ''] ?? '');
  t.equal(doc.documentElement?.tagName, 'settings', `${name}: a settings file`);
  const lines: OfficeLine[] = [];
  for (let idx = 1; idx <= 12; idx++) {
    const i = String(idx);
    if (setting(doc, 'user_active', i) !== 'on') continue;
    lines.push({
      index: idx,
      ...optional('user', setting(doc, 'user_name', i)),
      ...optional('authName', setting(doc, 'user_pname', i)),
      ...optional('password', setting(doc, 'user_pass', i)),
      ...optional('registrar', setting(doc, 'user_host', i)),
      ...optional('label', setting(doc, 'user_idle_text', i)),
    });
  }
  const fkeys = elements(doc, 'functionKeys').flatMap((f) => elements(f, 'fkey'));
  fkeys.sort((a, b) => Number(a.getAttribute('idx')) - Number(b.getAttribute('idx')));
  const keys = fkeys.map(snomKey).filter((k): k is OfficeKey => k !== undefined);
  // The list names the settings first, then the directory [SN-TBOOK, SN-WIKI-SF].
  const urls = list ? elements(parseXml(files[list] ?? ''), 'file').map((f) => f.getAttribute('url') ?? '') : [];
  const directoryUrl = urls.find((u) => !u.endsWith(`/${name}`));
  return {
    lines,
    keys,
    ...(directoryUrl ? { directoryUrl } : {}),
    raw(key) {
      const m = /^([A-Za-z0-9_]+)(?:\[(\d+)\])?$/.exec(key);
      return m ? setting(doc, m[1] as string, m[2]) : undefined;
    },
  };
}

const optional = <K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> => (value === undefined ? {} : ({ [key]: value } as Record<K, string>));

/** The `<tbook>` as the phone files it: first and last name, the number. */
export function readSnomDirectory(t: Test, body: string): OfficeEntry[] {
  const doc = parseXml(body);
  t.equal(doc.documentElement?.tagName, 'tbook', 'a tbook');
  t.equal(doc.documentElement?.getAttribute('complete'), 'true', 'the whole book: entries no longer listed go');
  return elements(doc, 'item').map((item) => {
    const [first, last] = ['first_name', 'last_name'].map((tag) => text(elements(item, tag)[0]) ?? '');
    return { name: `${first} ${last}`, extension: text(elements(item, 'number')[0]) ?? '' };
  });
}

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac.toUpperCase()}-tbook.xml`,
  read: readSnom,
  readDirectory: readSnomDirectory,
  // A free-text setting of every Snom phone's own, which Dialtone's template does not write.
  rawKey: 'phone_name',
};
