/**
 * Snom 3xx/7xx/8xx and D-series desk phones. XML settings files [W-SN-T]. Sources:
 * src/vendors/facts/snom.md (keys in brackets refer to its source table).
 *
 * A phone whose setting server is a directory asks for `snom<model>.htm`, then
 * `snom<model>-<MAC>.htm` (MAC upper case) [SN-WIKI-SF, W-SN]; both are `<setting-files>` lists of
 * URLs the phone fetches in turn [W-SN-M]. Dialtone's per-MAC list leads to `<MAC>.xml`, which
 * carries the lines, keys and settings (snom-config.ts), then to `<MAC>-tbook.xml`, the company
 * directory. Over plain HTTP the per-MAC files are a bootstrap instead: the Dialtone CA
 * inline, `setting_server` pointing at the HTTPS per-MAC list and a one-minute provisioning poll,
 * no secrets. The full file keeps the HTTPS list as setting server and polls every `resyncMinutes`
 * (daily by default).
 */
import { zoneFacts, type DstRule, type ZoneFacts } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';
import { SNOM_RAW_KEY, snomDirectory, snomFinish, snomPhone } from './snom-config.js';

/**
 * Model tokens as the phone writes them in `snom<model>.htm` and in its `snom<model>-SIP`
 * User-Agent. Current desk phones per Wazo's 10.1.215.13 plugin [W-SN-PLUG]: D140 D150 D335 D385
 * D713 715 D717 D735 D785 D810 D812 D815 D862 D865 D892; D120 and D315 from its earlier 10.1
 * plugins and Tancredi's model scopes [W-SN-PLUG, T-SCOPES]. The D715 and D725 call themselves
 * `715` and `725` (firmware `snom715-<version>-SIP-r.bin`) [W-SN-PLUG]; the D8xx take `.swu`
 * firmware images but the same settings files [W-SN-PLUG, W-SN-T]. Older models are kept.
 * Then the SIP identities and the function keys of the base unit (no expansion module), from the
 * facts' §7.1 table [W-SN-INFO, T-CAP, NV-UI, F-LINES; where they disagree, the lower].
 */
const MODELS: Array<[token: string, name: string, lines: number, keys: number]> = [
  ['300', 'Snom 300', 12, 6], ['320', 'Snom 320', 12, 12], ['360', 'Snom 360', 12, 12], ['370', 'Snom 370', 12, 12],
  ['710', 'Snom 710', 4, 5], ['715', 'Snom D715 (715)', 4, 5], ['720', 'Snom 720', 12, 18], ['725', 'Snom D725 (725)', 12, 18], ['760', 'Snom 760', 12, 16],
  ['820', 'Snom 820', 12, 12], ['821', 'Snom 821', 12, 12], ['870', 'Snom 870', 12, 15],
  ['D120', 'Snom D120', 2, 2], ['D140', 'Snom D140', 2, 2], ['D150', 'Snom D150', 2, 2],
  ['D305', 'Snom D305', 4, 5], ['D315', 'Snom D315', 4, 5], ['D335', 'Snom D335', 12, 32], ['D345', 'Snom D345', 12, 48], ['D375', 'Snom D375', 12, 12], ['D385', 'Snom D385', 12, 48],
  ['D712', 'Snom D712', 4, 5], ['D713', 'Snom D713', 6, 4], ['D717', 'Snom D717', 6, 3], ['D735', 'Snom D735', 12, 32], ['D745', 'Snom D745', 12, 32], ['D765', 'Snom D765', 12, 16], ['D785', 'Snom D785', 12, 24],
  ['D810', 'Snom D810', 12, 4], ['D812', 'Snom D812', 12, 28], ['D815', 'Snom D815', 12, 36], ['D862', 'Snom D862', 8, 28], ['D865', 'Snom D865', 12, 36], ['D892', 'Snom D892', 12, 36],
];

/** Earlier versions listed the D715 and D725 a second time, under tokens they never ask for. */
const FORMER_IDS: Record<string, string[]> = { '715': ['snom-d715'], '725': ['snom-d725'] };

const models: Model[] = MODELS.map(([token, name, lines, keys]) => ({
  id: `snom-${token.toLowerCase()}`,
  name,
  fileKey: token,
  lines,
  keys,
  uaNames: [token.toLowerCase()],
  ...(FORMER_IDS[token] ? { formerIds: FORMER_IDS[token] } : {}),
}));

/** Any model token, for the routine-miss patterns below. */
const TOKENS = MODELS.map(([token]) => token).join('|');

/**
 * Snom `timezone` codes from the phone's option list [SN-LIST, rows in the facts; Tancredi's IANA
 * map gives the same codes for the zones the facts check, T-TZ], each with the IANA zone it was
 * made for. A zone gets the code whose zone means the same today (same standard offset, same DST
 * offset and rules); its own code first. Codes for countries that changed their rules after these
 * lists were written (Mexico, Brazil DST, Russia, Turkey, Chile, Venezuela, Egypt, Iran, Israel,
 * ...) are left out: the phone's built-in rule would be stale. Every zone without a code gets the
 * explicit form (empty `timezone`, `utc_offset` and `dst`) that Wazo wrote for every zone until
 * firmware 10.1.152.12 [W-SN-TZ, SN-WIKI-DST; UNCERTAIN on 10.x firmware].
 */
const CODES: Array<[code: string, zone: string]> = [
  ['USA-10', 'Pacific/Honolulu'], // EPM-TZ, TZ-MIKO (the list's label says "Hawaii-Aleutian")
  ['USA-9', 'America/Anchorage'],
  ['USA-8', 'America/Los_Angeles'],
  ['CAN-8', 'America/Vancouver'],
  ['USA2-7', 'America/Phoenix'], // "MST no DST"
  ['USA-7', 'America/Denver'],
  ['CAN-7', 'America/Edmonton'],
  ['USA-6', 'America/Chicago'],
  ['CAN-6', 'America/Winnipeg'],
  ['USA-5', 'America/New_York'],
  ['CAN-5', 'America/Toronto'],
  ['BHS-5', 'America/Nassau'],
  ['COL-5', 'America/Bogota'],
  ['CAN-4', 'America/Halifax'],
  ['CAN-3.5', 'America/St_Johns'],
  ['ARG-3', 'America/Argentina/Buenos_Aires'],
  ['BRA2-3', 'America/Sao_Paulo'], // "Brazil (no DST)"
  ['GBR-0', 'Europe/London'], // SN-LIST, SN-MAP (TZ-MIKO's GBR+0 conflicts; the phone's list wins)
  ['IRL-0', 'Europe/Dublin'],
  ['PRT-0', 'Europe/Lisbon'],
  ['GER+1', 'Europe/Berlin'],
  ['AUT+1', 'Europe/Vienna'],
  ['BEL+1', 'Europe/Brussels'],
  ['CHE+1', 'Europe/Zurich'],
  ['CZE+1', 'Europe/Prague'],
  ['DNK+1', 'Europe/Copenhagen'],
  ['ESP+1', 'Europe/Madrid'],
  ['FRA+1', 'Europe/Paris'],
  ['HRV+1', 'Europe/Zagreb'],
  ['HUN+1', 'Europe/Budapest'],
  ['ITA+1', 'Europe/Rome'],
  ['LUX+1', 'Europe/Luxembourg'],
  ['NLD+1', 'Europe/Amsterdam'],
  ['NOR+1', 'Europe/Oslo'],
  ['POL+1', 'Europe/Warsaw'],
  ['SVK+1', 'Europe/Bratislava'],
  ['SWE+1', 'Europe/Stockholm'],
  ['FIN+2', 'Europe/Helsinki'],
  ['BGR+2', 'Europe/Sofia'],
  ['EST+2', 'Europe/Tallinn'],
  ['GRC+2', 'Europe/Athens'],
  ['LTU+2', 'Europe/Vilnius'],
  ['LVA+2', 'Europe/Riga'],
  ['ROU+2', 'Europe/Bucharest'],
  ['UAE+4', 'Asia/Dubai'],
  ['PAK+5', 'Asia/Karachi'],
  ['IND+5.5', 'Asia/Kolkata'],
  ['THA+7', 'Asia/Bangkok'],
  ['CHN+8', 'Asia/Shanghai'],
  ['SGP+8', 'Asia/Singapore'],
  ['AUS+8', 'Australia/Perth'],
  ['JPN+9', 'Asia/Tokyo'],
  ['KOR+9', 'Asia/Seoul'],
  ['AUS+9.5', 'Australia/Adelaide'],
  ['AUS2+9.5', 'Australia/Darwin'],
  ['AUS+10', 'Australia/Sydney'], // "Sydney, Melbourne, Canberra"
  ['AUS2+10', 'Australia/Brisbane'],
  ['AUS3+10', 'Australia/Hobart'],
  ['NZL+12', 'Pacific/Auckland'],
];

const rule = (r: DstRule): string => `${r.month}.${r.week}.${r.weekday}.${r.hour}.${r.minute}`;
/** What a zone means to a phone in a given year: offsets and DST rules, nothing else. */
const meaning = (f: ZoneFacts): string =>
  f.dst ? `${f.standardOffsetMinutes}|${f.dst.offsetMinutes}|${rule(f.dst.start)}|${rule(f.dst.end)}` : `${f.standardOffsetMinutes}`;

/** Per year: what each code's zone means → the first code that means it. */
const byMeaning = new Map<number, Map<string, string>>();

function codesFor(year: number): Map<string, string> {
  let map = byMeaning.get(year);
  if (!map) {
    map = new Map();
    for (const [code, z] of CODES) {
      try {
        const m = meaning(zoneFacts(z, year));
        if (!map.has(m)) map.set(m, code);
      } catch {
        // a zone this runtime's tz database does not know: no match through it
      }
    }
    byMeaning.set(year, map);
  }
  return map;
}

/** The Snom code for a zone in `year`: its own, else one that means the same; undefined if none. */
export function snomTimezoneCode(zone: string, facts: ZoneFacts, year: number): string | undefined {
  return CODES.find(([, z]) => z === zone)?.[0] ?? codesFor(year).get(meaning(facts));
}

const two = (n: number): string => String(n).padStart(2, '0');
/** `MM.WW.DD HH:MM:SS`, weekday 1 = Monday … 7 = Sunday, week 5 = last [SN-WIKI-DST]. */
const dstChange = (r: DstRule): string => `${two(r.month)}.${two(r.week)}.${two(r.weekday === 0 ? 7 : r.weekday)} ${two(r.hour)}:${two(r.minute)}:00`;

// "Mozilla/4.0 (compatible; snom320-SIP 8.4.18 1.1.3-s)",
// "Mozilla/4.0 (compatible; snomD785-SIP 10.1.33.33 2010.12-00004-g9ba52f5 000413922D24 SXM:0 UXM:0)" [W-SN],
// "Mozilla/4.0 (compatible; snomD785-SIP 10.1.169.16 2010.12-00001-gd311851f1 (Feb 25 2019 - 14:19:43)
//  00041396D9B4 SXM:0 UXM:0 UXMC:0)" [F-PROV]: the build date brings its own parentheses.
const UA = /\bsnom(\w+)-SIP\s+(\d+(?:\.\d+)+)/;
// Firmware 8.7.5 and later add the MAC, upper case, as a word of its own after the version [W-SN,
// F-PROV]; Dialtone looks for a 12-hex-digit word in the rest of the string.
const UA_MAC = /(?:^|\s)([0-9A-F]{12})(?=[\s)]|$)/;
// Firmware 6.5 and older: "Mozilla/4.0 (compatible; snom lid 3605)": Snom, but no model, no XML [W-SN].
const OLD_UA = /\(compatible; snom lid \d+\)/;

const XML = 'application/xml; charset=utf-8';

export const snom: VendorPack = {
  id: 'snom',
  name: 'Snom',
  models,
  files: [
    // The model's list, asked for first [SN-WIKI-SF]. It names nothing: the phone asks for its
    // own `snom<model>-<MAC>.htm` next by itself [SN-WIKI-SF, W-SN `_PATH_REGEX`], and a
    // `{mac}` URL here would rest on the case the phone writes it in, which no source shows.
    { pattern: 'snom{model}.htm', scope: 'model', template: 'model.htm.hbs', secret: false, format: 'xml', contentType: XML },
    // The phone's list names `<MAC>.xml`; the bootstrap is a `<settings>` document instead: a
    // setting file may hold either [SN-CFG].
    { pattern: 'snom{model}-{MAC}.htm', scope: 'device', template: 'mac.htm.hbs', bootstrapTemplate: 'mac-bootstrap.xml.hbs', format: 'xml', contentType: XML },
    { pattern: '{MAC}.xml', scope: 'device', template: 'mac.xml.hbs', bootstrapTemplate: 'mac-bootstrap.xml.hbs', format: 'xml', contentType: XML },
    // The company directory, a `<tbook>` setting file of its own that the per-MAC list names after
    // the settings [SN-TBOOK, SN-WIKI-SF]: fetched by the same provisioning client, with the same
    // Digest answer (`http_client_user`/`_pass`). `-tbook` rather than `-directory`: no other
    // vendor's name (Polycom's `<mac>-directory.xml`) can be the same for an all-digit MAC.
    { pattern: '{MAC}-tbook.xml', scope: 'device', directory: true, format: 'xml', contentType: XML },
  ],
  // Names a Snom phone asks the server root for when a setting it keeps from an earlier
  // provisioning server says so: `firmware_status` (kept across servers; Dialtone sets none)
  // names `snom<model>-firmware.xml` [SN-WIKI-FW, W-SN], and Wazo's model lists name
  // `snom<model>.xml`, `snom-general.xml`, `gui_lang.xml` and `web_lang.xml` [W-SN-M]. Dialtone's
  // own files lead the phone to none of them.
  routineMisses: [new RegExp(`^snom(?:${TOKENS})(?:-firmware)?\\.xml$`), /^snom-general\.xml$/, /^(?:gui|web)_lang\.xml$/],
  // `user_outbound` takes `;transport=udp|tcp|tls` [W-SN `_SIP_TRANSPORT`, W-SN-T].
  transports: { udp: 'udp', tcp: 'tcp', tls: 'tls' },
  // Re-reads the settings without a reboot [W-SN, AST, F-NTFY].
  resyncEvent: 'check-sync;reboot=false',
  // Every model says its own (MODELS); the smallest current phone's otherwise.
  lines: 2,
  keys: 2,
  // line, dest/blf, speed, orbit and the retrieve key event [SN-FKT, SN-KEYEV].
  keyTypes: ['line', 'blf', 'speedDial', 'park', 'voicemail'],
  // `orbit` names the orbit it parks in and watches: without one there is nothing to write [SN-FKT].
  keyNeedsValue: ['park'],
  rawKey: SNOM_RAW_KEY,
  // Letters and digits, 16 long (the default) suit every Snom admin setting: `http_pass`,
  // `webserver_admin_password` and `admin_mode_password` take letters, digits and signs
  // [SN-ADMINPW], and the phone's password entry switches between digits and letters.

  phone(config, model) {
    return snomPhone(config, model, model.lines ?? this.lines, model.keys ?? this.keys);
  },

  directory: snomDirectory,

  finish: snomFinish,

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent);
    if (!m) return OLD_UA.test(userAgent) ? {} : null;
    const modelName = m[1] as string;
    const model = models.find((x) => x.uaNames?.includes(modelName.toLowerCase()));
    const mac = UA_MAC.exec(userAgent.slice(m.index + m[0].length))?.[1];
    return {
      modelName,
      firmware: m[2],
      ...(model ? { model: model.id } : {}),
      ...(mac ? { mac: mac.toLowerCase() } : {}),
    };
  },

  /**
   * `timezone` is a code from the phone's list (`USA-5`) when one means the same as the zone;
   * otherwise it stays empty and `utc_offset` (seconds, signed) with `dst` (`<seconds saved>
   * <start> <end>`, empty without DST) say it outright [SN-FAQ, SN-WIKI-DST, W-SN-TZ].
   */
  timeZone(zone, now) {
    const year = now.getUTCFullYear();
    const facts = zoneFacts(zone, year);
    const seconds = facts.standardOffsetMinutes * 60;
    return {
      timezone: snomTimezoneCode(zone, facts, year) ?? '',
      utcOffset: `${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}`,
      dst: facts.dst ? `${(facts.dst.offsetMinutes - facts.standardOffsetMinutes) * 60} ${dstChange(facts.dst.start)} ${dstChange(facts.dst.end)}` : '',
    };
  },
};
