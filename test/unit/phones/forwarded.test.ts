import t from 'tap';
import type { IncomingHttpHeaders } from 'node:http';
import { forwardedReader } from '../../../src/phones/forwarded.js';

const PROXIES = ['10.0.0.0/24', '192.0.2.7', '2001:db8::/64'];

/** A reader over PROXIES that keeps what it would log. */
function reader() {
  const malformed: Array<[string, string]> = [];
  const read = forwardedReader(PROXIES, (peer, header) => void malformed.push([peer, header]));
  const from = (peer: string, forwardedFor?: string, proto?: string) => {
    const headers: IncomingHttpHeaders = {};
    if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
    if (proto !== undefined) headers['x-forwarded-proto'] = proto;
    return read(peer, headers);
  };
  return { from, malformed };
}

t.test('a trusted peer: the client and TLS come from its headers', async (t) => {
  const { from } = reader();
  t.same(from('10.0.0.5', '198.51.100.20', 'https'), { address: '198.51.100.20', tls: true });
  t.same(from('10.0.0.5', '198.51.100.20', 'http'), { address: '198.51.100.20', tls: false }, 'http through the proxy is not confidential');
  t.same(from('10.0.0.5', '198.51.100.20'), { address: '198.51.100.20', tls: false }, 'no X-Forwarded-Proto: not confidential');
  t.same(from('10.0.0.5'), { address: '10.0.0.5', tls: false }, 'no X-Forwarded-For: the proxy itself is the client');
  t.same(from('192.0.2.7', '198.51.100.20', 'HTTPS'), { address: '198.51.100.20', tls: true }, 'a single trusted address; the scheme in any case');
});

t.test('anyone else: the headers mean nothing', async (t) => {
  const { from, malformed } = reader();
  t.equal(from('10.0.1.5', '198.51.100.20', 'https'), null, 'just outside the proxies');
  t.equal(from('198.51.100.20', '10.0.0.5', 'https'), null, 'claiming to come through a proxy');
  t.equal(from('2001:db8:1::5', '2001:db8::1', 'https'), null, 'IPv6 outside the proxies');
  t.equal(from('203.0.113.9', 'garbage', 'https'), null, 'a malformed header from a stranger is not even read');
  t.same(malformed, []);
  const none = forwardedReader([], () => t.fail('nothing is read without proxies'));
  t.equal(none('10.0.0.5', { 'x-forwarded-for': '198.51.100.20', 'x-forwarded-proto': 'https' }), null, 'no proxies configured: nobody is believed');
});

t.test('chains: walked from the right while the address is a trusted proxy', async (t) => {
  const { from } = reader();
  t.same(from('10.0.0.5', '203.0.113.66, 198.51.100.20', 'https'), { address: '198.51.100.20', tls: true }, 'what the client wrote left of itself is ignored');
  t.same(from('10.0.0.5', '203.0.113.66, 198.51.100.20, 10.0.0.9', 'https'), { address: '198.51.100.20', tls: true }, 'through a second trusted proxy');
  t.same(from('10.0.0.5', '198.51.100.20, 203.0.113.66', 'https'), { address: '203.0.113.66', tls: true }, 'the first untrusted address from the right, even if more follow');
  t.same(from('10.0.0.5', '10.0.0.8, 10.0.0.9'), { address: '10.0.0.8', tls: false }, 'every hop a proxy: the left-most');
  t.same(from('10.0.0.5', '  198.51.100.20 ,10.0.0.9  '), { address: '198.51.100.20', tls: false }, 'spaces around entries');
  t.same(from('10.0.0.5', '198.51.100.20', 'https, https'), { address: '198.51.100.20', tls: true }, 'https on every hop');
  t.same(from('10.0.0.5', '198.51.100.20', 'http, https'), { address: '198.51.100.20', tls: false }, 'a hop without TLS makes it not confidential');
  t.same(from('10.0.0.5', '198.51.100.20', ''), { address: '198.51.100.20', tls: false }, 'an empty X-Forwarded-Proto');
});

t.test('IPv6 and IPv4-mapped addresses', async (t) => {
  const { from } = reader();
  t.same(from('2001:db8::10', '2001:db8:ffff::1', 'https'), { address: '2001:db8:ffff::1', tls: true }, 'an IPv6 proxy and client');
  t.same(from('2001:db8::10', '198.51.100.20, 2001:db8::11'), { address: '198.51.100.20', tls: false }, 'mixed families in one chain');
  t.same(from('::ffff:10.0.0.5', '::ffff:198.51.100.20', 'https'), { address: '198.51.100.20', tls: true }, 'a dual-stack socket\'s peer and entry as IPv4');
  t.same(from('::ffff:10.0.0.5'), { address: '10.0.0.5', tls: false }, 'the proxy itself, as IPv4');
});

t.test('a malformed header from a trusted proxy: the request is the proxy\'s, and it is logged', async (t) => {
  for (const header of ['garbage', '198.51.100.20:5060', '[2001:db8:1::1]', '198.51.100.20, , 10.0.0.9', 'unknown', '198.51.100.20;proto=https', '']) {
    const { from, malformed } = reader();
    t.same(from('10.0.0.5', header, 'https'), { address: '10.0.0.5', tls: true }, JSON.stringify(header));
    t.same(malformed, [['10.0.0.5', header]], `${JSON.stringify(header)}: logged with the proxy`);
  }
  const { from, malformed } = reader();
  t.same(from('10.0.0.5', 'garbage, 198.51.100.20'), { address: '198.51.100.20', tls: false }, 'garbage left of the client is never reached');
  t.same(malformed, [], 'and not logged');
  const long = `${'x'.repeat(1000)}`;
  from('10.0.0.5', long);
  t.equal(malformed[0]?.[1].length, 256, 'a long header is logged cut short');
});
