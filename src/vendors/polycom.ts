/**
 * Polycom / Poly phones on UC Software and its successors (VVX, SoundPoint IP, SoundStation IP,
 * Edge E, CCX). XML files.
 *
 * Boot (facts §1): the phone asks for the master file `<mac>.cfg`, else `000000000000.cfg`: one
 * `<APPLICATION …/>` element naming the firmware (APP_FILE_PATH) and the settings files
 * (CONFIG_FILES, `[PHONE_MAC_ADDRESS]` replaced by the phone's MAC). Then the firmware image, each
 * settings file, the override files `<mac>-phone.cfg` and `<mac>-web.cfg`, the licence and the
 * contact directory `<mac>-directory.xml` (else `000000000000-directory.xml`); it uploads its logs
 * with PUT. Dialtone's CONFIG_FILES names `<mac>-phone.cfg`, so the settings sit where the phone
 * looks for overrides as well, as Asterisk's phoneprov does [AST-PP]. Settings files are XML
 * elements whose attribute names are the dotted parameter names (`reg.1.auth.userId="…"`) [W-TPL].
 * MACs are lower case in file names: every source shows lower case (Wazo's path regex only
 * matches `[\da-f]{12}`); whether a phone ever sends upper case is UNCERTAIN, so it is not matched.
 *
 * Source keys ([W-PC], [W-TPL], [FS-PROV] …) refer to src/vendors/facts/polycom.md.
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';
import { polycomDirectory, polycomValues } from './polycom-phone.js';

/**
 * Model id suffix, human name, the model as the User-Agent writes it (`VVX_400`), and its SIP
 * lines and line keys without expansion modules (facts §9: one line per line key, so that every
 * line has a key to answer on). Edge E and CCX run the same provisioning (master file,
 * `device.*`/`reg.*` keys) as VVX [FS-EDGE, FS-CCX]; their counts are low guesses (UNCERTAIN).
 */
const MODELS: Array<[id: string, name: string, ua: string, lines: number, keys: number]> = [
  // Sold today. UA spellings: Edge_E450 [FS-UA-EDGE] and CCX_500 [FS-UA-CCX] seen; the others by
  // analogy (UNCERTAIN).
  ['edge-e100', 'Poly Edge E100', 'Edge_E100', 2, 2],
  ['edge-e220', 'Poly Edge E220', 'Edge_E220', 4, 4],
  ['edge-e300', 'Poly Edge E300', 'Edge_E300', 8, 8],
  ['edge-e320', 'Poly Edge E320', 'Edge_E320', 8, 8],
  ['edge-e350', 'Poly Edge E350', 'Edge_E350', 8, 8],
  ['edge-e400', 'Poly Edge E400', 'Edge_E400', 16, 16],
  ['edge-e450', 'Poly Edge E450', 'Edge_E450', 16, 16],
  ['edge-e500', 'Poly Edge E500', 'Edge_E500', 24, 24],
  ['edge-e550', 'Poly Edge E550', 'Edge_E550', 24, 24],
  ['ccx-400', 'Poly CCX 400', 'CCX_400', 8, 8],
  ['ccx-500', 'Poly CCX 500', 'CCX_500', 16, 16],
  ['ccx-505', 'Poly CCX 505', 'CCX_505', 16, 16],
  ['ccx-600', 'Poly CCX 600', 'CCX_600', 16, 16],
  ['ccx-700', 'Poly CCX 700', 'CCX_700', 16, 16],
  // VVX and older [W-PC].
  ['vvx-101', 'Polycom VVX 101', 'VVX_101', 1, 2],
  ['vvx-150', 'Polycom VVX 150', 'VVX_150', 2, 2],
  ['vvx-201', 'Polycom VVX 201', 'VVX_201', 2, 2],
  ['vvx-250', 'Polycom VVX 250', 'VVX_250', 4, 4],
  ['vvx-300', 'Polycom VVX 300', 'VVX_300', 6, 6],
  ['vvx-301', 'Polycom VVX 301', 'VVX_301', 6, 6],
  ['vvx-310', 'Polycom VVX 310', 'VVX_310', 6, 6],
  ['vvx-311', 'Polycom VVX 311', 'VVX_311', 6, 6],
  ['vvx-350', 'Polycom VVX 350', 'VVX_350', 6, 6],
  ['vvx-400', 'Polycom VVX 400', 'VVX_400', 12, 12],
  ['vvx-401', 'Polycom VVX 401', 'VVX_401', 12, 12],
  ['vvx-410', 'Polycom VVX 410', 'VVX_410', 12, 12],
  ['vvx-411', 'Polycom VVX 411', 'VVX_411', 12, 12],
  ['vvx-450', 'Polycom VVX 450', 'VVX_450', 12, 12],
  ['vvx-500', 'Polycom VVX 500', 'VVX_500', 12, 12],
  ['vvx-501', 'Polycom VVX 501', 'VVX_501', 12, 12],
  ['vvx-600', 'Polycom VVX 600', 'VVX_600', 16, 16],
  ['vvx-601', 'Polycom VVX 601', 'VVX_601', 16, 16],
  ['vvx-1500', 'Polycom VVX 1500', 'VVX_1500', 6, 6],
  ['spip-321', 'Polycom SoundPoint IP 321', 'SPIP_321', 2, 2],
  ['spip-331', 'Polycom SoundPoint IP 331', 'SPIP_331', 2, 2],
  ['spip-335', 'Polycom SoundPoint IP 335', 'SPIP_335', 2, 2],
  ['spip-450', 'Polycom SoundPoint IP 450', 'SPIP_450', 3, 3],
  ['spip-550', 'Polycom SoundPoint IP 550', 'SPIP_550', 4, 4],
  ['spip-560', 'Polycom SoundPoint IP 560', 'SPIP_560', 4, 4],
  ['spip-650', 'Polycom SoundPoint IP 650', 'SPIP_650', 6, 6],
  ['spip-670', 'Polycom SoundPoint IP 670', 'SPIP_670', 6, 6],
  ['ssip-5000', 'Polycom SoundStation IP 5000', 'SSIP_5000', 1, 0],
  ['ssip-6000', 'Polycom SoundStation IP 6000', 'SSIP_6000', 1, 0],
  ['ssip-7000', 'Polycom SoundStation IP 7000', 'SSIP_7000', 1, 0],
];

const models: Model[] = MODELS.map(([id, name, ua, lines, keys]) => ({
  id: `polycom-${id}`,
  name,
  lines,
  keys,
  // Wazo compares the UA model with the underscore removed (`VVX_400` → `VVX400`) [W-PC]; both match.
  uaNames: [ua.toLowerCase(), ua.toLowerCase().replace('_', '')],
}));

// "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application",
// "FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078" [W-PC]; Poly's newer families write
// "Poly…": "FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application" [FS-UA-EDGE],
// "FileTransport PolyCCX-CCX_500-UA/9.4.1.0508 (SN:64167f9f4c90) Type/Application" [FS-UA-CCX].
// The version is the BootROM/Updater's on early requests and the application's later
// (`Type/Updater` vs `Type/Application`) [W-PC]. With `device.prov.tagSerialNo` = 1 [W-TPL,
// FS-EDGE] the phone writes `(SN:<serial>)` after the version; the serial is the MAC [FS-CA2,
// FS-UA-CCX], the only MAC a Polycom UA carries. The microbrowser writes `Microbrowser/1.1`
// instead of `FileTransport` [FS-CA2].
const UA = /^(?:FileTransport|Microbrowser\/[\d.]+)\s+Poly\w*?-(\w+?)-UA\/(\d+(?:\.\d+)+)(?:\s+\(SN:([0-9a-fA-F]{12})\))?/;

/**
 * One DST change as UC Software writes it [PC-DST, W-PC `_format_dst_change`]: `month` 1-12;
 * `time`, the hour 0-23 of local wall-clock time; `dayOfWeek` 1 = Sunday … 7 = Saturday; `date`,
 * with `fixedDayEnable` = 0, the first day of the week that holds the change ("on or after": 1, 8,
 * 15, 22 for the 1st to 4th such weekday); `lastInMonth` = 1 for "last weekday", when `date` is
 * ignored [PC-DST] and left out (as Wazo does).
 */
function dstChange(rule: DstRule): { month: number; date: number; dayOfWeek: number; lastInMonth: 0 | 1; time: number } {
  // `time` holds whole hours and no minutes. ZoneFacts gives the hour in the time in force before
  // the change, which is how the phone reads it; no zone of today changes at other than :00.
  const last = rule.week >= 5;
  return { month: rule.month, date: last ? 0 : (rule.week - 1) * 7 + 1, dayOfWeek: rule.weekday + 1, lastInMonth: last ? 1 : 0, time: rule.hour };
}

/**
 * Keeps the last of attributes written twice. Every attribute of the settings element sits on a
 * line of its own, `  name="value"`, and no value holds a quote or a line break (they arrive
 * escaped), so a line is one attribute.
 */
function lastWins(text: string): string {
  const lines = text.split('\n');
  const name = (line: string): string | undefined => /^\s+([A-Za-z][\w.-]*)="[^"]*"$/.exec(line)?.[1];
  const last = new Map<string, number>();
  lines.forEach((line, i) => {
    const n = name(line);
    if (n !== undefined) last.set(n, i);
  });
  return lines.filter((line, i) => {
    const n = name(line);
    return n === undefined || last.get(n) === i;
  }).join('\n');
}

export const polycom: VendorPack = {
  id: 'polycom',
  name: 'Polycom',
  models,
  // Names a phone asks for at boot that Dialtone does not serve (facts §1). Each names a Polycom file
  // and nothing else; the last path segment is what is matched.
  routineMisses: [
    // Firmware: APP_FILE_PATH `sip.ld`, asked for as `<part number>.sip.ld` first [FS-LOG, AST-PP];
    // old BootROMs ask for `bootrom.ld` the same way [AST-PP].
    /^(?:\d{4}-\d{5}-\d{3}\.)?(?:sip|bootrom)\.ld$/,
    // Licence files, the phone's own and the all-zero one [W-PC, FS-CA2, FS-LOG].
    /^[0-9a-f]{12}-license\.cfg$/,
    // UI language dictionaries, `SoundPointIPLocalization/<Language>/SoundPointIP-dictionary.xml` [AST-PP],
    // and the web UI's `languages/Website_dictionary_language_<ll>-<cc>.xml` [FS-CA2].
    /^SoundPointIP-dictionary\.xml$/,
    /^Website_dictionary_language_[a-z]{2}-[a-z]{2}\.xml$/,
    // The welcome sound old SoundPoints fetch [AST-PP].
    /^SoundPointIPWelcome\.wav$/,
  ],
  files: [
    // Master files: no secrets, so every client may have them [W-000]. application/xml: the
    // files are XML, and public Polycom provisioning code sends that type [FS-CA2].
    { pattern: '{mac}.cfg', scope: 'device', template: 'mac.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    { pattern: '000000000000.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    // The device's settings, named in the master's CONFIG_FILES, and the name the phone asks for
    // as its override file too [FS-CA2, FS-LOG]; the only file with secrets.
    { pattern: '{mac}-phone.cfg', scope: 'device', template: 'mac-phone.cfg.hbs', bootstrapTemplate: 'mac-phone-bootstrap.cfg.hbs', format: 'xml', contentType: 'application/xml' },
    // The web UI's override file: asked for on every boot [FS-CA2]; served empty.
    { pattern: '{mac}-web.cfg', scope: 'device', template: 'mac-web.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    // The local contact directory, which the phone asks for by itself after its settings [W-PC
    // `_PATH_REGEX`, AST-PP]: the company directory, people's names, so TLS only (facts §11).
    { pattern: '{mac}-directory.xml', scope: 'device', directory: true, format: 'xml', contentType: 'application/xml' },
    // Its fallback, asked for when the phone's own is a miss (directory off, no site, plain HTTP).
    // Anyone may fetch it, so it lists nobody: an empty list that also clears a company list the
    // phone kept from before the directory was turned off (facts §11).
    { pattern: '000000000000-directory.xml', scope: 'common', template: 'common-directory.xml.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
  ],
  // reg.1.server.1.transport values [W-PC `_SIP_TRANSPORT`].
  transports: { udp: 'UDPOnly', tcp: 'TCPOnly', tls: 'TLS' },
  // Asterisk's `[polycom-check-cfg]`, FusionPBX, Provisioner and Wazo all send this [AST, F-NTFY,
  // PV, W-PC]. Whether the phone then reboots or only reloads depends on firmware and on what
  // changed (UNCERTAIN).
  resyncEvent: 'check-sync',
  // Every model says its own lines and keys; a model that did not would get one line and no keys.
  lines: 1,
  keys: 0,
  // Flexible line keys [PC-EM p.37]: registrations, and BLF keys on `attendant.resourceList`, a
  // phone (`normal`) or a park orbit (`automata`) [PC-EM p.24, PC-BLF, W-FK]. A speed dial key
  // points at an entry of the local contact directory, which is the site's company directory and
  // has no place for one phone's numbers; there is no voicemail line key (facts §10).
  keyTypes: ['line', 'blf', 'park'],
  // A resource list entry watches an address: without one, nothing to show.
  keyNeedsValue: ['blf', 'park'],
  // A UC Software parameter name (facts §13): dotted segments of letters, digits, `_` and `-`,
  // starting with a letter, at most 128 characters. No quote, `<`, `>`, `&`, `=`, space or line
  // break: a raw key is one attribute name and nothing more.
  rawKey: /^(?=.{3,128}$)[A-Za-z][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)+$/,

  phone(config, model) {
    return polycomValues(config, model.keys ?? 0);
  },

  directory: polycomDirectory,

  /**
   * Raw settings go last in the settings element (the template writes them there), and XML allows
   * an attribute only once per element: the attribute the template wrote before them goes, so each
   * key is written once, with the raw value (facts §13).
   */
  finish(text, _phone, { spec, full }) {
    return full && spec.pattern === '{mac}-phone.cfg' ? lastWins(text) : text;
  },

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent);
    if (!m) return null;
    const modelName = m[1] as string;
    const model = models.find((x) => x.uaNames?.includes(modelName.toLowerCase()));
    return {
      modelName,
      firmware: m[2] as string,
      ...(model ? { model: model.id } : {}),
      ...(m[3] ? { mac: m[3].toLowerCase() } : {}),
    };
  },

  /**
   * `tcpIpApp.sntp.gmtOffset` is the standard offset in seconds east of UTC, any number of seconds,
   * so +05:45 and -03:30 are said exactly [PC-DST, W-PC `_format_tzinfo`]; DST is `daylightSavings.enable` plus a start and a stop change, always as
   * "Nth/last weekday" rules (`fixedDayEnable` = 0), which is how ZoneFacts states them. UC
   * Software has no setting for the size of the DST shift (it is one hour; Lord Howe's 30 minutes
   * cannot be said).
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const out: Record<string, number> = { gmtOffset: facts.standardOffsetMinutes * 60, dstEnable: facts.dst ? 1 : 0, fixedDayEnable: 0 };
    if (facts.dst) {
      for (const [prefix, rule] of [['start', facts.dst.start], ['stop', facts.dst.end]] as const) {
        const c = dstChange(rule);
        out[`${prefix}Month`] = c.month;
        out[`${prefix}Date`] = c.date;
        out[`${prefix}DayOfWeek`] = c.dayOfWeek;
        out[`${prefix}LastInMonth`] = c.lastInMonth;
        out[`${prefix}Time`] = c.time;
      }
    }
    return out;
  },
};
