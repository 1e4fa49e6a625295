/**
 * Yealink T2x/T4x/T5x. Text files: a `#!version:1.0.0.1` first line, then `key = value` lines.
 * Firmware 81 and later asks for `<mac>.boot` and follows its `include:config` lines; a phone
 * without one falls back to `y000000000000.boot`, then the model's `y0000000000XX.cfg` and
 * `<mac>.cfg`. MACs are lower case in file names. The firmware's first number is the model code.
 */
import { formatOffset, zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

/** Model code (`XX` in y0000000000XX.cfg and the first number of the firmware version). */
const MODELS: Array<[id: string, name: string, code: string]> = [
  ['yealink-t19p-e2', 'T19P_E2', '53'],
  ['yealink-t21p-e2', 'T21P_E2', '52'],
  ['yealink-t23g', 'T23G', '44'],
  ['yealink-t27g', 'T27G', '69'],
  ['yealink-t29g', 'T29G', '46'],
  ['yealink-t40g', 'T40G', '76'],
  ['yealink-t41s', 'T41S', '68'],
  ['yealink-t42g', 'T42G', '29'],
  ['yealink-t42s', 'T42S', '67'],
  ['yealink-t43u', 'T43U', '107'],
  ['yealink-t46g', 'T46G', '28'],
  ['yealink-t46s', 'T46S', '66'],
  ['yealink-t46u', 'T46U', '108'],
  ['yealink-t48g', 'T48G', '35'],
  ['yealink-t48s', 'T48S', '65'],
  ['yealink-t49g', 'VP-T49G', '51'],
  ['yealink-t53', 'T53', '95'],
  ['yealink-t54w', 'T54W', '96'],
  ['yealink-t57w', 'T57W', '97'],
  ['yealink-t58', 'T58', '58'],
];

const models: Model[] = MODELS.map(([id, name, code]) => ({
  id,
  name: `Yealink ${name.replace('_', ' ')}`,
  fileKey: code.padStart(2, '0'),
  uaNames: [name.toLowerCase().replace(/^vp-/, '')],
}));

/** Yealink's DST rule: month/week/weekday/hour, weekday 1 = Monday … 7 = Sunday, week 5 = last. */
const dstRule = (r: DstRule): string => `${r.month}/${r.week}/${r.weekday === 0 ? 7 : r.weekday}/${r.hour}`;

// "Yealink SIP-T46G 28.72.0.1 00:15:65:4a:a9:37", "Yealink SIP VP-T49G 51.80.0.10 00:15:65:9b:5a:44"
const UA = /^Yealink\s+(?:SIP(?: VP)?-)?([\w-]+)\s+(\d+(?:\.\d+)+)(?:\s+((?:[0-9a-f]{2}:){5}[0-9a-f]{2}))?/i;

export const yealink: VendorPack = {
  id: 'yealink',
  name: 'Yealink',
  models,
  files: [
    { pattern: '{mac}.boot', scope: 'device', template: 'mac.boot.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: 'y000000000000.boot', scope: 'common', template: 'common.boot.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: 'y0000000000{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: '{mac}.cfg', scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'kv', contentType: 'text/plain; charset=utf-8' },
  ],
  transports: { udp: 0, tcp: 1, tls: 2 },
  resyncEvent: 'check-sync;reboot=false',

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent);
    if (!m) return null;
    const modelName = (m[1] as string).toLowerCase();
    const firmware = m[2] as string;
    const code = firmware.split('.')[0] ?? '';
    const model = models.find((x) => x.uaNames?.includes(modelName)) ?? models.find((x) => x.fileKey === code.padStart(2, '0'));
    return {
      modelName: m[1],
      firmware,
      ...(model ? { model: model.id } : {}),
      ...(m[3] ? { mac: m[3].replaceAll(':', '').toLowerCase() } : {}),
    };
  },

  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    return {
      offset: formatOffset(facts.standardOffsetMinutes, 'hours'),
      summerTime: facts.dst ? 1 : 0,
      dstStart: facts.dst ? dstRule(facts.dst.start) : '',
      dstEnd: facts.dst ? dstRule(facts.dst.end) : '',
      dstMinutes: facts.dst ? facts.dst.offsetMinutes - facts.standardOffsetMinutes : 0,
    };
  },
};
