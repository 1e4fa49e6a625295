import t from 'tap';
import { Networks } from '../../../src/provision/networks.js';

t.test('Networks: IPv4, IPv6 and IPv4-mapped addresses against CIDRs and single addresses', async (t) => {
  const n = new Networks(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32']);
  for (const [address, inside] of [
    ['10.1.200.3', true],
    ['10.2.0.1', false],
    ['::ffff:10.1.0.9', true],
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['2001:db8::1', true],
    ['2001:db9::1', false],
    ['not an address', false],
    ['', false],
  ] as const) {
    t.equal(n.contains(address), inside, address || '(empty)');
    t.equal(n.contains(address), inside, `${address || '(empty)'} again: the remembered answer`);
  }
  t.equal(new Networks([]).contains('10.1.0.1'), false, 'none: nothing is inside');
});

t.test('Networks: past the addresses it remembers, it starts afresh and answers as before', async (t) => {
  const n = new Networks(['10.0.0.0/8']);
  const wrong: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const address = `${i % 2 ? 10 : 11}.0.${(i >> 8) & 255}.${i & 255}`;
    if (n.contains(address) !== (i % 2 === 1)) wrong.push(address);
  }
  t.same(wrong, [], 'every one of 10,000 distinct addresses answered right');
  t.equal(n.contains('10.0.0.1'), true);
  t.equal(n.contains('11.0.0.0'), false);
});
