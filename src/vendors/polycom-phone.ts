/**
 * The neutral phone configuration in UC Software's terms (src/vendors/facts/polycom.md §9-13): line
 * keys, the BLF resource list, language, polling, codecs, and the local contact directory file.
 * Source keys ([PC-EM], [W-FK] …) refer to the facts file.
 */
import { create } from 'xmlbuilder2';
import type { Codec } from '../domain/types.js';
import type { DirectoryEntry, PhoneConfig, PhoneKey } from '../domain/phone-config.js';

/** `lcl.ml.lang` per Dialtone language; the languages without a Polycom dictionary are absent [W-FK `_LOCALE`, F-6X, FS-LANG]. */
const LANGUAGES: Readonly<Record<string, string>> = {
  en: 'English_United_States',
  fr: 'French_France',
  de: 'German_Germany',
  es: 'Spanish_Spain',
  it: 'Italian_Italy',
  nl: 'Dutch_Netherlands',
  pt: 'Portuguese_Portugal',
  sv: 'Swedish_Sweden',
  da: 'Danish_Denmark',
  nb: 'Norwegian_Norway',
  pl: 'Polish_Poland',
  ru: 'Russian_Russia',
  ja: 'Japanese_Japan',
  zh: 'Chinese_China',
  ko: 'Korean_Korea',
};

/** `voice.codecPref.<name>` per Dialtone codec; opus and iLBC have no key name in any source [PC-CODEC, FS-FLK, FS-CODEC]. */
const CODECS: ReadonlyArray<[Codec, string]> = [
  ['PCMU', 'G711_Mu'],
  ['PCMA', 'G711_A'],
  ['G722', 'G722'],
  ['G729', 'G729_AB'],
];

/**
 * One flexible line key [PC-EM p.37]: a registration (`Line`, index = its number), a monitored
 * resource (`BLF`, index `0`) or nothing (`Unassigned`, no index).
 */
interface LineKey {
  position: number;
  category: 'Line' | 'BLF' | 'Unassigned';
  index?: string;
}

/** One `attendant.resourceList.N` entry: `normal` watches a phone, `automata` a park orbit [PC-EM p.24, PC-BLF]. */
interface Resource {
  n: number;
  address: string;
  label?: string;
  type: 'normal' | 'automata';
}

/** The model's line keys in order, each key where Dialtone placed it, the rest `Unassigned` so a removed key goes from the phone. */
function lineKeys(keys: readonly PhoneKey[], count: number): { lineKeys: LineKey[]; resources: Resource[] } {
  const out: LineKey[] = [];
  const resources: Resource[] = [];
  for (let position = 1; position <= count; position++) {
    const key = keys.find((k) => k.index === position);
    if (key?.type === 'line') {
      out.push({ position, category: 'Line', index: String(key.line) });
    } else if ((key?.type === 'blf' || key?.type === 'park') && key.value !== undefined) {
      // BLF keys take the resource list in order: the n-th BLF key shows the n-th entry [PC-EM p.37].
      resources.push({ n: resources.length + 1, address: key.value, ...(key.label !== undefined ? { label: key.label } : {}), type: key.type === 'park' ? 'automata' : 'normal' });
      out.push({ position, category: 'BLF', index: '0' });
    } else {
      out.push({ position, category: 'Unassigned' });
    }
  }
  return { lineKeys: out, resources };
}

/**
 * `prov.polling.*` [PC-POLL]: whole days at a random time between 01:00 and 05:00, so a site's
 * phones do not all ask at once; any other period relative to the last check, in seconds.
 */
function polling(minutes: number): { mode: 'random' | 'rel'; period: number; time?: string; timeRandomEnd?: string } {
  const period = minutes * 60;
  return minutes % 1440 === 0 ? { mode: 'random', period, time: '01:00', timeRandomEnd: '05:00' } : { mode: 'rel', period };
}

/** Priority 1 first, in the order the settings list them; the codecs left out are off (`0`) [PC-CODEC]. */
function codecPrefs(codecs: readonly Codec[] | undefined): Array<{ name: string; priority: number }> | undefined {
  if (!codecs) return undefined;
  const listed = codecs.filter((c) => CODECS.some(([ours]) => ours === c));
  return CODECS.map(([ours, name]) => ({ name, priority: listed.indexOf(ours) + 1 }));
}

/** What the Polycom templates need beyond the neutral configuration (`v`). */
export function polycomValues(config: PhoneConfig, keyCount: number): Record<string, unknown> {
  const { settings } = config;
  return {
    // A phone without line keys (SoundStation) gets no flexible line key settings.
    ...(keyCount > 0 ? lineKeys(config.keys, keyCount) : {}),
    language: settings.language === undefined ? undefined : LANGUAGES[settings.language],
    polling: polling(settings.resyncMinutes),
    codecs: codecPrefs(settings.codecs),
  };
}

/** `fn`/`ln` hold at most 40 bytes of UTF-8 [PC-DIR]: cut at a character boundary. */
export function fit(text: string, bytes = 40): string {
  let out = '';
  let used = 0;
  for (const c of text) {
    used += Buffer.byteLength(c);
    if (used > bytes) break;
    out += c;
  }
  return out;
}

/**
 * The local contact directory `<mac>-directory.xml` [PC-DIR, F-6X]: one item per person with the
 * extension as contact, and a second with the same names for their outside number. `ct` may be
 * neither empty nor repeated [PC-DIR], so a contact already listed is not listed again.
 */
export function polycomDirectory(entries: readonly DirectoryEntry[]): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8', standalone: true, invalidCharReplacement: '' });
  const list = doc.ele('directory').ele('item_list');
  const seen = new Set<string>();
  for (const e of entries) {
    for (const contact of [e.extension, e.phoneNumber]) {
      if (!contact || seen.has(contact)) continue;
      seen.add(contact);
      const item = list.ele('item');
      item.ele('ln').txt(fit(e.lastName));
      item.ele('fn').txt(fit(e.firstName));
      item.ele('ct').txt(contact);
    }
  }
  return doc.end({ prettyPrint: true });
}
