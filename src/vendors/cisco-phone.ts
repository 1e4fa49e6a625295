/**
 * What the Cisco templates need beyond the neutral configuration (VendorPack.phone), and the
 * company directory file (VendorPack.directory). Sources: src/vendors/facts/cisco.md §7.
 */
import { create } from 'xmlbuilder2';
import type { Codec } from '../domain/types.js';
import type { DirectoryEntry, PhoneConfig, PhoneKey } from '../domain/phone-config.js';
import { countryTones } from './cisco-tones.js';
import type { DirectoryPage, Model } from './pack.js';

/** SPA models (Linksys/Sipura lineage) differ from MPP in key functions, codecs and the admin password's name. */
export const isSpa = (model: Model): boolean => model.id.startsWith('cisco-spa');

/**
 * Language → MPP `Locale` and the dictionary name `Language_Selection` takes [MPP-LANG, W-MPP-K].
 * Norwegian Bokmål has only Cisco's `nn-NO`; Hebrew and Arabic have no Cisco locale.
 */
const LANGUAGES: Readonly<Record<string, { locale: string; name: string }>> = {
  en: { locale: 'en-US', name: 'English' },
  fr: { locale: 'fr-FR', name: 'French' },
  de: { locale: 'de-DE', name: 'German' },
  es: { locale: 'es-ES', name: 'Spanish' },
  it: { locale: 'it-IT', name: 'Italian' },
  nl: { locale: 'nl-NL', name: 'Dutch' },
  pt: { locale: 'pt-PT', name: 'Portuguese' },
  sv: { locale: 'sv-SE', name: 'Swedish' },
  da: { locale: 'da-DK', name: 'Danish' },
  nb: { locale: 'nn-NO', name: 'Norwegian' },
  fi: { locale: 'fi-FI', name: 'Finnish' },
  pl: { locale: 'pl-PL', name: 'Polish' },
  cs: { locale: 'cs-CZ', name: 'Czech' },
  tr: { locale: 'tr-TR', name: 'Turkish' },
  ru: { locale: 'ru-RU', name: 'Russian' },
  ja: { locale: 'ja-JP', name: 'Japanese' },
  zh: { locale: 'zh-CN', name: 'Chinese-Simplified' },
  ko: { locale: 'ko-KR', name: 'Korean' },
};

/** Codec → its name in `Preferred_Codec_N_` and the prefix of its `<name>_Enable_N_` [MPP-AUDIO, SPA-AG-CODEC]. */
const CODEC_NAMES: Readonly<Record<Codec, string>> = { opus: 'OPUS', G722: 'G722', PCMU: 'G711u', PCMA: 'G711a', G729: 'G729a', iLBC: 'iLBC' };
/** The codecs each family can be told to use; an SPA has no Opus and no iLBC, and no switch for G.711. */
const MPP_CODECS: readonly Codec[] = ['PCMU', 'PCMA', 'G729', 'G722', 'iLBC', 'opus'];
const SPA_CODECS: readonly Codec[] = ['PCMU', 'PCMA', 'G729', 'G722'];
const SPA_SWITCHES: readonly Codec[] = ['G729', 'G722'];

/**
 * The three preference slots (`Unspecified` when empty) and a `Yes`/`No` per codec switch the
 * family has, keyed by the switch's element prefix. A fourth codec and later are enabled but
 * have no slot. Undefined when none of the codecs asked for is one the phone has.
 */
function codecs(list: readonly Codec[] | undefined, spa: boolean): Record<string, string> | undefined {
  const usable = list?.filter((c) => (spa ? SPA_CODECS : MPP_CODECS).includes(c));
  if (!usable?.length) return undefined;
  const slot = (n: number): string => {
    const codec = usable[n];
    return codec ? CODEC_NAMES[codec] : 'Unspecified';
  };
  const switches = Object.fromEntries((spa ? SPA_SWITCHES : MPP_CODECS).map((c) => [CODEC_NAMES[c], usable.includes(c) ? 'Yes' : 'No']));
  return { first: slot(0), second: slot(1), third: slot(2), ...switches };
}

// Values go inside Extended_Function's `name=value;…` list: a number loses `;`, `=`, `@`, `$` and
// white space, a label its `;`, so neither can add a parameter or change the address.
const number = (value: string): string => value.replace(/[;=@$\s]/g, '');
const label = (value: string): string => value.replace(/;/g, '').trim();

export interface CiscoKey {
  index: number;
  /** `Extension_K_`: the account the key shows, or `Disabled` for a feature key or a free one. */
  extension: string;
  /** `Short_Name_K_`. */
  name: string;
  /** `Extended_Function_K_`. */
  fn: string;
}

/** One programmable key in Cisco's three parameters [MPP-XREF, MPP-KEM, MPP-VM, W-MPP-K, W-SPA-K]. */
function cisco(key: PhoneKey, config: PhoneConfig, spa: boolean): CiscoKey {
  const named = key.label === undefined ? '' : `;nme=${label(key.label)}`;
  const shown = (fallback: string): string => label(key.label ?? fallback);
  const at = (value: string): string => `${number(value)}@$PROXY`;
  const value = key.value ?? '';
  switch (key.type) {
    case 'line': {
      const line = config.lines.find((l) => l.index === key.line);
      return { index: key.index, extension: String(key.line), name: shown(line?.label ?? ''), fn: '' };
    }
    case 'blf':
      return { index: key.index, extension: 'Disabled', name: shown(value), fn: `fnc=blf+sd+cp;sub=${at(value)}${named}` };
    case 'speedDial':
      return { index: key.index, extension: 'Disabled', name: shown(value), fn: `fnc=sd;ext=${at(value)}${named}` };
    case 'park':
      // MPP only (an SPA has no park function: Model.keyTypes); without an orbit, the phone's own user.
      return { index: key.index, extension: 'Disabled', name: shown(value || 'Park'), fn: `fnc=prk;sub=${key.value ? at(key.value) : `${number(config.lines[0]?.user ?? '')}@$PROXY`}${named}` };
    case 'voicemail': {
      const user = number(config.lines.find((l) => l.index === key.line)?.user ?? '');
      // MPP: the mailbox's lamp and a press that dials it; SPA: a speed dial to it.
      const fn = spa ? `fnc=sd;ext=${at(value)}${named}` : `fnc=mwi+sd;ext=${at(value)};sub=${user}@$PROXY${named}`;
      return { index: key.index, extension: 'Disabled', name: shown('Voicemail'), fn };
    }
  }
}

/** The vendor values the Cisco templates use as `v`. */
export function ciscoPhone(config: PhoneConfig, model: Model, counts: { lines: number; keys: number }): Record<string, unknown> {
  const spa = isSpa(model);
  const { settings } = config;
  const keys: CiscoKey[] = [];
  // Every key position of the model is written: those the device does not use are freed.
  for (let k = 1; k <= counts.keys; k++) {
    const key = config.keys.find((x) => x.index === k);
    keys.push(key ? cisco(key, config, spa) : { index: k, extension: 'Disabled', name: '', fn: '' });
  }
  const offLines: Array<{ index: number }> = [];
  for (let n = config.lines.length + 1; n <= counts.lines; n++) offLines.push({ index: n });
  const language = settings.language ? LANGUAGES[settings.language] : undefined;
  return {
    spa,
    keys,
    offLines,
    // A model without line keys still shows its line's short name [W-MPP-T writes Short_Name_1_].
    ...(counts.keys === 0 && config.lines[0] ? { lineName: config.lines[0].label } : {}),
    resyncSeconds: settings.resyncMinutes * 60,
    ...(settings.syslog ? { syslog: `${settings.syslog.host}:${settings.syslog.port}` } : {}),
    ...(language ? { language } : {}),
    ...(settings.toneCountry ? { tones: countryTones(settings.toneCountry) } : {}),
    ...(codecs(settings.codecs, spa) ? { codecs: codecs(settings.codecs, spa) } : {}),
  };
}

/** "A single CiscoIPPhoneDirectory object can contain a maximum of 32 DirectoryEntry objects" [XSI-DEV]. */
export const DIRECTORY_MAX = 32;


/** The people of each page: as many whole people (their extension, and their number when they have one) as one object holds. */
function pagesOf(entries: readonly DirectoryEntry[]): DirectoryEntry[][] {
  const pages: DirectoryEntry[][] = [[]];
  let rows = 0;
  for (const e of entries) {
    const need = e.phoneNumber ? 2 : 1;
    if (rows + need > DIRECTORY_MAX) {
      pages.push([]);
      rows = 0;
    }
    pages[pages.length - 1]?.push(e);
    rows += need;
  }
  return pages;
}

/**
 * One page of the company directory, a `CiscoIPPhoneDirectory` [XSI-DEV, F-SPA-DIR, W-DIRD]: a
 * `DirectoryEntry` for each person's extension and one more, same name, for their phone number,
 * at most 32 entries. With more than one page, soft keys page through them by URL as directory
 * services do [W-DIRD-PAGES]: Dial, Previous, Next, Exit. Null past the last page. Without
 * `page` (a test), page 1 without links.
 */
export function ciscoDirectory(entries: readonly DirectoryEntry[], page?: DirectoryPage): string | null {
  const pages = pagesOf(entries);
  const n = page?.number ?? 1;
  const people = pages[n - 1];
  if (!people) return null;
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('CiscoIPPhoneDirectory');
  doc.ele('Title').txt('Directory');
  doc.ele('Prompt').txt(pages.length === 1 ? `${entries.length} people` : `Page ${n} of ${pages.length}`);
  for (const e of people) {
    for (const telephone of [e.extension, ...(e.phoneNumber ? [e.phoneNumber] : [])]) {
      const entry = doc.ele('DirectoryEntry');
      entry.ele('Name').txt(e.name);
      entry.ele('Telephone').txt(telephone);
    }
  }
  if (page && pages.length > 1) {
    const keys: Array<[string, string]> = [['Dial', 'SoftKey:Dial'], ...(n > 1 ? [['Previous', page.url(n - 1)] as [string, string]] : []), ...(n < pages.length ? [['Next', page.url(n + 1)] as [string, string]] : []), ['Exit', 'SoftKey:Exit']];
    keys.forEach(([name, url], i) => {
      const key = doc.ele('SoftKeyItem');
      key.ele('Name').txt(name);
      key.ele('URL').txt(url);
      key.ele('Position').txt(String(i + 1));
    });
  }
  return doc.end({ prettyPrint: true });
}
