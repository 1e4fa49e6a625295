import { formatMac } from '../domain/mac.js';
import type { Model } from '../vendors/pack.js';
import type { PhoneConfig } from '../domain/phone-config.js';
import { buildPhoneConfig, type PhoneInputs } from './phone.js';
import { profileKey } from './sealed.js';

export interface ContextInputs extends PhoneInputs {
  /** The model a model file names, or the device's model. */
  model: Model;
  /** The MAC a per-device file is for; the device's when not given. */
  mac?: string;
  /** Where the phone can fetch the Dialtone CA before it trusts it (plain HTTP when available). */
  caUrl: string;
  caPem: string;
  now: Date;
}

/**
 * What templates see: the phone's configuration (phone.ts) as the vendor-neutral part, `tz` (the
 * pack's own time-zone values) and `v` (the pack's own values, VendorPack.phone). Secrets appear
 * only when `credentials` are given; a bootstrap render simply has none to show.
 */
export function renderContext(i: ContextInputs, phone: PhoneConfig = buildPhoneConfig(i)): Record<string, unknown> {
  const { device, credentials } = i;
  const mac = i.mac ?? device?.mac;
  const full = credentials !== undefined;
  const publicUrl = new URL(i.publicUrl);
  return {
    mac,
    MAC: mac && formatMac(mac, 'upper'),
    model: { id: i.model.id, name: i.model.name, fileKey: i.model.fileKey, sealedProfiles: i.model.sealedProfiles === true },
    label: device?.label,
    full,
    bootstrap: !full,
    /** Line 1, as templates written for one line use it. */
    line: phone.lines[0],
    lines: phone.lines,
    keys: phone.keys,
    settings: phone.settings,
    directory: phone.directory,
    raw: phone.raw,
    v: i.pack.phone?.(phone, i.model),
    site: { ...(i.site ? { name: i.site.name } : {}), ntpServer: phone.settings.ntpServer },
    tz: i.pack.timeZone(phone.timeZone, i.now),
    timeZone: phone.timeZone,
    provisioning: {
      url: i.publicUrl,
      /** The same URL without scheme or trailing slash, for vendors that take the scheme apart (Grandstream). */
      hostPath: i.publicUrl.replace(/^https:\/\//, '').replace(/\/$/, ''),
      /** And in parts, for vendors that want host, port and path apart (Aastra). */
      host: publicUrl.hostname,
      port: Number(publicUrl.port || 443),
      path: publicUrl.pathname,
      caUrl: i.caUrl,
      /** The plain-HTTP base URL (the CA's folder), for files that need no TLS (sealed profiles). */
      plainUrl: new URL('./', i.caUrl).href,
      caPem: i.caPem,
      /** The device's profile key, in the files that hand it out (see src/provision/sealed.ts). */
      profileKey: full ? profileKey(credentials.provisioning.password) : undefined,
      username: full ? credentials.provisioning.username : undefined,
      password: full ? credentials.provisioning.password : undefined,
    },
  };
}
