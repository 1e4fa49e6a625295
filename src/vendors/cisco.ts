/**
 * Cisco SPA (30x/50x/525, and the Linksys SPA942 they descend from) and Cisco MPP / 3PCC
 * (68xx/78xx/88xx on multiplatform firmware). Both read an XML `<flat-profile>`, one element per
 * parameter, and fetch whatever their `Profile_Rule*` name. Sources: src/vendors/facts/cisco.md.
 *
 * - A factory SPA asks for `spa$PSN.cfg`, `$PSN` being its model with the maker's own case
 *   (`spa508G.cfg`, `spa525G2.cfg`) [W-SPA-E, VERIFIED]; a factory MPP for `$PSN.xml`, `$PSN` being
 *   `<model>-3PCC` (`7841-3PCC.xml`) [MPP-DOC, W-MPP-E, NIX-T, VERIFIED]. The two families spell
 *   their model files differently, so each model's `fileKey` is its whole file name and the model
 *   file pattern is just `{model}`: only names a phone really asks for match.
 * - That model file sends the phone on to the per-device `$MA.xml` (`$MA` = MAC in lower case)
 *   [W-SPA, W-MPP-T, VERIFIED].
 * - HTTPS trust: an SPA accepts only a Cisco-signed provisioning server [SPA-CA, SIPWISE], so the
 *   HTTPS chain below works for MPP (which loads a custom CA from `Custom_CA_Rule`) and SPA models
 *   are left to the encrypted-profile path (facts: "Encrypted profiles").
 * - Enterprise (CUCM) firmware on the same hardware asks for `SEP<MAC>.cnf.xml` and its trust
 *   lists: not served, only kept from counting as probes (`routineMisses`).
 */
import type { KeyType } from '../domain/types.js';
import { formatOffset, zoneFacts, type DstRule } from '../domain/zone.js';
import { ciscoDirectory, ciscoPhone } from './cisco-phone.js';
import type { Model, VendorPack } from './pack.js';

/** SPA `$PSN` values as Wazo writes their common files [W-SPA-E]. */
const SPA = ['301', '303', '501G', '502G', '504G', '508G', '509G', '512G', '514G', '525G', '525G2'];

/**
 * MPP models whose `$PSN.xml` common files Wazo writes [W-MPP-E], plus the other 88xx of Cisco's
 * guide [MPP-DOC] and the 8832, which FusionPBX provisions like them [F-8832] (its `8832-3PCC.xml`
 * follows the same `$PSN` rule: UNCERTAIN). The 8875 and 9800 (PhoneOS) are left out: no source
 * shows the name they ask for.
 */
const MPP = ['6821', '6841', '6851', '6861', '6871', '7811', '7821', '7832', '7841', '7861', '8811', '8832', '8841', '8845', '8851', '8861', '8865'];

/**
 * SIP accounts and programmable line keys of the base unit, by model [facts §7.1: PROV, F, W-SPA-K,
 * W-MPP-K, MPP-XREF]. Models without a line key (SPA301/502G/512G, 7811, 7832, 8832) have none.
 */
const COUNTS: Readonly<Record<string, { lines: number; keys: number }>> = {
  '301': { lines: 1, keys: 0 },
  '303': { lines: 3, keys: 3 },
  '501G': { lines: 8, keys: 8 },
  '502G': { lines: 1, keys: 0 },
  '504G': { lines: 4, keys: 4 },
  '508G': { lines: 8, keys: 8 },
  '509G': { lines: 12, keys: 12 },
  '512G': { lines: 1, keys: 0 },
  '514G': { lines: 4, keys: 4 },
  '525G': { lines: 5, keys: 5 },
  '525G2': { lines: 5, keys: 5 },
  '942': { lines: 4, keys: 4 },
  '6821': { lines: 2, keys: 2 },
  '6841': { lines: 4, keys: 4 },
  '6851': { lines: 4, keys: 4 },
  '6861': { lines: 4, keys: 4 },
  '6871': { lines: 6, keys: 6 },
  '7811': { lines: 1, keys: 0 },
  '7821': { lines: 2, keys: 2 },
  '7832': { lines: 1, keys: 0 },
  '7841': { lines: 4, keys: 4 },
  '7861': { lines: 16, keys: 16 },
  '8811': { lines: 10, keys: 10 },
  '8832': { lines: 1, keys: 0 },
  '8841': { lines: 10, keys: 10 },
  '8845': { lines: 10, keys: 10 },
  '8851': { lines: 10, keys: 10 },
  '8861': { lines: 10, keys: 10 },
  '8865': { lines: 10, keys: 10 },
};
const counts = (psn: string): { lines: number; keys: number } => COUNTS[psn] ?? { lines: 1, keys: 0 };

/**
 * MPP keys: line, BLF, speed dial, park (`fnc=prk`) and voicemail (`fnc=mwi+sd`) [MPP-XREF,
 * MPP-KEM, MPP-VM]. An SPA has no documented park function [W-SPA-K: blf and sd only], so a park
 * key is left out there (and reported); its voicemail key is a speed dial.
 */
const MPP_KEYS: readonly KeyType[] = ['line', 'blf', 'speedDial', 'park', 'voicemail'];
const SPA_KEYS: readonly KeyType[] = ['line', 'blf', 'speedDial', 'voicemail'];

const models: Model[] = [
  // SPAs trust only Cisco-signed certificates for HTTPS provisioning: they take sealed profiles.
  ...SPA.map((psn) => ({ id: `cisco-spa${psn.toLowerCase()}`, name: `Cisco SPA${psn}`, fileKey: `spa${psn}.cfg`, uaNames: [`spa${psn.toLowerCase()}`], sealedProfiles: true, ...counts(psn), keyTypes: SPA_KEYS })),
  // UNCERTAIN: the SPA942's `spa942.cfg` follows the same `spa$PSN.cfg` default rule as the Cisco
  // SPAs [W-SPA groups the Linksys SPA9xx with them]; its exact default was not re-checked.
  { id: 'cisco-spa942', name: 'Linksys SPA942', fileKey: 'spa942.cfg', uaNames: ['spa942'], sealedProfiles: true, ...counts('942'), keyTypes: SPA_KEYS },
  ...MPP.map((n) => ({ id: `cisco-${n}-3pcc`, name: `Cisco ${n} (3PCC)`, fileKey: `${n}-3PCC.xml`, uaNames: [`cp-${n}-3pcc`], ...counts(n) })),
];

/**
 * Cisco's DST rule part `month/day/weekday/h:m:s` [MPP-AG-DST, SPA-AG-DST; W-SPA
 * `_format_dst_change`; VERIFIED]: weekday 1 = Monday … 7 = Sunday; a positive `day` means that
 * weekday on or after the day, so the Nth weekday is day (N-1)*7+1, and -1 the last one of the
 * month. The time is the local wall clock at the change.
 */
const dstRule = (r: DstRule): string => `${r.month}/${r.week === 5 ? -1 : (r.week - 1) * 7 + 1}/${r.weekday === 0 ? 7 : r.weekday}/${r.hour}:${r.minute}:0`;

/** The DST saving as `h:m:s` (Wazo writes `save=1:0:0`). */
const saving = (minutes: number): string => `${Math.floor(minutes / 60)}:${minutes % 60}:0`;

// "Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)": model, firmware, MAC (only when two brackets
// follow; a single one is the serial: "Cisco/SPA525G-7.4.7 (CBT141900G7)"), serial [W-SPA].
const SPA_UA = /^Cisco\/(\w+)-(\S+) (?:\(([\dA-F]{12})\))?\((\w+)\)$/;
// "Linksys/SPA-942-6.1.5(a) (88019FA42805)": the bracket is the serial, never the MAC [W-SPA].
const LINKSYS_UA = /^Linksys\/([\w-]+)-([^\s-]+) \((\w+)\)$/;
// "Cisco-CP-7832-3PCC/11.0.1 (00562b043615)": model, firmware, MAC [W-MPP]. The UA is itself a
// setting (HTTP_User_Agent_Name, default `$VERSION ($MA)`), so the MAC part is optional here.
const MPP_UA = /^Cisco-CP-(\d{4})-3PCC\/(\S+)(?: \(([\dA-Fa-f]{12})\))?$/;

const byUaName = (name: string): Model | undefined => models.find((m) => m.uaNames?.includes(name.toLowerCase()));

export const cisco: VendorPack = {
  id: 'cisco',
  name: 'Cisco SPA / MPP',
  models,
  files: [
    // The model file carries no secret: it installs the Dialtone CA and chains to the device file over HTTPS.
    { pattern: '{model}', scope: 'model', template: 'model.xml.hbs', secret: false, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: '{mac}.xml', scope: 'device', template: 'mac.xml.hbs', bootstrapTemplate: 'mac-bootstrap.xml.hbs', onlyFor: (m) => !m.sealedProfiles, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    // SPA: the profile key (inside the window only), then the device file sealed under it.
    { pattern: '{mac}-key.xml', scope: 'device', template: 'mac-key.xml.hbs', bootstrapTemplate: 'mac-key-bootstrap.xml.hbs', handsKey: true, onlyFor: (m) => m.sealedProfiles === true, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: '{mac}.aes', scope: 'device', template: 'mac.xml.hbs', sealed: true, onlyFor: (m) => m.sealedProfiles === true, format: 'xml', contentType: 'application/octet-stream' },
    // MPP: the company directory, fetched when the user opens it (XML_Directory_Service_URL), over
    // HTTPS with the device's provisioning credentials. No SPA gets one: it could fetch it only in
    // clear (facts §7.3).
    { pattern: '{mac}-dir-{page}.xml', scope: 'device', directory: true, onlyFor: (m) => !m.sealedProfiles, format: 'xml', contentType: 'text/xml; charset=utf-8' },
  ],
  // Enterprise (CUCM) firmware on the same hardware: its trust lists and SEP file, with the MAC in
  // upper case [W-SCCP `_FILENAME_REGEXES`, W-SPA `_SEPFILE_REGEX`/`_CTLSEPFILE_REGEX`].
  routineMisses: [/^(?:CTL|ITL)SEP[0-9A-F]{12}\.tlv$/, /^ITLFile\.tlv$/, /^SEP[0-9A-F]{12}\.cnf\.xml$/],
  // SIP_Transport_1_ takes UDP, TCP or TLS [FS-SPA] (MPP also has AUTO, unused here).
  transports: { udp: 'UDP', tcp: 'TCP', tls: 'TLS' },
  // `resync` is the Sipura-lineage event [AST `[sipura-check-cfg]`, VERIFIED for SPA]. UNCERTAIN for
  // MPP, which FusionPBX and Wazo send `check-sync`; MPP firmware is of the same lineage, and it
  // needs Resync_From_SIP = Yes either way (set in the device file).
  resyncEvent: 'resync',
  // Every model says its own (COUNTS); these hold for a model that would not.
  lines: 1,
  keys: 0,
  keyTypes: MPP_KEYS,
  /**
   * A flat-profile element name: letters, digits, `_`, and `.` or `-` as in `G722.2_Enable_1_` or
   * `Enable_LLDP-MED` [MPP-6800-PGX, F-8851]; not starting with `xml` (reserved in XML). No space,
   * `=`, `<`, `>`, `/` or quote can pass, so a key is one element and nothing more.
   */
  rawKey: /^(?![Xx][Mm][Ll])[A-Za-z][A-Za-z0-9_.-]{0,127}$/,

  phone(config, model) {
    return ciscoPhone(config, model, { lines: model.lines ?? cisco.lines, keys: model.keys ?? cisco.keys });
  },

  directory: ciscoDirectory,

  parseUserAgent(userAgent) {
    const spa = SPA_UA.exec(userAgent);
    if (spa) {
      const model = byUaName(spa[1] as string);
      return { modelName: spa[1], firmware: spa[2], ...(model ? { model: model.id } : {}), ...(spa[3] ? { mac: spa[3].toLowerCase() } : {}) };
    }
    const linksys = LINKSYS_UA.exec(userAgent);
    if (linksys) {
      const model = byUaName((linksys[1] as string).replaceAll('-', ''));
      return { modelName: linksys[1], firmware: linksys[2], ...(model ? { model: model.id } : {}) };
    }
    const mpp = MPP_UA.exec(userAgent);
    if (mpp) {
      const model = byUaName(`cp-${mpp[1]}-3pcc`);
      return { modelName: `CP-${mpp[1]}-3PCC`, firmware: mpp[2], ...(model ? { model: model.id } : {}), ...(mpp[3] ? { mac: mpp[3].toLowerCase() } : {}) };
    }
    return null;
  },

  /**
   * Time_Zone is one of the phone's fixed list (`GMT-12:00` … `GMT`, … `GMT+13:00`; 3PCC adds
   * `GMT+04:30` and `GMT+14:00`), where UTC itself is plain `GMT` [F-SPA-TZ, F-9861-TZ, SPA9000-AG];
   * DST is an explicit rule, the phones knowing no zone names [W-SPA, MPP-AG-DST].
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const dst = facts.dst;
    return {
      offset: facts.standardOffsetMinutes === 0 ? 'GMT' : formatOffset(facts.standardOffsetMinutes, 'gmt'),
      dstEnable: dst ? 'Yes' : 'No',
      dstRule: dst ? `start=${dstRule(dst.start)};end=${dstRule(dst.end)};save=${saving(dst.offsetMinutes - facts.standardOffsetMinutes)}` : '',
    };
  },
};
