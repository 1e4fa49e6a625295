import { formatMac } from '../domain/mac.js';
import type { Device, Employee, PlainCredentials, Site } from '../domain/types.js';
import type { Model, VendorPack } from '../vendors/pack.js';
import { profileKey } from './sealed.js';

export interface ContextInputs {
  pack: VendorPack;
  /** The model a model file names, or the device's model. */
  model: Model;
  /** The MAC a per-device file is for; the device's when not given. */
  mac?: string;
  /** Absent for common and model files, and for files rendered from the request alone. */
  device?: Device;
  employee?: Employee;
  site?: Site;
  /** Present only for full files: the decrypted SIP and provisioning credentials. */
  credentials?: PlainCredentials;
  /** HTTPS base URL the phone is pointed at, with a trailing slash. */
  publicUrl: string;
  /** Where the phone can fetch the Dialtone CA before it trusts it (plain HTTP when available). */
  caUrl: string;
  caPem: string;
  now: Date;
}

/**
 * What templates see, vendor-neutral except `tz` (the pack's own time-zone values). Secrets
 * appear only when `credentials` are given; a bootstrap render simply has none to show.
 */
export function renderContext(i: ContextInputs): Record<string, unknown> {
  const { device, employee, site, credentials } = i;
  const mac = i.mac ?? device?.mac;
  const full = credentials !== undefined;
  const zone = employee?.timeZone ?? site?.timeZone ?? 'UTC';
  // One line on a phone's screen: any run of white space or control characters is one space.
  const displayName = employee ? `${employee.firstName} ${employee.lastName}`.replace(/[\s\p{Cc}]+/gu, ' ').trim() : undefined;
  const line =
    device && employee && site
      ? {
          user: employee.username,
          authName: device.credentials.authName,
          password: credentials?.password,
          displayName,
          label: employee.extension,
          extension: employee.extension,
          phoneNumber: employee.phoneNumber,
          registrar: site.sip.registrar,
          port: site.sip.port ?? (site.sip.transport === 'tls' ? 5061 : 5060),
          transport: site.sip.transport,
          transportValue: i.pack.transports?.[site.sip.transport] ?? site.sip.transport,
          outboundProxy: site.sip.outboundProxy,
          voicemailNumber: site.voicemailNumber,
        }
      : undefined;
  const publicUrl = new URL(i.publicUrl);
  return {
    mac,
    MAC: mac && formatMac(mac, 'upper'),
    model: { id: i.model.id, name: i.model.name, fileKey: i.model.fileKey, sealedProfiles: i.model.sealedProfiles === true },
    label: device?.label,
    full,
    bootstrap: !full,
    line,
    site: site ? { name: site.name, ntpServer: site.ntpServer ?? 'pool.ntp.org' } : { ntpServer: 'pool.ntp.org' },
    tz: i.pack.timeZone(zone, i.now),
    timeZone: zone,
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
