import { isIP } from 'node:net';

/** Whether `value` is an IPv4 or IPv6 address with an optional /prefix (`192.0.2.0/24`, `2001:db8::/32`, `198.51.100.7`). */
export function isCidr(value: string): boolean {
  const [addr, bits, ...rest] = value.split('/');
  const family = isIP(addr ?? '');
  const max = family === 4 ? 32 : 128;
  return family !== 0 && rest.length === 0 && (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max));
}

export const cidrMessage = (value: unknown): string => `"${String(value)}" is not an IPv4 or IPv6 address with an optional /prefix`;
