/**
 * Fanvil X- and C-series desk phones. XML `<sysConf>` files, tag names of firmware 2.2.10 and
 * later [F-X4U, W-FV-T]. Sources: src/vendors/facts/fanvil.md (the least documented of the
 * vendors: several keys rest on one or two open-source templates, marked UNCERTAIN).
 *
 * A phone asks for its model's common file (a fixed, oddly spelled name per model), then
 * `<mac>.cfg`, MAC lower case [W-FV]. The common file carries no secrets and points the phone
 * at the HTTPS service; `<mac>.cfg` carries the line and the provisioning credentials, or over
 * plain HTTP a bootstrap without them. No source shows a Fanvil key for installing a CA, so
 * none is sent: the phone must trust the Dialtone CA by other means (or not verify it).
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

/**
 * Model → the common file it asks for, without `.cfg` [W-FV, W-FV-X: Wazo's list, VERIFIED as
 * Wazo's; case matters]. Newer models (X3U, X4U, X5U, X6U, V6x, i-series) are left out: their
 * common-file names were not found.
 */
const MODELS: Array<[name: string, commonFile: string]> = [
  ['X2', 'F0V00X200000'],
  ['X3', 'F0V00X300000'],
  ['X3S', 'f0X3shw1.100'],
  ['X4', 'f0X4hw1.100'],
  ['X5', 'f0X5hw1.100'],
  ['X5S', 'F0V00X5S0000'],
  ['X6', 'F0V00X600000'],
  ['X6V2', 'F0000X600000'],
  ['X7', 'F0V00X700000'],
  ['X7C', 'F0V0X7C00000'],
  ['C58', 'f0C00580000'],
  ['C62', 'f0C00620000'],
];

const models: Model[] = MODELS.map(([name, commonFile]) => ({
  id: `fanvil-${name.toLowerCase()}`,
  name: `Fanvil ${name.replace('V2', ' V2')}`,
  fileKey: commonFile,
  uaNames: [name.toLowerCase()],
}));

/** `UTC-05`, `UTC+1`, `UCT`: the labels Wazo writes for whole hours [W-FV-X]; UNCERTAIN whether the phone reads them. */
function zoneLabel(minutes: number): string {
  if (minutes === 0) return 'UCT';
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  const hours = minutes < 0 ? String(h).padStart(2, '0') : String(h);
  return `UTC${sign}${hours}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

/** DST start or end: month, week (1-4, -1 = last), weekday (0 = Sunday), hour [W-FV `_extract_dst_change`]. */
const change = (r: DstRule) => ({
  month: r.month,
  week: r.week === 5 ? -1 : r.week,
  weekday: r.weekday,
  // Wazo caps the hour at 23; the phone takes whole hours only.
  hour: Math.min(r.hour, 23),
});

// "Fanvil X4 2.10.2.6887 0c383e07e16c", "Fanvil X6U Pro 0.0.10 0c383e2cd782", "Fanvil H2U-V2 2.12.0 0c383e32342e" [W-FV]
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
  // `<Transport>`: 0 UDP, 1 TCP, 3 TLS [F-X4U; Wazo's `_SIP_TRANSPORT` agrees]; what 2 is: UNCERTAIN.
  transports: { udp: 0, tcp: 1, tls: 3 },
  // Wazo's resync [W-FV]; FusionPBX sends `resync` instead [F-NTFY]. UNCERTAIN which Fanvil prefers.
  resyncEvent: 'check-sync',

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent.trim());
    if (!m) return null;
    const modelName = m[1] as string;
    const key = modelName.toLowerCase().replace(/[\s-]+/g, '');
    const model = models.find((x) => x.uaNames?.includes(key));
    return { modelName, firmware: m[2], mac: (m[3] as string).toLowerCase(), ...(model ? { model: model.id } : {}) };
  },

  /**
   * `TimeZone` in 15-minute units east of UTC (UTC−5 → −20) [W-FV-X `_TZ_INFO`, VERIFIED], and
   * the DST rule spelled out: `EnableDST` 2 and `DSTFixedType` 2 as Wazo writes them for rules
   * by week (meaning of the values UNCERTAIN), `DSTMinOffset` in minutes [W-FV-T].
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
