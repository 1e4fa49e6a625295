/**
 * Aastra 67xxi/68xxi/9143i/9480i and their Mitel-branded successors (SIP firmware). Text files of
 * `key: value` lines, `#` comments [F-AA, MT-6800]. Sources: src/vendors/facts/aastra.md.
 *
 * A phone reads `aastra.cfg`, then `<model>.cfg`, then `<MAC>.cfg` (upper case); each later
 * file overrides the earlier ones [MT-6800, AA-PREC: VERIFIED]. Mitel firmware 4.0 SP1 and later
 * call the first file `startup.cfg` [Mitel 6800 Administrator Guide 4.2.0 SP2, "Configuration
 * File Precedence"]; both names are served. The shared files carry no secrets and switch the
 * phone to HTTPS; `<MAC>.cfg` carries the line and the HTTP Digest credentials, or over plain
 * HTTP a bootstrap without them.
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

/**
 * Models as Wazo knows them [W-AA `_MODELS`]; `fileKey` is `<model>` in `<model>.cfg` [MT-6800].
 * The 6869i and 6873i shipped as Mitel; the rest are listed as Aastra.
 */
const MODELS: Array<[brand: 'aastra' | 'mitel', model: string]> = [
  ['aastra', '6730i'],
  ['aastra', '6731i'],
  ['aastra', '6735i'],
  ['aastra', '6737i'],
  ['aastra', '6739i'],
  ['aastra', '6753i'],
  ['aastra', '6755i'],
  ['aastra', '6757i'],
  ['aastra', '6863i'],
  ['aastra', '6865i'],
  ['aastra', '6867i'],
  ['mitel', '6869i'],
  ['mitel', '6873i'],
  ['aastra', '9143i'],
  ['aastra', '9480i'],
];

/**
 * Older firmware names the 675xi by its short name in the User-Agent: `57i` → 6757i [W-AA
 * `_UA_MODELS_MAP`]. UNCERTAIN: whether such firmware also asks for `57i.cfg`; only
 * `<long name>.cfg` is served.
 */
const SHORT_NAMES: Record<string, string> = { '6753i': '53i', '6755i': '55i', '6757i': '57i' };

const models: Model[] = MODELS.map(([brand, model]) => ({
  id: `${brand}-${model}`,
  name: `${brand === 'mitel' ? 'Mitel' : 'Aastra'} ${model}`,
  fileKey: model,
  uaNames: [model, ...(SHORT_NAMES[model] ? [SHORT_NAMES[model]] : [])],
}));

/** DST start or end [W-AA `_format_dst_change`, AA-TZ]: week 1-4 or −1 (last), day 1 = Sunday … 7 = Saturday. */
const change = (r: DstRule) => ({
  month: r.month,
  week: r.week === 5 ? -1 : r.week,
  day: r.weekday + 1,
  // Whole hours, at most 23, as Wazo writes them.
  hour: Math.min(r.hour, 23),
});

// "Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP"; Mitel-branded firmware starts with `Mitel` [W-AA].
const UA = /^(Aastra|Mitel)(\w+) MAC:((?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}) V:(\S+)-SIP$/;

const TEXT = 'text/plain; charset=utf-8';

export const aastra: VendorPack = {
  id: 'aastra',
  name: 'Aastra / Mitel',
  models,
  files: [
    { pattern: 'aastra.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: 'startup.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: '{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: '{MAC}.cfg', scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'text', contentType: TEXT },
  ],
  // `sip transport protocol`: 1 UDP, 2 TCP, 4 TLS [W-AA `_SIP_TRANSPORT`; F-AA agrees on 1 and 2].
  transports: { udp: 1, tcp: 2, tls: 4 },
  // [AST `[aastra-check-cfg]`, W-AA]. UNCERTAIN whether the phone reboots to apply it.
  resyncEvent: 'check-sync',

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent.trim());
    if (!m) return null;
    const modelName = m[2] as string;
    const model = models.find((x) => x.uaNames?.includes(modelName.toLowerCase()));
    return {
      modelName,
      firmware: m[4],
      mac: (m[3] as string).replaceAll('-', '').toLowerCase(),
      ...(model ? { model: model.id } : {}),
    };
  },

  /**
   * Always `time zone name: Custom` with `time zone minutes` west of UTC (UTC−5 → 300), the way
   * Wazo writes every zone [AA-TZ, W-AA]: the named zones' table is mostly unverified. DST:
   * `dst config` 0 without DST, else 3 with the rule spelled out in the `dst start|end` keys and
   * `dst [start|end] relative date: 1` (by week) [W-AA `_format_tzinfo`].
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const base = { name: 'Custom', minutes: -facts.standardOffsetMinutes || 0 };
    if (!facts.dst) return { ...base, dstConfig: 0 };
    const start = change(facts.dst.start);
    const end = change(facts.dst.end);
    return {
      ...base,
      dstConfig: 3,
      dstMinutes: facts.dst.offsetMinutes - facts.standardOffsetMinutes,
      dstStartMonth: start.month,
      dstStartWeek: start.week,
      dstStartDay: start.day,
      dstStartHour: start.hour,
      dstEndMonth: end.month,
      dstEndWeek: end.week,
      dstEndDay: end.day,
      dstEndHour: end.hour,
    };
  },
};
