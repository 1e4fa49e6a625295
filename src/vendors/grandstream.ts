/**
 * Grandstream GXP16xx/17xx/21xx and GRP26xx desk phones. XML `<gs_provision>` files of P-values
 * [W-GS-T, GS-PROV]. Sources: src/vendors/facts/grandstream.md.
 *
 * On boot a phone asks for the proprietary binary file (`cfg<mac>` on older firmware,
 * `cfg<mac>.bin` on current firmware), then `cfg<mac>.xml`; only when that fails, `cfg<model>.xml`,
 * then `cfg.xml` (MAC and model lower case) [GS-PROV, GS-21XX-AG]. The binary file is made by
 * Grandstream's own generator and no text template can produce it: it is a routine miss (404,
 * never a ban), and the phone goes on to `cfg<mac>.xml`, which carries everything. The model and
 * common files carry no secrets and only point a phone Dialtone does not know at the HTTPS service.
 */
import { create } from 'xmlbuilder2';
import { zoneFacts, type DstRule, type ZoneFacts } from '../domain/zone.js';
import type { DirectoryEntry } from '../domain/phone-config.js';
import { DEFAULT_KEYS, DEFAULT_LINES, grandstreamPhone, keyFits, keyTypesOf, shapeOf } from './grandstream-phone.js';
import type { Model, VendorPack } from './pack.js';

/**
 * Models whose account-1, provisioning and time P-values match the official templates
 * [GS-2130, GS-16XX, GS-17XX, GS-261X, F-GRP-V2]. The GRP260x names come from Grandstream's
 * knowledge base only (facts §8: keys and User-Agent UNCERTAIN).
 */
const MODELS = [
  'GXP1610', 'GXP1615', 'GXP1620', 'GXP1625', 'GXP1628', 'GXP1630',
  'GXP1760', 'GXP1780', 'GXP1782',
  'GXP2130', 'GXP2135', 'GXP2140', 'GXP2160', 'GXP2170',
  'GRP2601', 'GRP2601P', 'GRP2602', 'GRP2602P', 'GRP2602W', 'GRP2603', 'GRP2603P', 'GRP2604', 'GRP2604P',
  'GRP2612', 'GRP2612P', 'GRP2612W', 'GRP2613', 'GRP2614', 'GRP2615', 'GRP2616',
  'GRP2624', 'GRP2634', 'GRP2636', 'GRP2650', 'GRP2670',
];

const models: Model[] = MODELS.map((name) => {
  const shape = shapeOf(name);
  const keyTypes = keyTypesOf(name);
  return {
    id: `grandstream-${name.toLowerCase()}`,
    name: `Grandstream ${name}`,
    // `cfg<model>.xml` names the model in lower case: cfggrp2614.xml [GS-PROV, GS-21XX-AG].
    fileKey: name.toLowerCase(),
    uaNames: [name.toLowerCase()],
    lines: shape.lines,
    keys: shape.keys,
    ...(keyTypes ? { keyTypes } : {}),
  };
});

/**
 * P64 values both official time-zone lists agree on, GRP261x 1.0.5.15 and GXP21xx 1.0.11.16
 * [GS-261X, GS-2130; rows transcribed in test/fixtures/grandstream/p64-zones.txt], keyed by what
 * they mean (`standard|dst|start|end` in minutes east of UTC and POSIX rules). Where the two
 * lists differ (Adelaide, Sydney, Hobart, Auckland and Newfoundland carry pre-2008/2011 rules in
 * the GXP21xx list) or a zone has no row, Dialtone writes `customize` and the rule in P246.
 * One meaning, one value: rows that mean the same (Guam and Brisbane) keep the first.
 */
const US = (std: number): string => `${std}|${std + 60}|M3.2.0/2:00|M11.1.0/2:00`;
const LISTED = new Map<string, string>([
  ['-600', 'HAW10'],
  [US(-540), 'AKST9AKDT'],
  [US(-480), 'PST8PDT'],
  [US(-420), 'MST7MDT'],
  ['-420', 'MST7'],
  [US(-360), 'CST6CDT'],
  ['-360', 'CST+6'],
  [US(-300), 'EST5EDT'],
  ['-300', 'EST5'],
  [US(-240), 'AST4ADT'],
  ['-180', 'TZK+3'],
  ['-120', 'TZL+2'],
  ['-60', 'TZM+1'],
  ['0', 'TZN+0'],
  ['0|60|M3.5.0/1:00|M10.5.0/2:00', 'GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00'],
  ['60|120|M3.5.0/2:00|M10.5.0/3:00', 'CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00'],
  ['120|180|M3.5.0/3:00|M10.5.0/4:00', 'EET-2EEST,M3.5.0/3,M10.5.0/4'],
  ['180', 'TZQ-3'],
  ['240', 'TZR-4'],
  ['300', 'TZS-5'],
  ['330', 'TZT-5:30'],
  ['345', 'TZU-5:45'],
  ['360', 'TZV-6'],
  ['390', 'TZW-6:30'],
  ['420', 'TZX-7'],
  ['480', 'TZY-8'],
  ['540', 'TZZ-9'],
  ['570', 'CST-9:30'],
  ['600', 'EST-10'],
  ['660', 'TZc-11'],
  ['780', 'TZe-13'],
]);

/** A DST transition as Dialtone keys it, hour always shown: `M3.2.0/2:00`. */
const ruleKey = (r: DstRule): string => `M${r.month}.${r.week}.${r.weekday}/${r.hour}:${String(r.minute).padStart(2, '0')}`;

/** What a zone means to a phone: standard offset, and DST offset and rules if any. */
const meaning = (f: Pick<ZoneFacts, 'standardOffsetMinutes' | 'dst'>): string =>
  f.dst ? `${f.standardOffsetMinutes}|${f.dst.offsetMinutes}|${ruleKey(f.dst.start)}|${ruleKey(f.dst.end)}` : `${f.standardOffsetMinutes}`;

const two = (n: number): string => String(n).padStart(2, '0');

/** A POSIX offset as Grandstream's lists write it: sign always shown, west positive, `+3:30`, `-10`. */
const gsOffset = (minutesEast: number): string => {
  const west = -minutesEast;
  const abs = Math.abs(west);
  return `${west < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${two(abs % 60)}` : ''}`;
};

/** A transition as Grandstream's lists write it: `M10.1.0/02:00:00`. */
const gsRule = (r: DstRule): string => `M${r.month}.${r.week}.${r.weekday}/${two(r.hour)}:${two(r.minute)}:00`;

/** Letters-only abbreviations as in every list row; the numeric POSIX form `<+0545>` becomes a placeholder. */
const letters = (abbr: string | undefined, fallback: string): string => (abbr && /^[A-Za-z]{3,6}$/.test(abbr) ? abbr : fallback);

/**
 * The P246 self-defined zone, in the fully spelled form of the list rows (explicit DST offset,
 * hh:mm:ss times), e.g. `NST+3:30NDT+2:30,M3.2.0/02:00:00,M11.1.0/02:00:00` [GS-261X].
 */
const selfDefined = (f: ZoneFacts): string =>
  f.dst
    ? `${letters(f.standardAbbr, 'STD')}${gsOffset(f.standardOffsetMinutes)}${letters(f.dstAbbr, 'DST')}${gsOffset(f.dst.offsetMinutes)},${gsRule(f.dst.start)},${gsRule(f.dst.end)}`
    : `${letters(f.standardAbbr, 'STD')}${gsOffset(f.standardOffsetMinutes)}`;

/**
 * The XML phonebook [GS-PBG, F-PB]: one `Work` phone with the extension, a second with the direct
 * number; `accountindex` 0 = account 1 (facts §12). xmlbuilder2 escapes; characters XML cannot
 * carry at all are dropped.
 */
function phonebook(entries: readonly DirectoryEntry[]): string {
  const book = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '' }).ele('AddressBook');
  const phone = (contact: ReturnType<typeof create>, number: string) => contact.ele('Phone', { type: 'Work' }).ele('phonenumber').txt(number).up().ele('accountindex').txt('0');
  for (const e of entries) {
    const contact = book.ele('Contact');
    contact.ele('FirstName').txt(e.firstName);
    contact.ele('LastName').txt(e.lastName);
    phone(contact, e.extension);
    if (e.phoneNumber) phone(contact, e.phoneNumber);
  }
  return book.end({ prettyPrint: true });
}

/**
 * Keys raw settings may not set: the provisioning channel itself (server, scheme, DHCP override,
 * Digest credentials, the CA), which a raw value could lock Dialtone out of (facts §14).
 */
const RAW_KEY = /^(?!P(?:212|237|145|1360|1361|8433|8502)$)P[1-9]\d{0,4}$/;

/** A `<Pnnn>value</Pnnn>` line of a rendered file: values are XML-escaped, so one holds no `<`. */
const ELEMENT_LINE = /^\s*<(P\d+)>[^<]*<\/\1>\s*$/;

// "Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872", "… HW GXV3350  V1.3A SW …" [W-GS]
const UA = /^Grandstream Model HW (\w+)(?:\s+V\S+)?\s+SW (\S+)\s+DevId (\S+)/;
// Legacy: "Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8" [W-GS]
const LEGACY_UA = /^Grandstream (GXP2000) .*:([^ ]+)\) DevId (\S+)/;

export const grandstream: VendorPack = {
  id: 'grandstream',
  name: 'Grandstream',
  models,
  files: [
    { pattern: 'cfg{mac}.xml', scope: 'device', template: 'cfg-mac.xml.hbs', bootstrapTemplate: 'cfg-mac-bootstrap.xml.hbs', format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: 'cfg{model}.xml', scope: 'model', template: 'cfg-fallback.xml.hbs', secret: false, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: 'cfg.xml', scope: 'common', template: 'cfg-fallback.xml.hbs', secret: false, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    // The phone appends `/phonebook.xml` to P331 (facts §12): the MAC travels in the folder.
    { pattern: 'pb{mac}/phonebook.xml', scope: 'device', directory: true, format: 'xml', contentType: 'text/xml; charset=utf-8' },
  ],
  routineMisses: [
    // The binary config file: `cfg<mac>` [GS-21XX-AG, GS-PROV-2012], `cfg<mac>.bin` [GS-PROV].
    /^cfg[0-9a-f]{12}(?:\.bin)?$/,
    // Firmware images, when the firmware path (P192) points here: gxp2170fw.bin, grp261xfw.bin
    // [F-FW, W-FW; GRP names UNCERTAIN].
    /^(?:gxp|grp)\d{3}[\dx]fw\.bin$/,
  ],
  // P130: 0 UDP, 1 TCP, 2 TLS/TCP [GS-2130, GS-261X, F-GRP].
  transports: { udp: 0, tcp: 1, tls: 2 },
  // `resync` provisions without a reboot; `check-sync` may reboot [F-NTFY, F-PR: VERIFIED].
  resyncEvent: 'resync',
  // Models no template covers (GRP2624…GRP2670, GRP260x) [facts §10, §11: UNCERTAIN].
  lines: DEFAULT_LINES,
  keys: DEFAULT_KEYS,
  keyTypes: ['line', 'blf', 'speedDial', 'park', 'voicemail'],
  // A BLF watches, a speed dial dials, a call park key parks on an extension: each needs its value.
  keyNeedsValue: ['blf', 'speedDial', 'park'],
  keyFits,
  // P2 "String: a-z, A-Z, 0-9" [GS-2130, GS-261X].
  adminPassword: { alphabet: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', length: 16, pattern: /^[A-Za-z0-9]+$/, describe: 'letters and digits only' },
  rawKey: RAW_KEY,

  phone: grandstreamPhone,
  directory: phonebook,

  /**
   * Raw settings are written last by the template; the XML form does not say which of two equal
   * elements wins, so the element Dialtone wrote before for the same key goes (facts §14).
   */
  finish(text, phone) {
    if (phone.raw.length === 0) return text;
    const raw = new Set(phone.raw.map((r) => r.key));
    const lines = text.split('\n');
    const last = new Map<string, number>();
    lines.forEach((line, n) => {
      const key = ELEMENT_LINE.exec(line)?.[1];
      if (key && raw.has(key)) last.set(key, n);
    });
    return lines.filter((line, n) => {
      const key = ELEMENT_LINE.exec(line)?.[1];
      return !key || !raw.has(key) || last.get(key) === n;
    }).join('\n');
  },

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent) ?? LEGACY_UA.exec(userAgent);
    if (!m) return null;
    const modelName = m[1] as string;
    const devId = (m[3] as string).toLowerCase();
    const model = models.find((x) => x.uaNames?.includes(modelName.toLowerCase()));
    return {
      modelName,
      firmware: m[2],
      ...(model ? { model: model.id } : {}),
      // DevId is the MAC in lower-case hex [W-GS]; anything else is left out.
      ...(/^[0-9a-f]{12}$/.test(devId) ? { mac: devId } : {}),
    };
  },

  /**
   * P64 takes a value from the phone's own list, or `customize` with a self-defined zone in P246
   * (at most 64 characters) [GS-261X, GS-2130, F-GRP-V2]. UNCERTAIN: that P246 takes every rule
   * the list rows use; Dialtone writes it in the list's own spelling.
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const listed = LISTED.get(meaning(facts));
    return { p64: listed ?? 'customize', p246: listed ? '' : selfDefined(facts) };
  },
};
