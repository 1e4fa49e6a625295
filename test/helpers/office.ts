/**
 * An office's phone, as each vendor's office test replays it (issue 14): a device with three
 * lines, a BLF key, a speed dial and the company directory, raw settings at every scope. The
 * vendor's case says how its phone reads its files (with real parsers); `replayOffice` drives
 * the real server through the admin API and checks what the phone would get.
 */
import type { Test } from 'tap';
import type { KeyType } from '../../src/domain/types.js';
import type { VendorCase } from './boot.js';

/** One line as the phone reads it from its full files. */
export interface OfficeLine {
  /** 1..N, as the phone numbers its accounts. */
  index: number;
  user?: string;
  authName?: string;
  password?: string;
  registrar?: string;
  /** What the phone shows for the line (its label, or display name where the vendor has no label). */
  label?: string;
}

/** One programmable key as the phone reads it, in the vendor's terms mapped back to Dialtone's. */
export interface OfficeKey {
  type: KeyType;
  value?: string;
  label?: string;
}

/** What the phone makes of its full files. */
export interface OfficeFacts {
  /** Every configured line, by index. */
  lines: OfficeLine[];
  /** The programmable keys, in the order of their positions (empty positions left out). */
  keys: OfficeKey[];
  /** The directory URL the configuration points the phone at, as the phone would request it. */
  directoryUrl?: string;
  /** A raw setting as the phone reads it (the last one wins where a key is written twice). */
  raw(key: string): string | undefined;
}

/** One person of the company directory as the phone reads it. */
export interface OfficeEntry {
  /** First and last name as the phone shows them, joined by one space. */
  name: string;
  extension: string;
  phoneNumber?: string;
}

export interface OfficeCase {
  /**
   * The boot to replay (test/helpers/cases/<vendor>.ts): a current model with at least 3 lines
   * and 6 programmable keys. Its `deviceFiles` are the files `read` gets.
   */
  boot: VendorCase;
  /** The name the phone asks for its directory, with the case's MAC, as `directoryUrl` ends. */
  directoryFile: string;
  /** Reads the configuration from the full device files (name → text). XML with a real parser. */
  read(t: Test, files: Record<string, string>): OfficeFacts;
  /** Reads the directory file. */
  readDirectory(t: Test, text: string): OfficeEntry[];
  /**
   * A raw key of this vendor that lands in a device file, for the test of scopes: its value is
   * set to `global`, `site`, `model` and `device` at each scope in turn.
   */
  rawKey: string;
  /**
   * The keys the phone should read when the device has lines 1-3 and the employee's keys are a
   * BLF on 1002 labelled `Bob`, a speed dial to +15551234567 labelled `Pizza` and a park key on
   * 700: by default the three line keys, the BLF and the speed dial, and the park key when the
   * vendor has one. A vendor that cannot say it that way says what it does instead.
   */
  expectedKeys?: OfficeKey[];
}
