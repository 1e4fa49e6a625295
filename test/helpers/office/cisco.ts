/**
 * A Cisco MPP office phone (issue 14), read as the phone reads its flat profile: the last element
 * of a name wins. Sources: src/vendors/facts/cisco.md §7.
 *
 * The 8841 takes 10 accounts and 10 line keys [W-MPP-K, F-8851, MPP-XREF]; it fetches its
 * directory only when the user opens it, so the boot asks for nothing more.
 */
import type { Test } from 'tap';
import type { Document } from '@xmldom/xmldom';
import type { KeyType } from '../../../src/domain/types.js';
import { cases } from '../cases/cisco.js';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { elements, parseXml } from '../xml.js';

const value = (doc: Document, tag: string): string | undefined => elements(doc, tag).at(-1)?.textContent ?? undefined;

/** `Extended_Function_K_` function names back to Dialtone's key types (facts §7.2). */
const FUNCTIONS: Readonly<Record<string, { type: KeyType; param: 'sub' | 'ext' }>> = {
  'blf+sd+cp': { type: 'blf', param: 'sub' },
  sd: { type: 'speedDial', param: 'ext' },
  prk: { type: 'park', param: 'sub' },
  'mwi+sd': { type: 'voicemail', param: 'ext' },
};

/** `fnc=…;name=value;…` as a map. */
const fields = (fn: string): Map<string, string> => new Map(fn.split(';').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));

/** The key at position K, or undefined for a free one. */
function readKey(t: Test, doc: Document, k: number): OfficeKey | undefined {
  const extension = value(doc, `Extension_${k}_`);
  const fn = value(doc, `Extended_Function_${k}_`) ?? '';
  if (extension !== 'Disabled') return { type: 'line', value: extension };
  if (fn === '') return undefined;
  const f = fields(fn);
  const known = FUNCTIONS[f.get('fnc') ?? ''];
  t.ok(known, `key ${k}: a function Dialtone writes (${fn})`);
  if (!known) return undefined;
  const target = f.get(known.param) ?? '';
  t.match(target, /@\$PROXY$/, `key ${k}: at the line's proxy`);
  const name = f.get('nme');
  return { type: known.type, value: target.replace(/@\$PROXY$/, ''), ...(name !== undefined ? { label: name } : {}) };
}

export function read(t: Test, files: Record<string, string>): OfficeFacts {
  const text = Object.values(files).join('');
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'flat-profile', 'a flat profile');
  const keys: OfficeKey[] = [];
  const shortNames = new Map<string, string>();
  for (let k = 1; elements(doc, `Extension_${k}_`).length > 0; k++) {
    const key = readKey(t, doc, k);
    if (!key) continue;
    keys.push(key);
    if (key.type === 'line' && key.value) shortNames.set(key.value, value(doc, `Short_Name_${k}_`) ?? '');
  }
  const lines: OfficeLine[] = [];
  for (let n = 1; elements(doc, `Line_Enable_${n}_`).length > 0; n++) {
    if (value(doc, `Line_Enable_${n}_`) !== 'Yes') continue;
    const label = shortNames.get(String(n));
    lines.push({
      index: n,
      user: value(doc, `User_ID_${n}_`),
      authName: value(doc, `Auth_ID_${n}_`),
      password: value(doc, `Password_${n}_`),
      registrar: value(doc, `Proxy_${n}_`)?.replace(/:\d+$/, ''),
      ...(label !== undefined ? { label } : {}),
    });
  }
  const directoryUrl = value(doc, 'XML_Directory_Service_URL');
  return { lines, keys, ...(directoryUrl ? { directoryUrl } : {}), raw: (key) => value(doc, key) };
}

/** A `CiscoIPPhoneDirectory`: the extension's entry, then (same name, E.164) the phone number's. */
export function readDirectory(t: Test, text: string): OfficeEntry[] {
  const doc = parseXml(text);
  t.equal(doc.documentElement?.tagName, 'CiscoIPPhoneDirectory', 'a Cisco directory object');
  const out: OfficeEntry[] = [];
  for (const entry of elements(doc, 'DirectoryEntry')) {
    const name = elements(entry, 'Name')[0]?.textContent ?? '';
    const telephone = elements(entry, 'Telephone')[0]?.textContent ?? '';
    const previous = out.at(-1);
    if (telephone.startsWith('+') && previous?.name === name && previous.phoneNumber === undefined) previous.phoneNumber = telephone;
    else out.push({ name, extension: telephone });
  }
  return out;
}

const boot = cases.find((c) => c.model === 'cisco-8841-3pcc');
if (!boot) throw new Error('the Cisco cases have no 8841');

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac}-dir-1.xml`,
  read,
  readDirectory,
  // The phone's logo text, a parameter of the Sipura lineage that public SPA profiles set: harmless.
  rawKey: 'Text_Logo',
  // The park key is MPP's `fnc=prk` on the orbit, without a label of its own.
  expectedKeys: [
    { type: 'line', value: '1' },
    { type: 'line', value: '2' },
    { type: 'line', value: '3' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'speedDial', value: '+15551234567', label: 'Pizza' },
    { type: 'park', value: '700' },
  ],
};
