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
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

interface FanvilModel {
  /** Model as Fanvil names it. */
  name: string;
  /** Common file it asks for, without `.cfg` [W-FV-X, W-FV-V; case matters]; none where no source names one. */
  common?: string;
  /** Other spellings in User-Agents, as Wazo's regex allows them (`-V2`, ` Pro`) [W-FV]. */
  ua?: string[];
}

const MODELS: FanvilModel[] = [
  // Older X and C models [W-FV-X; X7 and X7C from Wazo's earlier list (facts §1), no longer in its current one].
  { name: 'X2', common: 'f0X2hw1.100' },
  { name: 'X3', common: 'F0V00X300000' },
  { name: 'X3S', common: 'f0X3shw1.100' },
  { name: 'X3SG', common: 'f0X3sghw1.100' },
  { name: 'X4', common: 'f0X4hw1.100' },
  { name: 'X5', common: 'f0X5hw1.100' },
  { name: 'X5S', common: 'F0V00X5S0000' },
  { name: 'X6', common: 'F0V00X600000' },
  { name: 'X6 V2', common: 'F0000X600000' },
  { name: 'X7', common: 'F0V00X700000', ua: ['x7pro'] },
  { name: 'X7C', common: 'F0V0X7C00000', ua: ['x7cpro'] },
  { name: 'C58', common: 'f0C00580000' },
  { name: 'C62', common: 'f0C00620000' },
  // Current X models [W-FV-X, F-TPL, T-SCOPES]; a common-file name is known for X210 and X5U only.
  { name: 'X210', common: 'F0V00X200000', ua: ['x210v2', 'x210pro'] },
  { name: 'X5U', common: 'F0V5UV200000', ua: ['x5uv2', 'x5upro'] },
  { name: 'X1SG' },
  { name: 'X3U' },
  { name: 'X3U Pro' },
  { name: 'X4U', ua: ['x4uv2', 'x4upro'] },
  { name: 'X6U', ua: ['x6upro'] },
  { name: 'X7A' },
  { name: 'X301', ua: ['x301p', 'x301g', 'x301w'] },
  { name: 'X303', ua: ['x303p', 'x303g', 'x303w'] },
  // V-series [W-FV-V; F-TPL and T-SCOPES list the models].
  { name: 'V61G', common: 'F0VV61G00000' },
  { name: 'V61W', common: 'F0VV61W00000' },
  { name: 'V62', common: 'F0VV6200000' },
  { name: 'V62 Pro', common: 'F0V0V6210000' },
  { name: 'V62G', common: 'F0VV62G00000' },
  { name: 'V62W', common: 'F0VV62W00000' },
  { name: 'V63', common: 'F0V0V6300000' },
  { name: 'V64', common: 'F0V0V6400000' },
  { name: 'V65', common: 'F0V0V6500000' },
  { name: 'V66', common: 'F0V0V6600000' },
  { name: 'V66 Pro', common: 'F0V0V6610000' },
  { name: 'V67', common: 'F0V0V6700000' },
];

const squash = (name: string): string => name.toLowerCase().replace(/[\s-]+/g, '');

const models: Model[] = MODELS.map((m) => ({
  id: `fanvil-${squash(m.name)}`,
  name: `Fanvil ${m.name}`,
  ...(m.common ? { fileKey: m.common } : {}),
  uaNames: [squash(m.name), ...(m.ua ?? [])],
}));

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

export const fanvil: VendorPack = {
  id: 'fanvil',
  name: 'Fanvil',
  models,
  files: [
    { pattern: '{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'xml', contentType: XML },
    { pattern: '{mac}.cfg', scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'xml', contentType: XML },
  ],
  routineMisses,
  // `<Transport>`: 0 UDP, 1 TCP, 3 TLS [F-X4U, W-FV `_SIP_TRANSPORT`; T-X5 writes 3 and 0]; what 2 is: UNCERTAIN.
  transports: { udp: 0, tcp: 1, tls: 3 },
  // NOTIFY `Event: check-sync` [F-NTFY; W-FV via W-PROVD `standard_sip_synchronize`].
  resyncEvent: 'check-sync',
  // Lines and keys before their vendor facts are in: one line, no programmable keys.
  lines: 1,
  keys: 0,
  keyTypes: [],

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
