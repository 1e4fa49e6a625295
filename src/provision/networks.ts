import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4 clients) as its IPv4 address. */
export const plainAddress = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/** A set of CIDRs, asked whether a client address is inside; IPv4-mapped IPv6 counts as its IPv4 address. */
export class Networks {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.split('/');
      const type = isIPv4(address) ? 'ipv4' : 'ipv6';
      this.list.addSubnet(address, bits === undefined ? (type === 'ipv4' ? 32 : 128) : Number(bits), type);
    }
    this.empty = cidrs.length === 0;
  }

  contains(address: string): boolean {
    if (this.empty) return false;
    const plain = plainAddress(address);
    if (isIPv4(plain)) return this.list.check(plain, 'ipv4');
    return isIPv6(plain) && this.list.check(plain, 'ipv6');
  }
}
