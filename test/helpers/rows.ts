/** Import rows for tests and the import benchmark: an office of `n` people, each with a phone. */
import { stringify } from 'csv-stringify/sync';

export const HEADER = ['site', 'username', 'firstName', 'lastName', 'email', 'extension', 'numbers', 'authorizedUser', 'pin', 'keys', 'device.mac', 'device.model', 'device.label', 'device.lines', 'device.keys', 'device.settings'] as const;
export type Cells = Record<(typeof HEADER)[number], string>;

/** Row i: distinct username, extension, number (+1 212 736 xxxx) and MAC; some with a PIN, a second line, keys or settings. */
export function officeRow(i: number, n: number, opts: { pinEvery?: number; model?: string } = {}): Cells {
  const pinEvery = opts.pinEvery ?? 0;
  return {
    site: 'HQ',
    username: `user${i}`,
    firstName: 'Import',
    lastName: `User ${i}`,
    email: `user${i}@example.com`,
    extension: String(10_000 + i),
    numbers: `+1 212 736 ${String(i % 10_000).padStart(4, '0')}`,
    authorizedUser: pinEvery && i % pinEvery === 0 ? 'true' : '',
    pin: pinEvery && i % pinEvery === 0 ? '4321' : '',
    keys: i % 7 === 0 ? JSON.stringify([{ type: 'blf', value: String(10_000 + ((i + 1) % n)), label: 'Next' }]) : '',
    'device.mac': `0015${i.toString(16).padStart(8, '0')}`,
    'device.model': opts.model ?? 'yealink-t54w',
    'device.label': i % 5 === 0 ? `Desk ${i}` : '',
    // A second line for the next person, whose row may come later in the file.
    'device.lines': i % 10 === 0 && n > 1 ? JSON.stringify([{ username: `user${(i + 1) % n}`, label: 'Next desk' }]) : '',
    'device.keys': i % 11 === 0 ? JSON.stringify([{ type: 'speedDial', value: '+15551234567', label: 'Pizza' }]) : '',
    'device.settings': i % 13 === 0 ? JSON.stringify({ language: 'de', raw: { 'features.dnd.enable': '1' } }) : '',
  };
}

export const toCsvText = (rows: Cells[]): string => stringify([[...HEADER], ...rows.map((r) => HEADER.map((h) => r[h]))]);
