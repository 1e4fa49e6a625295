/**
 * A Yealink T54W in an office (test/helpers/office.ts): 16 accounts and 27 line keys [W-FK,
 * T-KEYS]. Read as the phone reads it: `<mac>.cfg` as `key = value` lines, the last of a key
 * winning; the remote phone book as XML, strictly parsed.
 */
import type { Test } from 'tap';
import type { KeyType } from '../../../src/domain/types.js';
import { KEY_CODES } from '../../../src/vendors/yealink-office.js';
import { cases } from '../cases/yealink.js';
import { parseLines } from '../kv.js';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { elements, parseXml } from '../xml.js';

const boot = cases.find((c) => c.model === 'yealink-t54w');
if (!boot) throw new Error('no Yealink T54W case');

/** `linekey.K.type` back to Dialtone's key types; 0 (N/A) and codes Dialtone never writes are no key. */
const TYPES = new Map<string, KeyType>(Object.entries(KEY_CODES).map(([type, code]) => [String(code), type as KeyType]));

/** What OfficeLine calls each account key. */
const FIELDS = { user: 'user_name', authName: 'auth_name', password: 'password', registrar: 'sip_server.1.address', label: 'label' } as const;

/** Accounts are numbered from 1; the phone uses those with `enable = 1`. */
function lines(kv: Map<string, string>): OfficeLine[] {
  const out: OfficeLine[] = [];
  for (let n = 1; kv.has(`account.${n}.enable`); n++) {
    if (kv.get(`account.${n}.enable`) !== '1') continue;
    const line: OfficeLine = { index: n };
    for (const [field, key] of Object.entries(FIELDS) as Array<[keyof typeof FIELDS, string]>) {
      const value = kv.get(`account.${n}.${key}`);
      if (value !== undefined) line[field] = value;
    }
    out.push(line);
  }
  return out;
}

/** Line keys in position order; a line key's value is the account it shows (`.line`). */
function keys(kv: Map<string, string>): OfficeKey[] {
  const out: OfficeKey[] = [];
  for (let k = 1; kv.has(`linekey.${k}.type`); k++) {
    const type = TYPES.get(kv.get(`linekey.${k}.type`) ?? '');
    if (!type) continue;
    const value = type === 'line' ? kv.get(`linekey.${k}.line`) : kv.get(`linekey.${k}.value`);
    const label = kv.get(`linekey.${k}.label`);
    out.push({ type, ...(value ? { value } : {}), ...(label ? { label } : {}) });
  }
  return out;
}

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac}-phonebook.xml`,
  read(t: Test, files: Record<string, string>): OfficeFacts {
    const text = files[`${boot.mac}.cfg`];
    t.ok(text, `${boot.mac}.cfg was read`);
    const kv = parseLines(text ?? '');
    const url = kv.get('remote_phonebook.data.1.url');
    return { lines: lines(kv), keys: keys(kv), ...(url ? { directoryUrl: url } : {}), raw: (key) => kv.get(key) };
  },
  readDirectory(t: Test, text: string): OfficeEntry[] {
    const doc = parseXml(text);
    t.equal(doc.documentElement?.tagName, 'YealinkIPPhoneDirectory', 'a Yealink remote phone book');
    return elements(doc, 'DirectoryEntry').map((entry) => {
      const [extension, phoneNumber] = elements(entry, 'Telephone').map((e) => e.textContent ?? '');
      return { name: elements(entry, 'Name')[0]?.textContent ?? '', extension: extension ?? '', ...(phoneNumber ? { phoneNumber } : {}) };
    });
  },
  rawKey: 'features.dnd.enable',
};
