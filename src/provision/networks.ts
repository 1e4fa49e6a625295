import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4 clients) as its IPv4 address. */
export const plainAddress = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/** Addresses a Networks remembers its answer for, at most (then it starts afresh). */
const REMEMBERED = 4096;

/**
 * A set of CIDRs, asked whether a client address is inside; IPv4-mapped IPv6 counts as its IPv4
 * address. Asked on every request (a trusted proxy's hops, a site's networks) mostly of the same
 * few addresses, so each answer is remembered: BlockList.check costs about 4 µs a call.
 */
export class Networks {
  private readonly list = new BlockList();
  private readonly answers = new Map<string, boolean>();
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
    let answer = this.answers.get(address);
    if (answer === undefined) {
      const plain = plainAddress(address);
      answer = isIPv4(plain) ? this.list.check(plain, 'ipv4') : isIPv6(plain) && this.list.check(plain, 'ipv6');
      if (this.answers.size >= REMEMBERED) this.answers.clear();
      this.answers.set(address, answer);
    }
    return answer;
  }
}
