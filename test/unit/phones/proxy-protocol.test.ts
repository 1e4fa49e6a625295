import t from 'tap';
import { Command, INETProtocol, IPv4Address, IPv4ProxyAddress, IPv6Address, IPv6ProxyAddress, Peer, TransportProtocol, UnspecProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { clientOf, headerLength } from '../../../src/phones/proxy-protocol.js';

const v1 = (text: string): Buffer => Buffer.from(text, 'latin1');
const v2 = (command: Command, address: IPv4ProxyAddress | IPv6ProxyAddress | UnspecProxyAddress, tlvs = Buffer.alloc(0)): Buffer => {
  const header = Buffer.from(new V2ProxyProtocol(command, TransportProtocol.STREAM, address).build());
  // The library's length counts the addresses only: TLVs (which relays add) are counted here.
  header.writeUInt16BE(header.readUInt16BE(14) + tlvs.length, 14);
  return Buffer.concat([header, tlvs]);
};
const ipv4 = new IPv4ProxyAddress(IPv4Address.createFrom([198, 51, 100, 20]), 40000, IPv4Address.createFrom([10, 0, 1, 11]), 8443);
const ipv6Bytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a];
const ipv6 = new IPv6ProxyAddress(IPv6Address.createFrom(ipv6Bytes), 40000, IPv6Address.createFrom(ipv6Bytes), 8443);

t.test('v1: the client\'s address, as a socket would write it', async (t) => {
  const built = new V1ProxyProtocol(INETProtocol.TCP4, new Peer('198.51.100.20', 40000), new Peer('10.0.1.11', 8443)).build();
  t.equal(clientOf(v1(built)), '198.51.100.20', 'TCP4 (built by proxy-protocol-js)');
  t.equal(clientOf(v1('PROXY TCP6 2001:DB8:0:0::A 2001:db8::1 40000 8443\r\n')), '2001:db8::a', 'TCP6, compressed and lower case');
  t.equal(clientOf(v1('PROXY UNKNOWN\r\n')), undefined, 'UNKNOWN: the relay\'s own connection');
  t.equal(clientOf(v1('PROXY UNKNOWN ffff:f...f 40000 8443\r\n')), undefined, 'UNKNOWN with anything after it');
  t.throws(() => clientOf(v1('PROXY TCP4 2001:db8::1 10.0.1.11 40000 8443\r\n')), /not an IPv4 address/, 'an address of the other family');
  t.throws(() => clientOf(v1('PROXY TCP4 evil 10.0.1.11 40000 8443\r\n')), /not an IPv4 address/, 'a word that is no address');
  t.throws(() => clientOf(v1('PROXY UDP4 198.51.100.20 10.0.1.11 40000 8443\r\n')), 'a protocol v1 does not have');
});

t.test('v2: the client\'s address; none for LOCAL and unspecified families', async (t) => {
  t.equal(clientOf(v2(Command.PROXY, ipv4)), '198.51.100.20', 'IPv4');
  t.equal(clientOf(v2(Command.PROXY, ipv6)), '2001:db8::a', 'IPv6, as a socket writes it');
  t.equal(clientOf(v2(Command.PROXY, ipv4, Buffer.from([0x04, 0x00, 0x02, 0x61, 0x62]))), '198.51.100.20', 'with a TLV after the addresses');
  t.equal(clientOf(v2(Command.LOCAL, ipv4)), undefined, 'LOCAL: a health check of the relay\'s own');
  t.equal(clientOf(v2(Command.PROXY, new UnspecProxyAddress())), undefined, 'AF_UNSPEC');
});

t.test('framing: the header\'s length once it is all there, and nothing read past it', async (t) => {
  const line = v1('PROXY TCP4 198.51.100.20 10.0.1.11 40000 8443\r\n');
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05]);
  t.equal(headerLength(Buffer.concat([line, hello])), line.length, 'v1 followed by a TLS record');
  for (let cut = 1; cut < line.length; cut++) if (headerLength(line.subarray(0, cut)) !== 0) t.fail(`v1 cut at ${cut} is not complete`);
  const binary = v2(Command.PROXY, ipv6, Buffer.alloc(7));
  t.equal(headerLength(Buffer.concat([binary, hello])), binary.length, 'v2, TLVs included, followed by a TLS record');
  for (let cut = 1; cut < binary.length; cut++) if (headerLength(binary.subarray(0, cut)) !== 0) t.fail(`v2 cut at ${cut} is not complete`);
  t.pass('every cut short of the end asks for more');
});

t.test('framing: what cannot be a header is refused at once', async (t) => {
  t.throws(() => headerLength(Buffer.from('GET / HTTP/1.1\r\n')), /does not start with a PROXY protocol header/, 'a plain request');
  t.throws(() => headerLength(Buffer.from([0x16, 0x03, 0x01])), /does not start/, 'a TLS ClientHello');
  t.throws(() => headerLength(Buffer.from('PROXZ')), /does not start/, 'wrong already in the first bytes');
  t.throws(() => headerLength(Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`)), /longer than 107 bytes/, 'a v1 line without its end');
  t.throws(() => headerLength(Buffer.from(`PROXY TCP4 ${'1'.repeat(110)}\r\n`)), /longer than 107 bytes/, 'a v1 line ending too late');
  t.equal(headerLength(Buffer.from('PRO')), 0, 'a start that may still be one');
});
