/** MAC addresses: parsed from any common notation, stored as 12 lower-case hex digits. */

import { invalidField } from '../errors.js';

/** Where each separator may sit: `:` and `-` between pairs, `.` between quads (Cisco). */
const GROUP_SIZE: Record<string, number> = { ':': 2, '-': 2, '.': 4 };

const EXAMPLES: Record<string, string> = { ':': '00:15:65:aa:bb:cc', '-': '00-15-65-aa-bb-cc', '.': '0015.65aa.bbcc' };

/**
 * Parses `00:15:65:AA:BB:CC`, `00-15-65-aa-bb-cc`, `0015.65aa.bbcc` or `001565aabbcc` (any case,
 * surrounding white space ignored) into `001565aabbcc`. One kind of separator at a time, each in
 * its place. Refuses addresses a phone cannot have: all-zero, broadcast and multicast.
 */
export function parseMac(input: string, path = 'mac'): string {
  const text = input.trim();
  const separators = new Set<string>();
  for (const ch of text) {
    if (/[0-9a-fA-F]/.test(ch)) continue;
    if (!(ch in GROUP_SIZE)) {
      throw invalidField(
        path,
        `must be a MAC address; "${ch}" is neither a hex digit nor one of the separators ":", "-", "."`,
      );
    }
    separators.add(ch);
  }
  if (separators.size > 1) {
    const found = [...separators].map((s) => `"${s}"`).join(', ');
    throw invalidField(path, `mixes separators (${found}); use one kind throughout`);
  }

  const mac = text.replace(/[:.-]/g, '').toLowerCase();
  if (mac.length !== 12) throw invalidField(path, `must be 12 hex digits; got ${mac.length}`);

  const [separator] = separators;
  if (separator !== undefined) {
    const size = GROUP_SIZE[separator] ?? 0;
    const groups = text.split(separator);
    if (groups.length !== 12 / size || groups.some((g) => g.length !== size)) {
      throw invalidField(path, `has "${separator}" in the wrong places; write it like ${EXAMPLES[separator] ?? ''}`);
    }
  }

  if (mac === '000000000000') throw invalidField(path, 'must not be the all-zero address');
  if (mac === 'ffffffffffff') throw invalidField(path, 'must not be the broadcast address ff:ff:ff:ff:ff:ff');
  // The I/G bit (least-significant bit of the first octet) marks group addresses, e.g. 01:00:5e:…
  if ((parseInt(mac.slice(0, 2), 16) & 1) === 1) {
    throw invalidField(path, `must not be a multicast address (first octet ${mac.slice(0, 2)} is odd)`);
  }
  return mac;
}

/** How a vendor writes a MAC in file names and configs. */
export type MacStyle = 'lower' | 'upper' | 'colon' | 'colon-upper' | 'dash-upper';

/** Formats a parsed MAC (12 lower-case hex digits), e.g. `dash-upper` → `00-08-5D-23-74-29`. */
export function formatMac(mac: string, style: MacStyle): string {
  const pairs = mac.match(/../g) ?? [];
  switch (style) {
    case 'lower':
      return mac;
    case 'upper':
      return mac.toUpperCase();
    case 'colon':
      return pairs.join(':');
    case 'colon-upper':
      return pairs.join(':').toUpperCase();
    case 'dash-upper':
      return pairs.join('-').toUpperCase();
  }
}

/**
 * Whether 12 lower-case hex digits can be a phone's own address: not all-zero, not broadcast, not
 * multicast (the rules parseMac enforces, without building an error). Names such as Polycom's
 * `000000000000.cfg` are therefore never a device's file.
 */
export const isDeviceMac = (mac: string): boolean => mac !== '000000000000' && (parseInt(mac.slice(0, 2), 16) & 1) === 0;
