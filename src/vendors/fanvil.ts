/**
 * Fanvil desk phones: X-series (X1SG … X7C, X210, X301/X303), V-series (V61 … V67), C58/C62.
 * XML `<sysConf>` files with the tag names of firmware 2.2.10 and later [F-X4U, W-FV-T].
 * Sources and the status of every key: src/vendors/facts/fanvil.md.
 *
 * A phone asks for its model's common file (a fixed, oddly spelled name per model, where the
 * model has one), then `<mac>.cfg`, MAC lower case [W-FV]. The common file carries no secrets and
 * points the phone at the HTTPS service; `<mac>.cfg` carries the line and the provisioning
 * credentials, or over plain HTTP a bootstrap without them that makes the phone check again
 * over HTTPS an hour later. No source shows a Fanvil key that installs a CA for the
 * provisioning client, so none is sent (facts §CA).
 *
 * The full `<mac>.cfg` carries every account and DSS key of the model, the neutral settings
 * (fanvil-office.ts), a pointer to the company phonebook `<mac>-phonebook.xml`, and the raw
 * settings, put into the elements their paths name after rendering (fanvil-raw.ts) [facts §7].
 */
import { create } from 'xmlbuilder2';
import type { DirectoryEntry } from '../domain/phone-config.js';
import { zoneFacts, type DstRule } from '../domain/zone.js';
import { fanvilValues, layoutKeys, type FanvilOffice, type KeyLayout } from './fanvil-office.js';
import { RAW_KEY, setRaw } from './fanvil-raw.js';
import type { Model, VendorPack } from './pack.js';

interface FanvilModel {
  /** Model as Fanvil names it. */
  name: string;
  /** Common file it asks for, without `.cfg` [W-FV-X, W-FV-V; case matters]; none where no source names one. */
  common?: string;
  /** Other spellings in User-Agents, as Wazo's regex allows them (`-V2`, ` Pro`) [W-FV]. */
  ua?: string[];
  /** SIP accounts [facts §7.1]. */
  lines: number;
  /** Programmable keys by block [facts §7.2]; none when not given. */
  keys?: KeyLayout;
  /** `OPUS` where the phone's own export writes it so (V-series, X4U/X5U/X6U [F-V, F-TPL]); `opus` elsewhere [F-TPL x210/x1sg/x3u, T-X5]. */
  opus?: 'OPUS';
}

// Key blocks as [pages, keys a page]: `side` the keys beside the screen (`<dssSide>`), `dss` the on-screen pages (`<internal>`).
const MODELS: FanvilModel[] = [
  // Older X and C models [W-FV-X; X7 and X7C from Wazo's earlier list (facts §1), no longer in its current one].
  { name: 'X2', common: 'f0X2hw1.100', lines: 2 },
  { name: 'X3', common: 'F0V00X300000', lines: 2 },
  { name: 'X3S', common: 'f0X3shw1.100', lines: 2 },
  { name: 'X3SG', common: 'f0X3sghw1.100', lines: 4, keys: { dss: [1, 2] } },
  { name: 'X4', common: 'f0X4hw1.100', lines: 4, keys: { dss: [5, 6] } },
  { name: 'X5', common: 'f0X5hw1.100', lines: 6, keys: { dss: [5, 8] } },
  { name: 'X5S', common: 'F0V00X5S0000', lines: 6, keys: { dss: [5, 8] } },
  { name: 'X6', common: 'F0V00X600000', lines: 6, keys: { dss: [5, 12] } },
  { name: 'X6 V2', common: 'F0000X600000', lines: 6, keys: { dss: [5, 12] } },
  { name: 'X7', common: 'F0V00X700000', ua: ['x7pro'], lines: 20, keys: { side: [1, 11], dss: [4, 29] } },
  { name: 'X7C', common: 'F0V0X7C00000', ua: ['x7cpro'], lines: 20, keys: { side: [5, 12] } },
  { name: 'C58', common: 'f0C00580000', lines: 2, keys: { dss: [1, 2] } },
  { name: 'C62', common: 'f0C00620000', lines: 4, keys: { dss: [1, 8] } },
  // Current X models [W-FV-X, F-TPL, T-SCOPES]; a common-file name is known for X210 and X5U only.
  { name: 'X210', common: 'F0V00X200000', ua: ['x210v2', 'x210pro'], lines: 20, keys: { side: [1, 10], dss: [3, 32] } },
  { name: 'X5U', common: 'F0V5UV200000', ua: ['x5uv2', 'x5upro'], lines: 16, keys: { side: [1, 4], dss: [5, 6] }, opus: 'OPUS' },
  { name: 'X1SG', lines: 2, keys: { dss: [1, 2] } },
  { name: 'X3U', lines: 6, keys: { side: [1, 3] } },
  { name: 'X3U Pro', lines: 4, keys: { dss: [1, 3] } },
  { name: 'X4U', ua: ['x4uv2', 'x4upro'], lines: 12, keys: { side: [1, 3], dss: [5, 6] }, opus: 'OPUS' },
  { name: 'X6U', ua: ['x6upro'], lines: 20, keys: { side: [1, 5], dss: [5, 12] }, opus: 'OPUS' },
  { name: 'X7A', lines: 20, keys: { dss: [4, 28] } },
  { name: 'X301', ua: ['x301p', 'x301g', 'x301w'], lines: 2 },
  { name: 'X303', ua: ['x303p', 'x303g', 'x303w'], lines: 4, keys: { side: [1, 3] } },
  // V-series [W-FV-V; F-TPL and T-SCOPES list the models].
  { name: 'V61G', common: 'F0VV61G00000', lines: 4, keys: { side: [4, 3] }, opus: 'OPUS' },
  { name: 'V61W', common: 'F0VV61W00000', lines: 4, keys: { side: [4, 3] }, opus: 'OPUS' },
  { name: 'V62', common: 'F0VV6200000', lines: 6, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V62 Pro', common: 'F0V0V6210000', lines: 12, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V62G', common: 'F0VV62G00000', lines: 12, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V62W', common: 'F0VV62W00000', lines: 12, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V63', common: 'F0V0V6300000', lines: 6, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V64', common: 'F0V0V6400000', lines: 12, keys: { side: [3, 7] }, opus: 'OPUS' },
  { name: 'V65', common: 'F0V0V6500000', lines: 20, keys: { side: [3, 9] }, opus: 'OPUS' },
  { name: 'V66', common: 'F0V0V6600000', lines: 20, keys: { dss: [4, 29] }, opus: 'OPUS' },
  { name: 'V66 Pro', common: 'F0V0V6610000', lines: 20, keys: { dss: [4, 29] }, opus: 'OPUS' },
  { name: 'V67', common: 'F0V0V6700000', lines: 20, keys: { dss: [4, 29] }, opus: 'OPUS' },
];

const squash = (name: string): string => name.toLowerCase().replace(/[\s-]+/g, '');

const models: Model[] = MODELS.map((m) => ({
  id: `fanvil-${squash(m.name)}`,
  name: `Fanvil ${m.name}`,
  ...(m.common ? { fileKey: m.common } : {}),
  uaNames: [squash(m.name), ...(m.ua ?? [])],
  lines: m.lines,
  keys: layoutKeys(m.keys ?? {}),
}));

/** What `phone()` needs of a model beyond Dialtone's Model, by model id. */
const office = new Map<string, FanvilOffice>(MODELS.map((m) => [`fanvil-${squash(m.name)}`, { lines: m.lines, layout: m.keys ?? {}, opus: m.opus ?? 'opus' }]));

/**
 * Names phones ask for that Dialtone does not serve [facts §Quiet misses]:
 * - the firmware check `fanvil_<model>[_pro|_v2]_hw<n>[_<n>].txt` asked of the upgrade server
 *   (`<fwCheck><UpgradeServer1>`) [W-FV-X, W-FV-V, V-PA2S];
 * - common files of models whose name Dialtone does not know: `F0` and ten (Wazo's V62: nine)
 *   letters and digits, or the older `f0<model>hw<n>.<nnn>` [W-FV-X, W-FV-V].
 */
const routineMisses = [
  /^fanvil_[a-z]\d{1,3}[a-z]{0,2}(?:_(?:pro|v2))?_hwv?\d+(?:_\d+)?\.txt$/,
  /^F0[0-9A-Z]{9,10}\.cfg$/,
  /^f0[0-9A-Za-z]{2,6}hw\d\.\d{3}\.cfg$/,
];

/** `UTC-05`, `UTC+1`, `UCT`: the labels Wazo writes for whole hours [W-FV-X]; `UTC+5:30` for the rest. */
function zoneLabel(minutes: number): string {
  if (minutes === 0) return 'UCT';
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  const hours = minutes < 0 ? String(h).padStart(2, '0') : String(h);
  return `UTC${sign}${hours}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

/**
 * DST start or end: month, week (1-4, 5 = the last, as in the factory rule `DSTStartWeek` 5 that
 * FusionPBX and Tancredi write), weekday (0 = Sunday), whole hour (capped at 23 as Wazo does).
 */
const change = (r: DstRule) => ({ month: r.month, week: r.week, weekday: r.weekday, hour: Math.min(r.hour, 23) });

// "Fanvil X4 2.10.2.6887 0c383e07e16c", "Fanvil X6U Pro 0.0.10 0c383e2cd782", "Fanvil V67 2.6.6.187 0c383e2b29e6" [W-FV]
const UA = /^Fanvil\s+(\S+(?:\s+Pro)?)\s+(\d+(?:\.\d+)*)\s+([0-9a-fA-F]{12})$/;

const XML = 'application/xml; charset=utf-8';

const DEVICE_FILE = '{mac}.cfg';

/**
 * The company directory as Fanvil's XML phonebook [facts §7.3: PB-TS citing Fanvil's
 * specification, F-DIR, PB-PHP]: a `DirectoryEntry` per person, `Telephone` the extension and
 * `Other` the direct number (three numbers at most: Telephone, Mobile, Other).
 */
function phonebook(entries: readonly DirectoryEntry[]): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('FanvilIPPhoneDirectory');
  for (const e of entries) {
    const entry = root.ele('DirectoryEntry');
    entry.ele('Name').txt(e.name);
    entry.ele('Telephone').txt(e.extension);
    if (e.phoneNumber) entry.ele('Other').txt(e.phoneNumber);
  }
  return root.end({ prettyPrint: true });
}

export const fanvil: VendorPack = {
  id: 'fanvil',
  name: 'Fanvil',
  models,
  files: [
    { pattern: '{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'xml', contentType: XML },
    { pattern: DEVICE_FILE, scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'xml', contentType: XML },
    // The phone fetches the URL `<xmlContact><Addr>` names, with the device's provisioning credentials (facts §7.3).
    { pattern: '{mac}-phonebook.xml', scope: 'device', directory: true, format: 'xml', contentType: XML },
  ],
  routineMisses,
  // `<Transport>`: 0 UDP, 1 TCP, 3 TLS [F-X4U, W-FV `_SIP_TRANSPORT`; T-X5 writes 3 and 0]; what 2 is: UNCERTAIN.
  transports: { udp: 0, tcp: 1, tls: 3 },
  // NOTIFY `Event: check-sync` [F-NTFY; W-FV via W-PROVD `standard_sip_synchronize`].
  resyncEvent: 'check-sync',
  // Every model says its own lines and keys; these are for a model that would not.
  lines: 1,
  keys: 0,
  keyTypes: ['line', 'blf', 'speedDial', 'park', 'voicemail'],
  // A memory key is `<value>@<line>/<kind>`: without a value it watches or dials nothing (facts §7.2).
  keyNeedsValue: ['blf', 'speedDial', 'park'],
  // `<web><account index="1"><Password>`: 1-39 letters and digits on every firmware [N-PBX].
  adminPassword: { alphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789', length: 16, pattern: /^[A-Za-z0-9]{1,39}$/, describe: '1 to 39 letters and digits' },
  rawKey: RAW_KEY,

  phone(config, model) {
    return fanvilValues(config, office.get(model.id) ?? { lines: model.lines ?? 1, layout: {}, opus: 'opus' });
  },

  directory: phonebook,

  /** Raw settings go into the element their key names, last, in the full device file only (fanvil-raw.ts). */
  finish(text, phone, { spec, full, escape }) {
    if (!full || spec.pattern !== DEVICE_FILE) return text;
    return phone.raw.reduce((out, { key, value }) => setRaw(out, key, value, escape), text);
  },

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent.trim());
    if (!m) return null;
    const modelName = m[1] as string;
    const key = squash(modelName);
    const model = models.find((x) => x.uaNames?.includes(key));
    return { modelName, firmware: m[2], mac: (m[3] as string).toLowerCase(), ...(model ? { model: model.id } : {}) };
  },

  /**
   * `TimeZone` in 15-minute units east of UTC (UTC−5 → −20) [W-FV-X `_TZ_INFO`, T-MACROS], so
   * half- and quarter-hour zones fit (UTC+5:45 → 23). DST as a manual rule by week: `EnableDST`
   * 2 (0 off, 1 automatic, 2 manual) and `DSTFixedType` 2 (1 by date, 2 by week) [F-APP, W-FV-T],
   * `DSTMinOffset` in minutes.
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const base = { timeZone: Math.round(facts.standardOffsetMinutes / 15), timeZoneName: zoneLabel(facts.standardOffsetMinutes) };
    if (!facts.dst) return { ...base, enableDst: 0 };
    const start = change(facts.dst.start);
    const end = change(facts.dst.end);
    return {
      ...base,
      enableDst: 2,
      dstMinutes: facts.dst.offsetMinutes - facts.standardOffsetMinutes,
      dstStartMonth: start.month,
      dstStartWeek: start.week,
      dstStartWeekday: start.weekday,
      dstStartHour: start.hour,
      dstEndMonth: end.month,
      dstEndWeek: end.week,
      dstEndWeekday: end.weekday,
      dstEndHour: end.hour,
    };
  },
};
