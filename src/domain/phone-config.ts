/**
 * The vendor-neutral phone configuration: what one device's phone should be. Built from the
 * records by provision/phone.ts; vendor packs map it to their files (VendorPack.phone,
 * VendorPack.directory). Types only, so that packs can name it without importing provisioning.
 */
import type { Codec, Key, KeyType, Transport } from './types.js';

export interface PhoneLine {
  /** 1..N. */
  index: number;
  employeeId: string;
  user: string;
  authName: string;
  /** Only in full files. */
  password?: string;
  displayName: string;
  label: string;
  extension: string;
  phoneNumber?: string;
  registrar: string;
  port: number;
  transport: Transport;
  /** The transport as the vendor writes it (VendorPack.transports). */
  transportValue: string | number;
  outboundProxy?: string;
  voicemailNumber?: string;
}

export interface PhoneKey {
  /** Position among the model's programmable keys, 1..K. */
  index: number;
  type: KeyType;
  value?: string;
  label?: string;
  /** The line the key belongs to: its own number for a `line` key, 1 otherwise. */
  line: number;
}

/** A key the phone does not get, and why. `position` is its place in the merged list, from 1. */
export interface LeftOutKey {
  position: number;
  key: Key;
  reason: string;
}

export interface PhoneSettings {
  language?: string;
  toneCountry?: string;
  resyncMinutes: number;
  ntpServer: string;
  vlan?: number;
  syslog?: { host: string; port: number };
  codecs?: Codec[];
  registerExpiry?: number;
  /** Only in full files. */
  adminPassword?: string;
}

export interface PhoneConfig {
  lines: PhoneLine[];
  keys: PhoneKey[];
  leftOut: LeftOutKey[];
  settings: PhoneSettings;
  /** IANA zone of line 1's employee (their site's when they have none), UTC without a line. */
  timeZone: string;
  /** Where the phone fetches its directory, when its pack has one and it is not turned off. */
  directory?: { url: string };
  /** This vendor's raw settings, nearest scope winning key by key. */
  raw: Array<{ key: string; value: string }>;
}

/** One person in the company directory. */
export interface DirectoryEntry {
  firstName: string;
  lastName: string;
  /** First and last name, on one line. */
  name: string;
  extension: string;
  phoneNumber?: string;
}
