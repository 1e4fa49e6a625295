/**
 * Aastra 67xxi/9143i/9480i, Mitel 68xxi and Mitel 6900 (SIP firmware). Text files of
 * `key: value` lines, `#` comments [F-AA, MT-6800]. Sources: src/vendors/facts/aastra.md.
 *
 * A phone asks for `security.tuz`, then the shared file, `<model>.cfg` and `<MAC>.cfg` (upper
 * case), then licence files and its firmware `<model>.st` [LOG-6869]; each later .cfg overrides
 * the earlier ones [MT-6800, AA-PREC]. The shared file is `aastra.cfg` before firmware 4.0 SP1
 * and `startup.cfg` since [MT-6800 4.2.0 SP2, MONDAGO]; both are served. The shared files carry
 * no secrets; `<MAC>.cfg` carries the line and the HTTP Digest credentials, or over plain HTTP a
 * bootstrap without them. Every served file names the HTTPS server, the Dialtone CA for HTTPS
 * and a daily re-check, so the phone comes back over HTTPS at its next re-check by itself.
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import { directoryText, keyTotal, phoneValues, type KeyBanks } from './aastra-phone.js';
import type { Model, VendorPack } from './pack.js';

/**
 * Models as Wazo knows them [W-AA `_MODELS`, W-AA-820 `MODEL_VERSIONS`]; the name is `<model>` in
 * `<model>.cfg` and `<model>.st` and the model in the User-Agent [MT-6800, LOG-6869, W-AA].
 * The 6869i, 6873i and the 6900 series shipped as Mitel; the rest are listed as Aastra.
 * Lines [W-AA-CAP, AA-LINES] and the base unit's programmable keys by bank [W-AA `_MODELS`,
 * MT-KEYS]: facts sections 8 and 9. The 68xxi bottom softkeys are left out: they take no BLF and
 * no line [W-AA-FK, MCS-6900].
 */
const MODELS: Array<[brand: 'aastra' | 'mitel', model: string, lines: number, keys: KeyBanks]> = [
  ['aastra', '6730i', 6, { prgkey: 8 }],
  ['aastra', '6731i', 6, { prgkey: 8 }],
  ['aastra', '6735i', 9, { prgkey: 6, softkey: 20 }],
  ['aastra', '6737i', 9, { topsoftkey: 10, softkey: 20 }],
  ['aastra', '6739i', 9, { softkey: 55 }],
  ['aastra', '6753i', 9, { prgkey: 6 }],
  ['aastra', '6755i', 9, { prgkey: 6, softkey: 20 }],
  ['aastra', '6757i', 9, { topsoftkey: 10, softkey: 20 }],
  ['aastra', '6863i', 2, { prgkey: 3 }],
  ['aastra', '6865i', 24, { prgkey: 8 }],
  ['aastra', '6867i', 24, { topsoftkey: 20 }],
  ['mitel', '6869i', 24, { topsoftkey: 44 }],
  ['mitel', '6873i', 24, { topsoftkey: 48 }],
  ['aastra', '9143i', 9, { prgkey: 7 }],
  ['aastra', '9480i', 9, { softkey: 6 }],
  // Mitel 6900 series, sold today [W-AA-820]: no `i`, Wi-Fi variants end in `w`.
  ['mitel', '6905', 2, { prgkey: 3 }],
  ['mitel', '6910', 2, { prgkey: 8 }],
  ['mitel', '6915', 24, { topsoftkey: 10 }],
  ['mitel', '6920', 24, { topsoftkey: 10 }],
  ['mitel', '6920w', 24, { topsoftkey: 10 }],
  ['mitel', '6930', 24, { topsoftkey: 22 }],
  ['mitel', '6930w', 24, { topsoftkey: 22 }],
  ['mitel', '6940', 24, { topsoftkey: 24 }],
  ['mitel', '6940w', 24, { topsoftkey: 24 }],
  // A conference phone: no programmable keys [W-AA-CAP `function_keys: 0`].
  ['mitel', '6970', 24, {}],
];

/**
 * Older firmware names the 675xi by its short name in the User-Agent: `57i` → 6757i [W-AA
 * `_UA_MODELS_MAP`]. Firmware 2.x asks for `aastra.cfg` and `<MAC>.cfg` only, no model file
 * [AA-PREC-2]; from 3.x on the model file has the long name [AA-PREC].
 */
const SHORT_NAMES: Record<string, string> = { '6753i': '53i', '6755i': '55i', '6757i': '57i' };

const models: Model[] = MODELS.map(([brand, model, lines, keys]) => ({
  id: `${brand}-${model}`,
  name: `${brand === 'mitel' ? 'Mitel' : 'Aastra'} ${model}`,
  fileKey: model,
  uaNames: [model, ...(SHORT_NAMES[model] ? [SHORT_NAMES[model]] : [])],
  lines,
  keys: keyTotal(keys),
}));

/** Each model's key banks, by model id. */
const BANKS = new Map(MODELS.map(([brand, model, , keys]) => [`${brand}-${model}`, keys]));

const MODEL_NAMES = MODELS.map(([, model]) => model).join('|');

/**
 * Names of the real boot that Dialtone does not serve [LOG-6869 unless said]: the key file for
 * encrypted `.tuz` configuration (asked first, always), licence files, the firmware image, the
 * encrypted twins of the .cfg files [MT-6800, AA-PREC], and language files, which a phone asks
 * for when a `language N:` key names them [W-AA `_LOCALE`: lang_fr.txt, lang_fr_ca.txt ...].
 */
const ROUTINE_MISSES: RegExp[] = [
  /^security\.tuz$/,
  /^(?:aastra|startup)\.tuz$/,
  /^startup\.lic$/,
  /^[0-9A-F]{12}\.(?:tuz|lic)$/,
  new RegExp(`^(?:${MODEL_NAMES})\\.(?:st|tuz)$`),
  /^lang_[a-z]{2}(?:_[a-z]{2})?\.txt$/,
];

/**
 * DST start or end, relative form [AA-TZ, W-AA `_format_dst_change`]: week 1-5 counts the
 * day's occurrences in the month and −1 is its last; day 1 = Sunday … 7 = Saturday; the hour in
 * the time in force before the change, 0-23.
 */
const change = (r: DstRule) => ({
  month: r.month,
  week: r.week === 5 ? -1 : r.week,
  day: r.weekday + 1,
  hour: Math.min(r.hour, 23),
});

// "Aastra6731i MAC:00-08-5D-23-74-29 V:3.2.0.70-SIP", "Mitel6930 MAC:14-00-E9-1E-DB-52 V:6.4.0.140-SIP" [W-AA].
const UA = /^(Aastra|Mitel)(\w+) MAC:((?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}) V:(\S+)-SIP$/;

const TEXT = 'text/plain; charset=utf-8';

/** One word of a setting's key: `sip`, `line1`, `out-of-band`, or a bracketed `[start|end]`. */
const WORD = String.raw`(?:[a-z0-9]+(?:[-._][a-z0-9]+)*|\[[a-z0-9]+(?:\|[a-z0-9]+)*\])`;
const RAW_KEY = new RegExp(`^${WORD}(?: ${WORD})*$`);

export const aastra: VendorPack = {
  id: 'aastra',
  name: 'Aastra / Mitel',
  models,
  files: [
    { pattern: 'aastra.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: 'startup.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: '{model}.cfg', scope: 'model', template: 'model.cfg.hbs', secret: false, format: 'text', contentType: TEXT },
    { pattern: '{MAC}.cfg', scope: 'device', template: 'mac.cfg.hbs', bootstrapTemplate: 'mac-bootstrap.cfg.hbs', format: 'text', contentType: TEXT },
    // The company directory, named by `directory 1` in <MAC>.cfg and read at boot [AA-DIR]. People's
    // names: a device file, over TLS only.
    { pattern: '{MAC}-directory.csv', scope: 'device', directory: true, format: 'text', contentType: 'text/csv; charset=utf-8' },
  ],
  routineMisses: ROUTINE_MISSES,
  // `sip transport protocol`: 1 UDP, 2 TCP, 4 TLS [W-AA `_SIP_TRANSPORT`; F-AA and LOG-6869 agree].
  transports: { udp: 1, tcp: 2, tls: 4 },
  // [AST `[aastra-check-cfg]`, W-AA]. The phone reboots to apply changed files [AA-RESYNC].
  resyncEvent: 'check-sync',
  // Every model says its own (MODELS); these are for one that would not.
  lines: 1,
  keys: 0,
  keyTypes: ['line', 'blf', 'speedDial', 'park', 'voicemail'],
  // A BLF watches, a speed dial dials and a park key parks on something: without it the key does nothing.
  keyNeedsValue: ['blf', 'speedDial', 'park'],
  // `admin password` is numeric only, 0-4294967295; letters make the phone keep 22222 [AA-PW].
  passwordMax: 20, // four Aastra guide editions (facts/aastra.md: the sip line password)
  adminPassword: { alphabet: '0123456789', length: 9, pattern: /^[0-9]{1,9}$/, describe: 'digits only, at most 9 (the phone takes a number up to 4294967295)' },
  /**
   * A setting's key (RAW_KEY): lower-case words of letters and digits (joined inside a word by `-`, `.` or
   * `_`, or a bracketed `[a|b]` group as in `dst [start|end] relative date`), separated by single
   * spaces [facts section 12]. No `:` (which ends the key), `#` (a comment), leading `!` or `^`
   * (lock and reset markers [AA-LOCK]), quotes or line breaks.
   */
  rawKey: RAW_KEY,

  phone(config, model) {
    return phoneValues(config, BANKS.get(model.id) ?? {});
  },

  directory(entries) {
    return directoryText(entries);
  },

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
   * Always `time zone name: Custom` with `time zone minutes` west of UTC (UTC−5 → 300, UTC+5:45
   * → −345), the vendor's own way to spell any zone [AA-TZ] and the way Wazo writes every zone
   * [W-AA]; the named table lacks India, Nepal and Adelaide (facts §5). DST: `dst config` 0
   * without DST, else 3 with the rule in the `dst start|end` keys, relative
   * (`dst [start|end] relative date: 1`) [AA-TZ, W-AA `_format_tzinfo`].
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
