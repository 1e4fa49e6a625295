/**
 * Grandstream GXP16xx/17xx/21xx and GRP261x desk phones. XML `<gs_provision>` files of P-values
 * [W-GS-T]. Sources: src/vendors/facts/grandstream.md.
 *
 * On boot a phone asks for `cfg<mac>` (legacy binary), then `cfg<mac>.xml`; only when that fails,
 * `cfg<model>.xml`, then `cfg.xml` (MAC and model lower case) [W-GS, GRP-NOTES; GXP21xx guide].
 * `cfg<mac>` is deliberately not served: it is Grandstream's proprietary binary format, made by
 * their own generator, and no text template can produce it. It is a miss like any other (404),
 * and the phone goes on to `cfg<mac>.xml`, which carries everything. The model and common files
 * carry no secrets and only point a phone Dialtone does not know at the HTTPS service.
 */
import { zoneFacts, type DstRule, type ZoneFacts } from '../domain/zone.js';
import type { Model, VendorPack } from './pack.js';

/** Models whose account-1 P-values match the official GXP21xx/GXP17xx/GRP261x templates [GS-2130, GS-17XX]. */
const MODELS = [
  'GXP1610', 'GXP1615', 'GXP1620', 'GXP1625', 'GXP1628', 'GXP1630',
  'GXP1760', 'GXP1780', 'GXP1782',
  'GXP2130', 'GXP2135', 'GXP2140', 'GXP2160', 'GXP2170',
  'GRP2612', 'GRP2612P', 'GRP2612W', 'GRP2613', 'GRP2614', 'GRP2615', 'GRP2616',
];

const models: Model[] = MODELS.map((name) => ({
  id: `grandstream-${name.toLowerCase()}`,
  name: `Grandstream ${name}`,
  // `cfg<model>.xml` names the model in lower case: cfggrp2612w.xml [GRP-NOTES].
  fileKey: name.toLowerCase(),
  uaNames: [name.toLowerCase()],
}));

/** A DST transition as POSIX writes it, hour always shown: `M3.2.0/2:00`. */
const posixRule = (r: DstRule): string => `M${r.month}.${r.week}.${r.weekday}/${r.hour}:${String(r.minute).padStart(2, '0')}`;

/** What a zone means to a phone: standard offset, and DST offset and rules if any. */
const meaning = (f: Pick<ZoneFacts, 'standardOffsetMinutes' | 'dst'>): string =>
  f.dst ? `${f.standardOffsetMinutes}|${f.dst.offsetMinutes}|${posixRule(f.dst.start)}|${posixRule(f.dst.end)}` : `${f.standardOffsetMinutes}`;

const US = (std: number): string => `${std}|${std + 60}|M3.2.0/2:00|M11.1.0/2:00`;

/**
 * P64 values from Grandstream's own time-zone list [GS-17XX, cross-checked with EPM-TZ; all
 * VERIFIED], keyed by what they mean. Sydney's list entry keeps the pre-2008 rule, so it is left
 * out: Sydney, like every zone not listed, is sent as `customize` + P246.
 */
const LISTED = new Map<string, string>([
  [US(-300), 'EST5EDT'],
  [US(-360), 'CST6CDT'],
  [US(-420), 'MST7MDT'],
  ['-420', 'MST7'],
  [US(-480), 'PST8PDT'],
  [US(-540), 'AKST9AKDT'],
  ['-600', 'HAW10'],
  ['0|60|M3.5.0/1:00|M10.5.0/2:00', 'GMT+0BST-1,M3.5.0/01:00:00,M10.5.0/02:00:00'],
  ['60|120|M3.5.0/2:00|M10.5.0/3:00', 'CET-1CEST-2,M3.5.0/02:00:00,M10.5.0/03:00:00'],
  ['330', 'TZT-5:30'],
]);

// "Grandstream Model HW GXP2135 SW 1.0.7.97 DevId 000b828aa872", "… HW GXV3350  V1.3A SW …" [W-GS]
const UA = /^Grandstream Model HW (\w+)(?:\s+V\S+)?\s+SW (\S+)\s+DevId (\S+)/;
// Legacy: "Grandstream GXP2000 (gxp2000e.bin:1.2.5.3/boot55e.bin:1.1.6.9) DevId 000b822726c8" [W-GS]
const LEGACY_UA = /^Grandstream (GXP2000) .*:([^ ]+)\) DevId (\S+)/;

export const grandstream: VendorPack = {
  id: 'grandstream',
  name: 'Grandstream',
  models,
  files: [
    { pattern: 'cfg{mac}.xml', scope: 'device', template: 'cfg-mac.xml.hbs', bootstrapTemplate: 'cfg-mac-bootstrap.xml.hbs', format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: 'cfg{model}.xml', scope: 'model', template: 'cfg-fallback.xml.hbs', secret: false, format: 'xml', contentType: 'text/xml; charset=utf-8' },
    { pattern: 'cfg.xml', scope: 'common', template: 'cfg-fallback.xml.hbs', secret: false, format: 'xml', contentType: 'text/xml; charset=utf-8' },
  ],
  // P130: 0 UDP, 1 TCP, 2 TLS/TCP [GS-2130].
  transports: { udp: 0, tcp: 1, tls: 2 },
  // `resync` provisions without a reboot; `check-sync` may reboot [F-NTFY, F-PR: VERIFIED].
  resyncEvent: 'resync',

  parseUserAgent(userAgent) {
    const m = UA.exec(userAgent) ?? LEGACY_UA.exec(userAgent);
    if (!m) return null;
    const modelName = m[1] as string;
    const devId = (m[3] as string).toLowerCase();
    const model = models.find((x) => x.uaNames?.includes(modelName.toLowerCase()));
    return {
      modelName,
      firmware: m[2],
      ...(model ? { model: model.id } : {}),
      // DevId is the MAC in lower-case hex [W-GS]; anything else is left out.
      ...(/^[0-9a-f]{12}$/.test(devId) ? { mac: devId } : {}),
    };
  },

  /**
   * P64 takes a value from the phone's own list, or `customize` with the POSIX TZ string in P246
   * [GS-17XX]. UNCERTAIN: whether every firmware takes any POSIX string in P246 (Grandstream's
   * example is `MTZ+6MDT+5,M4.1.0,M11.1.0`).
   */
  timeZone(zone, now) {
    const facts = zoneFacts(zone, now.getUTCFullYear());
    const listed = LISTED.get(meaning(facts));
    return { p64: listed ?? 'customize', p246: listed ? '' : facts.posix };
  },
};
