/**
 * Polycom / Poly phones on UC Software (VVX, SoundPoint IP, SoundStation IP). XML files.
 *
 * Boot (facts §1, vendors.json): the phone asks for the master file `<mac>.cfg`, else
 * `000000000000.cfg`: one `<APPLICATION …/>` element whose CONFIG_FILES lists the settings files
 * (`[PHONE_MAC_ADDRESS]` is replaced by the phone's MAC), then `<mac>-phone.cfg`, `<mac>-web.cfg`
 * and `<mac>-directory.xml` (else `000000000000-directory.xml`). Settings files are XML elements
 * whose attribute names are the dotted parameter names (`reg.1.auth.userId="…"`) [W-TPL].
 * MACs are lower case in file names: every source shows lower case (Wazo's path regex only
 * matches `[\da-f]{12}`); whether a phone ever sends upper case is UNCERTAIN, so it is not matched.
 *
 * Source keys ([W-PC], [W-TPL], [FS-PROV] …) refer to src/vendors/facts/polycom.md.
 */
import { zoneFacts, type DstRule } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

/** Model id suffix, human name, and the model as the User-Agent writes it (`VVX_400`). */
const MODELS: Array<[id: string, name: string, ua: string]> = [
  ['vvx-101', 'VVX 101', 'VVX_101'],
  ['vvx-150', 'VVX 150', 'VVX_150'],
  ['vvx-201', 'VVX 201', 'VVX_201'],
  ['vvx-250', 'VVX 250', 'VVX_250'],
  ['vvx-300', 'VVX 300', 'VVX_300'],
  ['vvx-301', 'VVX 301', 'VVX_301'],
  ['vvx-310', 'VVX 310', 'VVX_310'],
  ['vvx-311', 'VVX 311', 'VVX_311'],
  ['vvx-350', 'VVX 350', 'VVX_350'],
  ['vvx-400', 'VVX 400', 'VVX_400'],
  ['vvx-401', 'VVX 401', 'VVX_401'],
  ['vvx-410', 'VVX 410', 'VVX_410'],
  ['vvx-411', 'VVX 411', 'VVX_411'],
  ['vvx-450', 'VVX 450', 'VVX_450'],
  ['vvx-500', 'VVX 500', 'VVX_500'],
  ['vvx-501', 'VVX 501', 'VVX_501'],
  ['vvx-600', 'VVX 600', 'VVX_600'],
  ['vvx-601', 'VVX 601', 'VVX_601'],
  ['vvx-1500', 'VVX 1500', 'VVX_1500'],
  ['spip-321', 'SoundPoint IP 321', 'SPIP_321'],
  ['spip-331', 'SoundPoint IP 331', 'SPIP_331'],
  ['spip-335', 'SoundPoint IP 335', 'SPIP_335'],
  ['spip-450', 'SoundPoint IP 450', 'SPIP_450'],
  ['spip-550', 'SoundPoint IP 550', 'SPIP_550'],
  ['spip-560', 'SoundPoint IP 560', 'SPIP_560'],
  ['spip-650', 'SoundPoint IP 650', 'SPIP_650'],
  ['spip-670', 'SoundPoint IP 670', 'SPIP_670'],
  ['ssip-5000', 'SoundStation IP 5000', 'SSIP_5000'],
  ['ssip-6000', 'SoundStation IP 6000', 'SSIP_6000'],
  ['ssip-7000', 'SoundStation IP 7000', 'SSIP_7000'],
];

const models: Model[] = MODELS.map(([id, name, ua]) => ({
  id: `polycom-${id}`,
  name: `Polycom ${name}`,
  // Wazo compares the UA model with the underscore removed (`VVX_400` → `VVX400`) [W-PC]; both match.
  uaNames: [ua.toLowerCase(), ua.toLowerCase().replace('_', '')],
}));

// "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application",
// "FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078" [W-PC]; the version is the
// BootROM/Updater's on early requests and the application's later (`Type/Updater` vs
// `Type/Application` on newer firmware) [W-PC]. Firmware 4.x also writes `(SN:<mac>)` after the
// version (a SoundPoint's serial number is its MAC; seen in public PHP provisioning code [FS-CA2]
// alongside requests for that MAC's files), which is the only MAC a Polycom UA carries. The
// microbrowser writes `Microbrowser/1.1` instead of `FileTransport` [FS-CA2].
const UA = /^(?:FileTransport|Microbrowser\/[\d.]+)\s+Polycom\w+?-(\w+?)-UA\/(\d+(?:\.\d+)+)(?:\s+\(SN:([0-9a-fA-F]{12})\))?/;

/**
 * One DST change as UC Software writes it [W-PC `_format_dst_change`]: `month`; `time`, a whole
 * hour of local wall-clock time; `dayOfWeek`, 1 = Sunday … 7 = Saturday (a public US template has
 * `dayOfWeek="1"` for the Sunday rule; Wazo passes its number through — the numbering is
 * UNCERTAIN beyond Sunday = 1); `date`, for "Nth weekday" rules the first day of the Nth week,
 * `(N-1)*7+1` (1, 8, 15, 22); `lastInMonth` = 1 for "last weekday", when Wazo leaves `date` out.
 */
function dstChange(rule: DstRule): { month: number; date: number; dayOfWeek: number; lastInMonth: 0 | 1; time: number } {
  // `time` holds whole hours and no minutes; ZoneFacts reads the year's actual transitions, so the
  // hour is 0-23, and no zone in use today changes at other than :00.
  const last = rule.week >= 5;
  return { month: rule.month, date: last ? 0 : (rule.week - 1) * 7 + 1, dayOfWeek: rule.weekday + 1, lastInMonth: last ? 1 : 0, time: rule.hour };
}

export const polycom: VendorPack = {
  id: 'polycom',
  name: 'Polycom',
  models,
  // Firmware (APP_FILE_PATH, e.g. sip.ld), license and language files: asked for at every boot.
  routineMisses: [/\.ld$/, /^(?:[0-9a-f]{12}|000000000000)-license\.cfg$/, /^SoundPointIPLocalization/, /\.(?:jpg|bmp|wav)$/],
  files: [
    // Master files: no secrets, so every client may have them [W-000]. application/xml: the
    // files are XML, and public Polycom provisioning code sends that type [FS-CA2].
    { pattern: '{mac}.cfg', scope: 'device', template: 'mac.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    { pattern: '000000000000.cfg', scope: 'common', template: 'common.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    // The device's settings, named in the master's CONFIG_FILES; the only file with secrets.
    { pattern: '{mac}-phone.cfg', scope: 'device', template: 'mac-phone.cfg.hbs', bootstrapTemplate: 'mac-phone-bootstrap.cfg.hbs', format: 'xml', contentType: 'application/xml' },
    // The web UI's override file: asked for on every boot; served empty.
    { pattern: '{mac}-web.cfg', scope: 'device', template: 'mac-web.cfg.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    // The local contact directory [W-PC `_PATH_REGEX`], with the all-zero fallback.
    { pattern: '{mac}-directory.xml', scope: 'device', template: 'mac-directory.xml.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
    { pattern: '000000000000-directory.xml', scope: 'common', template: 'common-directory.xml.hbs', secret: false, format: 'xml', contentType: 'application/xml' },
  ],
  // reg.1.server.1.transport values [W-PC `_SIP_TRANSPORT`].
  transports: { udp: 'UDPOnly', tcp: 'TCPOnly', tls: 'TLS' },
  // Asterisk's `[polycom-check-cfg]`, FusionPBX, Provisioner and Wazo all send this [AST, F-NTFY,
  // PV, W-PC]. Whether the phone then reboots or only reloads depends on firmware and on what
  // changed (UNCERTAIN).
  resyncEvent: 'check-sync',

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
   * `tcpIpApp.sntp.gmtOffset` is the standard offset in seconds east of UTC [W-PC `_format_tzinfo`,
   * vendors.json]; DST is `daylightSavings.enable` plus a start and a stop change, always as
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
