/**
 * A Poly Edge E450 in an office (issue 14): its settings file read as the phone reads it, one
 * element whose attribute names are the parameters, and its local contact directory
 * (src/vendors/facts/polycom.md §9-13).
 */
import type { Test } from 'tap';
import type { OfficeCase, OfficeEntry, OfficeFacts, OfficeKey, OfficeLine } from '../office.js';
import { cases, settings } from '../cases/polycom.js';
import { elements, parseXml } from '../xml.js';

const boot = cases.find((c) => c.model === 'polycom-edge-e450');
if (!boot) throw new Error('no Edge E450 case');

/** What the phone makes of `<mac>-phone.cfg`. */
export function readSettings(mac: string, text: string): OfficeFacts {
  const get = settings(text);
  const has = (name: string): string | undefined => get(name) ?? undefined;
  const lines: OfficeLine[] = [];
  for (let n = 1; get(`reg.${n}.address`) !== null; n++) {
    lines.push({ index: n, user: has(`reg.${n}.address`), authName: has(`reg.${n}.auth.userId`), password: has(`reg.${n}.auth.password`), registrar: has(`reg.${n}.server.1.address`), label: has(`reg.${n}.label`) });
  }
  // Flexible line keys: a Line key names its registration; the n-th BLF key shows the n-th
  // resource list entry, a phone (`normal`) or a park orbit (`automata`) [PC-EM p.24, p.37].
  const keys: OfficeKey[] = [];
  let resource = 0;
  for (let k = 1; get(`lineKey.${k}.category`) !== null; k++) {
    const category = get(`lineKey.${k}.category`);
    if (category === 'Line') keys.push({ type: 'line', value: get(`lineKey.${k}.index`) ?? '' });
    if (category === 'BLF') {
      resource++;
      const list = `attendant.resourceList.${resource}`;
      const label = get(`${list}.label`);
      keys.push({ type: get(`${list}.type`) === 'automata' ? 'park' : 'blf', value: get(`${list}.address`) ?? '', ...(label !== null ? { label } : {}) });
    }
  }
  // No setting names the directory: the phone asks for `<mac>-directory.xml` next to its master
  // file, on the provisioning server (facts §11); `dir.local.readonly` says it is the company's.
  const server = get('device.prov.serverName');
  const directoryUrl = server && get('dir.local.readonly') === '1' ? new URL(`${mac}-directory.xml`, server).href : undefined;
  return { lines, keys, ...(directoryUrl ? { directoryUrl } : {}), raw: has };
}

/**
 * The directory: an item per contact; a person's outside number is the item after their
 * extension's, with the same names (`ct` may not repeat [PC-DIR]).
 */
export function readDirectory(text: string): OfficeEntry[] {
  const out: OfficeEntry[] = [];
  let previous: { fn: string; ln: string; entry: OfficeEntry } | undefined;
  for (const item of elements(parseXml(text), 'item')) {
    const field = (tag: string): string => elements(item, tag)[0]?.textContent ?? '';
    const [fn, ln, ct] = [field('fn'), field('ln'), field('ct')];
    if (previous && previous.fn === fn && previous.ln === ln && ct.startsWith('+') && previous.entry.phoneNumber === undefined) {
      previous.entry.phoneNumber = ct;
      continue;
    }
    const entry: OfficeEntry = { name: [fn, ln].filter((s) => s !== '').join(' '), extension: ct };
    out.push(entry);
    previous = { fn, ln, entry };
  }
  return out;
}

export const office: OfficeCase = {
  boot,
  directoryFile: `${boot.mac}-directory.xml`,
  read(t: Test, files: Record<string, string>): OfficeFacts {
    const text = files[`${boot.mac}-phone.cfg`];
    t.ok(text, 'the settings file');
    return readSettings(boot.mac, text ?? '');
  },
  readDirectory: (_t, text) => readDirectory(text),
  // A UC Software parameter no template writes: the backlight's idle level.
  rawKey: 'up.backlight.idleIntensity',
  // No speed dial key: it would point at an entry of the site-wide local directory (facts §10).
  expectedKeys: [
    { type: 'line', value: '1' },
    { type: 'line', value: '2' },
    { type: 'line', value: '3' },
    { type: 'blf', value: '1002', label: 'Bob' },
    { type: 'park', value: '700' },
  ],
};
