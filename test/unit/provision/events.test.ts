import t from 'tap';
import { Timeline, type RecordedEvent } from '../../../src/provision/events.js';

const event = (i: number, over: Partial<RecordedEvent> = {}): RecordedEvent => ({
  at: Date.UTC(2026, 0, 1, 0, 0, i),
  protocol: 'https',
  address: '192.0.2.1',
  file: `f${i}.cfg`,
  status: 200,
  ...over,
});

t.test('each device keeps its last events, oldest first, and the last-seen facts', async (t) => {
  const timeline = new Timeline(3, 2);
  for (let i = 0; i < 2; i++) timeline.record('805ec0000001', event(i));
  t.same(timeline.events('805ec0000001').map((e) => e.file), ['f0.cfg', 'f1.cfg'], 'before the bound');
  for (let i = 2; i < 8; i++) timeline.record('805ec0000001', event(i, i === 7 ? { userAgent: 'Yealink SIP-T46S 66.86.0.15', model: 'T46S', firmware: '66.86.0.15' } : {}));
  t.same(timeline.events('805ec0000001').map((e) => e.file), ['f5.cfg', 'f6.cfg', 'f7.cfg'], 'the last three, in order, after wrapping');
  t.same(timeline.events('805ec0000001')[2]?.at, '2026-01-01T00:00:07.000Z', 'times read as ISO 8601');
  t.same(timeline.lastSeen('805ec0000001'), { at: '2026-01-01T00:00:07.000Z', protocol: 'https', address: '192.0.2.1', userAgent: 'Yealink SIP-T46S 66.86.0.15', model: 'T46S', firmware: '66.86.0.15' });
  t.same(timeline.events('805ec0000002'), [], 'another device has none');
  const copy = timeline.events('805ec0000001');
  copy.length = 0;
  t.equal(timeline.events('805ec0000001').length, 3, 'callers get a copy');
  timeline.forget('805ec0000001');
  t.same(timeline.events('805ec0000001'), []);
  t.equal(timeline.lastSeen('805ec0000001'), undefined);
});

t.test('misses go to the bounded security log only', async (t) => {
  const timeline = new Timeline(3, 2);
  for (let i = 0; i < 5; i++) timeline.record(undefined, event(i, { status: 404 }));
  t.same(timeline.securityEvents().map((e) => e.file), ['f3.cfg', 'f4.cfg']);
});

t.test('identical requests in a row are one event with a count; any difference starts a new one', async (t) => {
  const timeline = new Timeline(3, 2);
  const poll = (i: number, over: Partial<RecordedEvent> = {}) => event(i, { file: 'poll.cfg', userAgent: 'Yealink SIP-T46S 66.86.0.15', ...over });
  timeline.record('805ec0000001', event(0));
  for (let i = 1; i <= 50; i++) timeline.record('805ec0000001', poll(i));
  t.same(timeline.events('805ec0000001'), [
    { at: '2026-01-01T00:00:00.000Z', protocol: 'https', address: '192.0.2.1', file: 'f0.cfg', status: 200 },
    { at: '2026-01-01T00:00:50.000Z', firstAt: '2026-01-01T00:00:01.000Z', count: 50, protocol: 'https', address: '192.0.2.1', file: 'poll.cfg', status: 200, userAgent: 'Yealink SIP-T46S 66.86.0.15' },
  ], 'fifty resyncs do not push the first request out');
  t.equal(timeline.lastSeen('805ec0000001')?.at, '2026-01-01T00:00:50.000Z', 'last seen is the last of them');
  for (const [what, over] of [
    ['status', { status: 304 }],
    ['address', { address: '192.0.2.2' }],
    ['protocol', { protocol: 'http' }],
    ['variant', { variant: 'bootstrap' }],
    ['User-Agent', { userAgent: 'Yealink SIP-T46S 66.86.0.20' }],
  ] as const) {
    const before = timeline.events('805ec0000001').length;
    const last = timeline.events('805ec0000001').at(-1);
    timeline.record('805ec0000001', poll(60, { ...last, at: Date.UTC(2026, 0, 1, 0, 1), firstAt: undefined, count: undefined, ...over }));
    t.equal(timeline.events('805ec0000001').length, Math.min(3, before + 1), `a different ${what} is a new event`);
  }
  timeline.record(undefined, event(1, { status: 404 }));
  timeline.record(undefined, event(1, { status: 404 }));
  t.same(timeline.securityEvents().map((e) => [e.file, e.count]), [['f1.cfg', 2]], 'the security log coalesces too');
});

t.test('move: a swapped handset keeps the device history under the new MAC', async (t) => {
  const timeline = new Timeline(3, 2);
  const A = '805ec000000a';
  const B = '805ec000000b';
  timeline.record(A, event(0, { source: 'device', userAgent: 'Yealink SIP-T46S 66.86.0.15' }));
  timeline.record(A, event(1, { source: 'claim', address: '198.51.100.7' }));
  timeline.record(A, event(2, { source: 'device' }));
  timeline.move(A, B);
  t.same(timeline.events(A), [], 'nothing left under the old MAC');
  t.equal(timeline.lastSeen(A), undefined);
  t.same(timeline.events(B).map((e) => [e.file, e.source]), [['f0.cfg', 'device'], ['f1.cfg', 'claim'], ['f2.cfg', 'device']], 'own events and claims, oldest first');
  t.equal(timeline.lastSeen(B)?.at, '2026-01-01T00:00:02.000Z', 'last seen comes from the own events, as before');

  timeline.record(B, event(3, { source: 'device' }));
  timeline.record(B, event(4, { source: 'device' }));
  t.same(timeline.events(B).filter((e) => e.source === 'device').map((e) => e.file), ['f2.cfg', 'f3.cfg', 'f4.cfg'], 'the moved ring keeps its bound');

  // Anything already kept under the new MAC is merged by time, within the bound.
  const C = '805ec000000c';
  timeline.record(C, event(5, { source: 'device' }));
  timeline.record(B, event(6, { source: 'device' }));
  timeline.move(B, C);
  t.same(timeline.events(C).filter((e) => e.source === 'device').map((e) => e.file), ['f4.cfg', 'f5.cfg', 'f6.cfg'], 'merged, newest three');
  t.equal(timeline.lastSeen(C)?.at, '2026-01-01T00:00:06.000Z');
  timeline.record(C, event(6, { source: 'device' }));
  t.equal(timeline.events(C).filter((e) => e.source === 'device').at(-1)?.count, 2, 'a repeat of the newest still folds into it');

  timeline.move(C, C);
  t.equal(timeline.events(C).length, 4, 'moving onto itself changes nothing');
  timeline.move('805ec00000ff', C);
  t.equal(timeline.events(C).length, 4, 'moving a MAC without history changes nothing');
});

t.test('near misses: misses one or two hex digits off a MAC show on it, found when asked for', async (t) => {
  const timeline = new Timeline(10, 10);
  const mac = '805ec0000a01';
  timeline.record(undefined, event(0, { file: '805ec0000a07.cfg', status: 401, reason: 'unknown_device' }));
  timeline.record(undefined, event(1, { file: 'cfg805ec0000b07.xml', status: 200, reason: 'unknown_device' }));
  timeline.record(undefined, event(2, { file: '805ec000bb07.cfg', status: 401, reason: 'unknown_device' }));
  timeline.record(undefined, event(3, { file: 'probe.bin', status: 404, reason: 'unknown_file' }));
  timeline.record(undefined, event(4, { file: `${mac}.cfg`, status: 401, reason: 'unknown_device' }));
  const near = timeline.events(mac);
  t.same(near.map((e) => [e.file, e.reason, e.source]), [['805ec0000a07.cfg', 'near_miss', 'claim'], ['cfg805ec0000b07.xml', 'near_miss', 'claim']], 'one and two digits off; three, none and the MAC itself are not near misses');
  t.match(near[1]?.detail, /^cfg805ec0000b07\.xml: 2 hex digits off this MAC \(unknown_device\)$/);
  t.equal(timeline.lastSeen(mac), undefined, 'near misses are no sign of life');
});

t.test('TLS failures land on the devices last seen at that address, as claims', async (t) => {
  const timeline = new Timeline(10, 10);
  timeline.record('805ec000000a', event(0, { source: 'device', address: '192.0.2.1' }));
  timeline.record('805ec000000b', event(1, { source: 'device', address: '192.0.2.1' }));
  timeline.record('805ec000000b', event(2, { source: 'device', address: '192.0.2.2' }));
  timeline.record('805ec000000c', event(3, { source: 'claim', address: '192.0.2.1' }));
  timeline.tlsFailure('192.0.2.1', Date.UTC(2026, 0, 1, 0, 1), 'ECONNRESET');
  t.match(timeline.events('805ec000000a').at(-1), { reason: 'tls_failed', source: 'claim', address: '192.0.2.1', detail: 'ECONNRESET' });
  t.notOk(timeline.events('805ec000000b').some((e) => e.reason === 'tls_failed'), 'a device seen since at another address: not it');
  t.notOk(timeline.events('805ec000000c').some((e) => e.reason === 'tls_failed'), 'a claim is no sighting');
  t.equal(timeline.lastSeen('805ec000000a')?.at, '2026-01-01T00:00:00.000Z', 'and no sign of life either');
  timeline.move('805ec000000a', '805ec000000d');
  timeline.tlsFailure('192.0.2.1', Date.UTC(2026, 0, 1, 0, 2), 'again');
  t.ok(timeline.events('805ec000000d').some((e) => e.detail === 'again'), 'a swapped handset takes its address along');
  timeline.forget('805ec000000d');
  timeline.tlsFailure('192.0.2.1', Date.UTC(2026, 0, 1, 0, 3), 'gone');
  t.same(timeline.events('805ec000000d'), [], 'a forgotten device gets nothing');
});
