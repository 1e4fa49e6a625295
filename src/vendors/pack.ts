import type { KeyType } from '../domain/types.js';
import { PASSWORD_ALPHABET } from '../domain/credentials.js';
import type { DirectoryEntry, PhoneConfig } from '../domain/phone-config.js';

/**
 * What a vendor pack declares. Data first: models, the files its phones request, how it writes
 * MACs; a little code where data can't say it (User-Agent parsing, time-zone format).
 */

/** How values are escaped for a file: XML, `key = value` lines, or Aastra-style `key: value` text. */
export type Format = 'xml' | 'kv' | 'text';

export interface Model {
  /** Dialtone's model id, unique across vendors, e.g. `yealink-t46s`. */
  id: string;
  /** Human name, e.g. `Yealink T46S`. */
  name: string;
  /** What `{model}` stands for in this model's file names (e.g. Yealink's `000000000066` in y000000000066.cfg). */
  fileKey?: string;
  /** Other spellings of the model in User-Agent strings (e.g. `SIP-T46S`), lower case. */
  uaNames?: string[];
  /**
   * The model cannot trust Dialtone's CA for HTTPS provisioning: it is handed a profile key inside
   * its enrollment window and takes its full file sealed under that key (see FileSpec.sealed).
   */
  sealedProfiles?: boolean;
  /** Ids an earlier version gave this model: devices stored under them keep working. */
  formerIds?: string[];
  /** SIP accounts (lines) the model takes; the pack's `lines` when not given. */
  lines?: number;
  /** Programmable keys of the base unit (no expansion module); the pack's `keys` when not given. */
  keys?: number;
  /** The key types this model can be programmed with, when not the pack's `keyTypes`. */
  keyTypes?: readonly KeyType[];
}

export interface FileSpec {
  /**
   * The name as the phone asks for it. `{mac}` is the MAC in lower case, `{MAC}` in upper case,
   * `{model}` a model's `fileKey`, `{page}` a page number from 1 (paged directory files). Matching
   * is exact: no other case, no other characters. The name
   * is the request path's last segment, or its last two (`pb{mac}/phonebook.xml`) for a phone that
   * appends a fixed name to a folder it is given.
   */
  pattern: string;
  /** `device` files name a MAC; `model` files a model; `common` files neither. */
  scope: 'device' | 'model' | 'common';
  /** Template path under templates/<vendor>/, rendered when the client may receive secrets. Only a directory file has none. */
  template?: string;
  /**
   * Template for clients that may not receive secrets (plain HTTP/TFTP outside the trusted
   * networks): no passwords, points the phone at the HTTPS URL. Without one, the file is a miss
   * for such clients unless `secret` is false.
   */
  bootstrapTemplate?: string;
  /** Whether the full file carries secrets (SIP or provisioning passwords). Default: device files do. */
  secret?: boolean;
  /**
   * The full file is the device's own file sealed under its profile key (src/provision/sealed.ts):
   * it travels on any channel, and a MAC nobody registered gets a decoy of the same size.
   */
  sealed?: boolean;
  /**
   * The full file holds the device's profile key and no other secret: inside the enrollment window
   * it travels on plain channels too, where nothing else could carry the key.
   */
  handsKey?: boolean;
  /** The models whose phones ask for this name, when not every model of the pack does. */
  onlyFor?: (model: Model) => boolean;
  /**
   * The file is the company directory (a device file, so it is served under the configuration's
   * rules): its body comes from the pack's `directory`, not from `template`.
   */
  directory?: true;
  format: Format;
  contentType: string;
}

/** A page of a paged directory: its number, from 1, and the URL of any page of the same device's directory. */
export interface DirectoryPage {
  number: number;
  url(page: number): string;
}

export interface AdminPasswordFormat {
  alphabet: string;
  length: number;
  pattern: RegExp;
  /** What `pattern` takes, for people: `4 to 64 letters and digits`. */
  describe: string;
}

export interface UserAgentFacts {
  /** A model id of this pack, when the string names a model Dialtone knows. */
  model?: string;
  /** The model as the phone wrote it. */
  modelName?: string;
  firmware?: string;
  /** 12 lower-case hex digits, when the phone puts its MAC in the User-Agent. */
  mac?: string;
}

export interface VendorPack {
  id: string;
  name: string;
  models: Model[];
  files: FileSpec[];
  /** Facts from a User-Agent header, or null when the string is not this vendor's. */
  parseUserAgent(userAgent: string): UserAgentFacts | null;
  /** The time-zone values its templates use (`{{tz.*}}`), from an IANA zone, at `now`. */
  timeZone(zone: string, now: Date): Record<string, string | number>;
  /** The SIP NOTIFY Event header value that makes the phone resync. */
  resyncEvent: string;
  /**
   * Names its phones routinely ask for that Dialtone does not serve (firmware images, license and
   * language files). They get the same miss as anything else but do not count toward a ban, so a
   * site full of phones rebooting together behind one address is not mistaken for a prober.
   */
  routineMisses?: RegExp[];
  /** How the vendor writes each SIP transport (templates get it as `line.transportValue`). */
  transports?: Record<'udp' | 'tcp' | 'tls', string | number>;
  /** SIP accounts and programmable keys of a model that does not say. */
  lines: number;
  keys: number;
  /** The key types its phones can be programmed with (Model.keyTypes may narrow it); keys of other types are left out (and reported). */
  keyTypes: readonly KeyType[];
  /** Why key `position` (from 1) of a model cannot be of this type, when some positions only take some types (Grandstream line keys). */
  keyFits?(model: Model, position: number, type: KeyType): string | undefined;
  /** Key types its phones can program only with a value (e.g. a park key that must name the orbit); such keys without one are left out. */
  keyNeedsValue?: readonly KeyType[];
  /**
   * The phone's own web admin password as the vendor takes it: Dialtone generates one per device
   * from `alphabet` and `length`, and refuses a set one that `pattern` does not match. Letters and
   * digits, 16 long, when not given.
   */
  adminPassword?: AdminPasswordFormat;
  /**
   * The longest SIP password its phones take, when shorter than the API's 64: generated ones
   * always fit (20), imported ones longer than this are refused. (Provisioning passwords are at
   * most 20 for every vendor.)
   */
  passwordMax?: number;
  /** What a key of this vendor's settings looks like: `raw` settings whose key does not match are refused. No raw settings without it. */
  rawKey?: RegExp;
  /**
   * Vendor values templates need that the neutral configuration cannot say (key type codes,
   * language names, codec lists): the templates see them as `v`. Strings are escaped for the file's
   * format afterwards, like the rest of the context.
   */
  phone?(config: PhoneConfig, model: Model): Record<string, unknown>;
  /**
   * The body of the pack's directory file (see FileSpec.directory), from the entries it lists.
   * For a spec whose name has `{page}`, one page of it, or null past the last.
   */
  directory?(entries: readonly DirectoryEntry[], page?: DirectoryPage): string | null;
  /**
   * A last pass over a rendered file, for what a template cannot do on its own (e.g. putting raw
   * settings into the section of the file that holds their key). `text` is the file as rendered;
   * `phone` its configuration, unescaped: the pack escapes what it adds with `escape`.
   */
  finish?(text: string, phone: PhoneConfig, file: { spec: FileSpec; full: boolean; escape: (value: string) => string }): string;
}

/** The admin password format of a vendor that does not restrict it (VendorPack.adminPassword). */
export const DEFAULT_ADMIN_PASSWORD: AdminPasswordFormat = {
  alphabet: PASSWORD_ALPHABET,
  length: 16,
  pattern: /^[A-Za-z0-9._~!@#%^*+=-]{4,64}$/,
  describe: '4 to 64 letters, digits or . _ ~ ! @ # % ^ * + = -',
};

export const adminPasswordFormat = (pack: VendorPack | undefined): AdminPasswordFormat => pack?.adminPassword ?? DEFAULT_ADMIN_PASSWORD;


/** A spec's name for one device (and page): what the phone asks for. */
export const nameFor = (pattern: string, mac: string, page = 1): string =>
  pattern.replaceAll('{mac}', mac).replaceAll('{MAC}', mac.toUpperCase()).replaceAll('{page}', String(page));
