/**
 * The office phone for Aastra/Mitel (test/helpers/office.ts): a Mitel 6930, 24 lines and 22 top
 * softkeys [facts sections 8, 9], read from its `<MAC>.cfg` as the phone reads `key: value` lines
 * (the last value wins), and its directory file read as the phone reads a directory list [AA-DIR].
 */
import type { Test } from 'tap';
import type { KeyType } from '../../../src/domain/types.js';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { cases } from '../cases/aastra.js';
import { parseLines } from '../kv.js';

const boot = cases.find((c) => c.model === 'mitel-6930');
if (!boot) throw new Error('no Mitel 6930 case');

/** Key types as the phone writes them, back to Dialtone's (a voicemail key is a speed dial there). */
const TYPES: Record<string, KeyType> = { line: 'line', blf: 'blf', speeddial: 'speedDial', park: 'park' };
const BANKS = ['prgkey', 'topsoftkey', 'softkey'];

/** The configured lines: every `sip lineN user name` with a value. */
function readLines(kv: Map<string, string>): OfficeLine[] {
  const lines: OfficeLine[] = [];
  for (const [key, user] of kv) {
    const m = /^sip line(\d+) user name$/.exec(key);
    if (!m || !user) continue;
    const n = m[1] as string;
    lines.push({
      index: Number(n),
      user,
      authName: kv.get(`sip line${n} auth name`),
      password: kv.get(`sip line${n} password`),
      registrar: kv.get(`sip line${n} registrar ip`),
      label: kv.get(`sip line${n} screen name 2`),
    });
  }
  return lines.sort((a, b) => a.index - b.index);
}

/** The programmable keys in the order the phone numbers its banks: prgkeys, top softkeys, softkeys. */
export function readKeys(t: Test, kv: Map<string, string>): OfficeKey[] {
  const found: Array<{ bank: number; n: number; key: OfficeKey }> = [];
  for (const [k, written] of kv) {
    const m = /^(prgkey|topsoftkey|softkey)(\d+) type$/.exec(k);
    if (!m) continue;
    const name = `${m[1]}${m[2]}`;
    const type = TYPES[written];
    if (!type) {
      t.fail(`${name}: a key type Dialtone does not write: ${written}`);
      continue;
    }
    const value = kv.get(`${name} value`);
    const label = kv.get(`${name} label`);
    const key: OfficeKey =
      type === 'line'
        ? { type, value: kv.get(`${name} line`) }
        : // A park key names the server's flavour before the orbit [AA-PARK].
          { type, ...(value !== undefined ? { value: type === 'park' ? value.replace(/^asterisk;/, '') : value } : {}) };
    if (label !== undefined) key.label = label;
    found.push({ bank: BANKS.indexOf(m[1] as string), n: Number(m[2]), key });
  }
  return found.sort((a, b) => a.bank - b.bank || a.n - b.n).map((f) => f.key);
}

/** Reads a directory list: `name, number[, line]`, a field possibly in `"…"`, `#` lines comments [AA-DIR]. */
export function readDirectoryList(t: Test, text: string): OfficeEntry[] {
  const out: OfficeEntry[] = [];
  const wrong: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.length > 255) wrong.push(`longer than 255 characters: ${line}`);
    const fields: string[] = [];
    const re = /\s*(?:"([^"]*)"|([^,]*?))\s*(?:,|$)/y;
    while (re.lastIndex < line.length) {
      const m = re.exec(line);
      if (!m) break;
      fields.push(m[1] ?? m[2] ?? '');
    }
    if (fields.length < 2 || fields.length > 4) wrong.push(`not 2-4 fields: ${line}`);
    out.push({ name: fields[0] ?? '', extension: fields[1] ?? '' });
  }
  t.same(wrong, [], 'every directory line is `name, number[, line[, mode]]` within 255 characters');
  return out;
}

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac.toUpperCase()}-directory.csv`,
  read(t, files): OfficeFacts {
    const file = boot.deviceFiles[0] as string;
    const text = files[file];
    t.ok(text, `${file} was read`);
    const kv = parseLines(text ?? '', ':');
    const dir = kv.get('directory 1');
    // The name is relative to the configuration server, like the .cfg files [AA-DIR].
    const base = `https://${kv.get('https server')}:${kv.get('https port')}${kv.get('https path') ?? '/'}`;
    return {
      lines: readLines(kv),
      keys: readKeys(t, kv),
      ...(dir ? { directoryUrl: new URL(dir, base).href } : {}),
      raw: (key) => kv.get(key),
    };
  },
  readDirectory: readDirectoryList,
  rawKey: 'sip line1 park pickup config',
};
