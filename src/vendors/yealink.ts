/**
 * Yealink T2x/T3x/T4x/T5x. Text files: a `#!version:1.0.0.1` first line, then `key = value` lines.
 * Firmware 81 and later asks for `<mac>.boot` first and follows its `include:config` lines; without
 * one it asks for `y000000000000.boot`, and without that for the model's common file
 * `y<12 digits>.cfg` and then `<mac>.cfg` [YL-BOOT]. MACs are lower case in file names.
 * Source keys ([YL-BOOT], [F-BOOT] ...) refer to src/vendors/facts/yealink.md.
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';
import { directoryXml, officeValues } from './yealink-office.js';

/**
 * [id, model as the phone spells it, common-file code, SIP accounts, line keys, other User-Agent spellings].
 * The code is the number in the model's common file, `y000000000108.cfg` for a T46U. It is not
 * the firmware's first number: one firmware serves a family, e.g. 108.x runs on every T4xU and
 * 124.x on every T3x [W-86], while each model keeps its own common file [F-BOOT, P-MAP].
 * Accounts and line keys of the base unit (no expansion module) as the facts' table gives them
 * [W-FK, T-KEYS, YL-DSS, YL-ACCT]; where sources disagree on keys, the smaller count.
 */
const MODELS: Array<[id: string, name: string, code: number, lines: number, keys: number, also?: string[]]> = [
  ['yealink-t19p-e2', 'T19P_E2', 53, 1, 0],
  ['yealink-t21p-e2', 'T21P_E2', 52, 2, 2],
  ['yealink-t23g', 'T23G', 44, 3, 3],
  ['yealink-t27g', 'T27G', 69, 6, 21],
  ['yealink-t29g', 'T29G', 46, 16, 27],
  ['yealink-t30', 'T30', 127, 1, 0],
  ['yealink-t30p', 'T30P', 127, 1, 0],
  ['yealink-t31', 'T31', 123, 2, 2],
  ['yealink-t31p', 'T31P', 123, 2, 2],
  ['yealink-t31g', 'T31G', 123, 2, 2],
  ['yealink-t31w', 'T31W', 172, 2, 2],
  ['yealink-t33p', 'T33P', 124, 4, 12],
  ['yealink-t33g', 'T33G', 124, 4, 12],
  ['yealink-t34w', 'T34W', 171, 4, 12],
  ['yealink-t40g', 'T40G', 76, 3, 3],
  ['yealink-t41s', 'T41S', 68, 6, 15],
  // No source names the T41U's own common file: it is reached only through the include line of
  // the `<mac>.boot` Dialtone always serves, so it shares the T42U's (facts: Models).
  ['yealink-t41u', 'T41U', 116, 6, 15],
  ['yealink-t42g', 'T42G', 29, 12, 15],
  ['yealink-t42s', 'T42S', 67, 12, 15],
  ['yealink-t42u', 'T42U', 116, 12, 15],
  ['yealink-t43u', 'T43U', 107, 12, 15],
  ['yealink-t44u', 'T44U', 173, 12, 21],
  ['yealink-t44w', 'T44W', 174, 12, 21],
  ['yealink-t46g', 'T46G', 28, 16, 27],
  ['yealink-t46s', 'T46S', 66, 16, 27],
  ['yealink-t46u', 'T46U', 108, 16, 27],
  ['yealink-t48g', 'T48G', 35, 16, 29],
  ['yealink-t48s', 'T48S', 65, 16, 29],
  ['yealink-t48u', 'T48U', 109, 16, 29],
  ['yealink-t49g', 'VP-T49G', 51, 16, 4, ['t49g']],
  ['yealink-t53', 'T53', 95, 12, 21],
  ['yealink-t53w', 'T53W', 95, 12, 21],
  ['yealink-t54w', 'T54W', 96, 16, 27],
  ['yealink-t57w', 'T57W', 97, 16, 29],
  // The T58A (and the T58V before it) says "SIP-T58" or "SIP-T58A" [F-UA, W-86, W-UA-83].
  ['yealink-t58', 'T58A', 58, 16, 27, ['t58', 't58v']],
  ['yealink-t58w', 'T58W', 150, 16, 27],
];

const models: Model[] = MODELS.map(([id, name, code, lines, keys, also = []]) => ({
  id,
  name: `Yealink ${name.replace('_', ' ')}`,
  fileKey: String(code).padStart(12, '0'),
  uaNames: [name.toLowerCase(), ...also],
  lines,
  keys,
}));

/** Every model says its own; these apply to none. */
const LINES = 1;
const KEYS = 0;

/** `local_time.time_zone` as the phone's own list writes it: "-5", "0", "+1", "+5:30", "+5:45", "-3:30" [YL-TZ]. */
function zoneOffset(minutes: number): string {
  if (minutes === 0) return '0';
  const abs = Math.abs(minutes);
  const rest = abs % 60;
  return `${minutes < 0 ? '-' : '+'}${Math.floor(abs / 60)}${rest === 0 ? '' : `:${String(rest).padStart(2, '0')}`}`;
}

/** A DST change by week: month/week/weekday/hour, weekday 1 = Monday … 7 = Sunday, week 5 = last [YL-DST, W-86]. */
const dstRule = (r: DstRule): string => `${r.month}/${r.week}/${r.weekday === 0 ? 7 : r.weekday}/${r.hour}`;

// "Yealink SIP-T46S 66.86.0.15 80:5e:c0:4a:a9:37", "Yealink SIP VP-T49G 51.80.0.10 00:15:65:9b:5a:44" [W-UA]
const UA = /^Yealink\s+(?:SIP(?: VP)?-)?([\w-]+)\s+(\d+(?:\.\d+)+)(?:\s+((?:[0-9a-f]{2}:){5}[0-9a-f]{2}))?/i;

export const yealink: VendorPack = {
  id: 'yealink',
  name: 'Yealink',
  models,
  files: [
    // Secret-free: the same for everyone, over any channel; they only name the next files.
    { pattern: '{mac}.boot', scope: 'device', template: 'mac.boot.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: 'y000000000000.boot', scope: 'common', template: 'common.boot.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: 'y{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'kv', contentType: 'text/plain; charset=utf-8' },
    { pattern: '{mac}.cfg', scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'kv', contentType: 'text/plain; charset=utf-8' },
    // The company directory, at the URL `<mac>.cfg` gives in remote_phonebook.data.1.url: any name
    // works, and one with the MAC makes it the device's file (HTTPS, Digest after the window).
    { pattern: '{mac}-phonebook.xml', scope: 'device', directory: true, format: 'xml', contentType: 'text/xml; charset=utf-8' },
  ],
  // Asked for only when a phone's settings say so, which Dialtone's never do; a phone that
  // another server set up keeps asking until its first file from Dialtone lands.
  routineMisses: [
    // <mac>-local.cfg, with static.auto_provision.custom.sync = 1 [YL-LOCAL].
    /^[0-9a-f]{12}-local\.cfg$/,
    // Firmware images under Yealink's own names, "T46U-108.86.0.90.rom",
    // "T54W(T57W,T53W,T53,T53C,T54,T57)-96.86.0.45(20211130).rom", with static.firmware.url [W-86].
    /^(?:T|CP|VP|W|AX)\d[\w(),]*-\d+\.\d+\.\d+\.\d+(?:\(\d{8}\))?\.rom$/,
  ],
  transports: { udp: 0, tcp: 1, tls: 2 },
  resyncEvent: 'check-sync;reboot=false',
  lines: LINES,
  keys: KEYS,
  keyTypes: ['line', 'blf', 'speedDial', 'park', 'voicemail'],
  // A BLF key watches someone and a speed dial dials something; a park key may leave its orbit to
  // the PBX, a voicemail key dials voice_mail.number.<line> [YL-DSS].
  keyNeedsValue: ['blf', 'speedDial'],
  // Dot-separated segments of letters, digits and `_`: no `=`, space, `#`, `:` or `%`, so a raw key
  // can form no second key, comment, include:config or version line [T-TPL, F-TPL, W-86].
  rawKey: /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+$/,
  // static.security.user_password = admin:<password>, "a string within 32 characters" [YL-PW]: at
  // most 26 after `admin:`, printable ASCII without the space (trimmed), the `:` that ends the user
  // name or a `#` a parser might take for a comment.
  adminPassword: {
    alphabet: 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789',
    length: 16,
    pattern: /^[!-"$-9;-~]{1,26}$/,
    describe: "1 to 26 printable ASCII characters, without space, ':' or '#'",
  },

  phone(config, model) {
    return officeValues(config, model.lines ?? LINES, model.keys ?? KEYS);
  },

  directory: directoryXml,

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent);
    if (!m) return null;
    const modelName = (m[1] as string).toLowerCase();
    const model = models.find((x) => x.uaNames?.includes(modelName));
    return {
      modelName: m[1],
      firmware: m[2],
      ...(model ? { model: model.id } : {}),
      ...(m[3] ? { mac: m[3].replaceAll(':', '').toLowerCase() } : {}),
    };
  },

  // The offset and an explicit rule by week (local_time.summer_time = 1), worked out from tzdata;
  // not the phone's own DST table (summer_time = 2), which needs its zone name and ages with the firmware.
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    return {
      offset: zoneOffset(facts.standardOffsetMinutes),
      summerTime: facts.dst ? 1 : 0,
      dstStart: facts.dst ? dstRule(facts.dst.start) : '',
      dstEnd: facts.dst ? dstRule(facts.dst.end) : '',
      dstMinutes: facts.dst ? facts.dst.offsetMinutes - facts.standardOffsetMinutes : 0,
    };
  },
};
