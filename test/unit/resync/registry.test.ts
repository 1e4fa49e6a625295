import t, { type Test } from 'tap';
import { createSealer } from '../../../src/domain/secrets.js';
import { Timeline } from '../../../src/provision/events.js';
import { ResyncRegistry, resyncView } from '../../../src/resync/registry.js';
import type { NotifyTarget, Sender, SendResult } from '../../../src/resync/sender.js';
import { createResyncService } from '../../../src/resync/service.js';
import { MemoryStore } from '../../../src/store/memory.js';
import { FileIndex } from '../../../src/vendors/index.js';
import { FakeClock } from '../../helpers/clock.js';

const MAC = '805ec0000c01';

t.test('sent → answered → confirmed by a later fetch of the device itself', async (t) => {
  const clock = new FakeClock();
  clock.advance(1_000_000);
  const registry = new ResyncRegistry({ confirmMs: 60_000, clock });
  const r = registry.create(MAC, { event: 'check-sync', via: 'direct', target: '10.0.0.5:5060' });
  t.equal(r.state, 'queued');
  registry.deviceEvent(MAC, clock.now());
  t.equal(r.state, 'queued', 'a fetch before the NOTIFY went out confirms nothing');
  clock.advance(10);
  registry.sent(r);
  registry.deviceEvent(MAC, clock.now() - 1);
  t.equal(r.state, 'sent', 'nor does one from before it (by its time)');
  registry.answered(r, 200, 'OK');
  t.equal(r.state, 'answered');
  registry.deviceEvent('001122334455', clock.now());
  t.equal(r.state, 'answered', "another device's fetch is not this one's");
  clock.advance(5_000);
  registry.deviceEvent(MAC, clock.now());
  t.equal(r.state, 'confirmed');
  t.equal(r.confirmed, clock.now());
  clock.advance(120_000);
  t.equal(r.state, 'confirmed', 'the timeout no longer applies');
  t.equal(clock.pending, 0, 'its timer was cleared');
  t.match(resyncView(r), { state: 'confirmed', answered: 200, reason: 'OK', requested: new Date(1_000_000).toISOString(), sent: new Date(1_000_010).toISOString() });
  t.notOk('timedOut' in resyncView(r), 'no empty fields');
});

t.test('a sealed fetch (anyone may make one) confirms only from the address the NOTIFY went to', async (t) => {
  const clock = new FakeClock();
  clock.advance(1_000_000);
  const registry = new ResyncRegistry({ confirmMs: 60_000, clock });
  const r = registry.create(MAC, { event: 'resync', via: 'direct', target: '10.0.0.5:5060' });
  registry.sent(r);
  clock.advance(10);
  registry.deviceEvent(MAC, clock.now(), { address: '10.0.0.9' });
  t.equal(r.state, 'sent', 'from elsewhere: nothing');
  registry.deviceEvent(MAC, clock.now(), { address: '10.0.0.5' });
  t.equal(r.state, 'confirmed', "from the phone's address: confirmed");
  const v6 = registry.create(MAC, { event: 'resync', via: 'direct', target: '[2001:db8::5]:5060' });
  registry.sent(v6);
  registry.deviceEvent(MAC, clock.now(), { address: '2001:db8::5' });
  t.equal(v6.state, 'confirmed', 'an IPv6 target too');
  const ami = registry.create(MAC, { event: 'resync', via: 'ami' });
  registry.sent(ami);
  registry.deviceEvent(MAC, clock.now(), { address: '10.0.0.5' });
  t.equal(ami.state, 'sent', 'no address to compare (through the PBX): only the device itself confirms');
  registry.deviceEvent(MAC, clock.now());
  t.equal(ami.state, 'confirmed');
});

t.test('the timeline tells of sealed fetches, unproven, with their address', async (t) => {
  const timeline = new Timeline();
  const told: unknown[] = [];
  timeline.onDeviceEvent = (mac, at, unproven) => told.push([mac, at, unproven]);
  timeline.record(MAC, { at: 1, protocol: 'http', address: '10.0.0.5', file: `${MAC}.aes`, status: 200, variant: 'sealed', source: 'claim' });
  timeline.record(MAC, { at: 2, protocol: 'http', address: '10.0.0.6', file: `${MAC}.cfg`, status: 200, variant: 'bootstrap', source: 'claim' });
  timeline.record(MAC, { at: 3, protocol: 'https', address: '10.0.0.5', file: `${MAC}.cfg`, status: 200, variant: 'full', source: 'device' });
  t.same(told, [[MAC, 1, { address: '10.0.0.5' }], [MAC, 3, undefined]], 'a bootstrap claim is not told at all');
});

t.test('timed out without a fetch; an answer after that keeps the state', async (t) => {
  const clock = new FakeClock();
  const registry = new ResyncRegistry({ confirmMs: 3_000, clock });
  const r = registry.create(MAC, { event: 'resync', via: 'direct' });
  registry.sent(r);
  clock.advance(2_999);
  t.equal(r.state, 'sent');
  clock.advance(1);
  t.equal(r.state, 'timedOut');
  t.equal(r.timedOut, 3_000);
  registry.answered(r, 200, 'OK');
  registry.failed(r, 'late');
  registry.deviceEvent(MAC, clock.now());
  t.match(r, { state: 'timedOut', answered: 200, error: 'late' });
});

t.test('bounded per device; moved with a handset swap; forgotten', async (t) => {
  const clock = new FakeClock();
  const registry = new ResyncRegistry({ confirmMs: 1_000, clock, perDevice: 3 });
  const made = Array.from({ length: 5 }, () => registry.create(MAC, { event: 'e', via: 'direct' }));
  for (const r of made) registry.sent(r);
  t.same(registry.list(MAC).map((r) => r.id), made.slice(2).map((r) => r.id), 'the newest three stay');
  t.equal(clock.pending, 3, 'the dropped ones no longer wait');
  registry.move(MAC, '805ec0000c02');
  t.same(registry.list(MAC), []);
  registry.deviceEvent('805ec0000c02', clock.now());
  t.ok(registry.list('805ec0000c02').every((r) => r.state === 'confirmed' && r.mac === '805ec0000c02'), "the new handset's fetch confirms them");
  registry.forget('805ec0000c02');
  t.same(registry.list('805ec0000c02'), []);
});

t.test('the timeline tells its listener of device events only', async (t) => {
  const timeline = new Timeline();
  const heard: Array<[string, number]> = [];
  const event = { protocol: 'https' as const, address: '10.0.0.5', file: 'x.cfg', status: 200 };
  timeline.record(MAC, { ...event, at: 1, source: 'device' });
  timeline.onDeviceEvent = (mac, at) => heard.push([mac, at]);
  timeline.record(MAC, { ...event, at: 2, source: 'device' });
  timeline.record(MAC, { ...event, at: 3, source: 'device' }); // folded into the one before: still a fetch
  timeline.record(MAC, { ...event, at: 4, source: 'claim' });
  timeline.record(undefined, { ...event, at: 5 });
  t.same(heard, [[MAC, 2], [MAC, 3]]);
});

/** A sender that answers when told, and counts how many are in flight. */
function heldSender(needsAddress = true) {
  const calls: Array<{ target: NotifyTarget; release: (r: SendResult) => void }> = [];
  let inFlight = 0;
  let most = 0;
  const sender: Sender = {
    kind: 'test',
    needsAddress,
    send: (target) =>
      new Promise((resolve) => {
        most = Math.max(most, ++inFlight);
        calls.push({ target, release: (r) => (inFlight--, resolve(r)) });
      }),
  };
  return { sender, calls, most: () => most };
}

const tick = () => new Promise((r) => setImmediate(r));

async function world(t: Test, sender: Sender, devices: number) {
  const store = new MemoryStore();
  await store.open();
  const sealer = createSealer(Buffer.alloc(32, 7));
  const now = new Date().toISOString();
  const site = await store.insertSite({ id: 's1', name: 'HQ', timeZone: 'UTC', sip: { registrar: 'pbx', transport: 'udp' }, createdAt: now, updatedAt: now });
  const timeline = new Timeline();
  const macs: string[] = [];
  for (let i = 0; i < devices; i++) {
    const mac = `805ec0000d${String(i).padStart(2, '0')}`;
    macs.push(mac);
    const employee = { id: `e${i}`, siteId: site.id, firstName: 'A', lastName: 'B', username: `user${i}`, extension: `10${i}`, voicemailToEmail: false, timeZone: 'UTC', authorizedUser: false, createdAt: now, updatedAt: now };
    await store.insertEmployee(employee, { mac, model: 'yealink-t54w', employeeId: employee.id, credentials: { authName: `auth${i}`, passwordSealed: sealer.seal(`pw${i}`), provisioningUsername: `dt${mac}`, provisioningPasswordSealed: sealer.seal('x') }, createdAt: now, updatedAt: now });
    if (i > 0) timeline.record(mac, { at: Date.now(), protocol: 'https', address: `10.0.0.${i}`, file: `${mac}.cfg`, status: 200, source: 'device' });
  }
  const clock = new FakeClock();
  const registry = new ResyncRegistry({ confirmMs: 60_000, clock });
  const service = createResyncService({ store, sealer, timeline, files: new FileIndex(), sender, registry, sipPort: 5070, gapMs: 1_000, concurrency: 2, random: () => 0.5, clock });
  t.teardown(() => store.close());
  return { service, registry, clock, macs, timeline };
}

t.test('site resync: staggered by slot with jitter, at most `concurrency` in flight, never-seen skipped', async (t) => {
  const held = heldSender();
  const { service, clock, macs } = await world(t, held.sender, 6);
  const { resyncs, skipped } = await service.resyncSite('s1');
  t.same(skipped, [{ mac: macs[0], reason: 'never_seen' }], 'the device never seen is skipped');
  t.equal(resyncs.length, 5);
  t.ok(resyncs.every((r) => r.state === 'queued' && r.siteId === 's1'));
  await tick();
  t.equal(held.calls.length, 0, 'nothing goes out at once');
  clock.advance(499);
  await tick();
  t.equal(held.calls.length, 0);
  clock.advance(1);
  await tick();
  t.equal(held.calls.length, 1, 'the first at 0.5 s (slot 0, jitter 0.5)');
  t.match(held.calls[0]!.target, { user: 'user1', authName: 'auth1', password: 'pw1', address: '10.0.0.1', port: 5070, event: 'check-sync;reboot=false' });
  clock.advance(1_000);
  await tick();
  t.equal(held.calls.length, 2, 'the second a slot later');
  clock.advance(3_000);
  await tick();
  t.equal(held.calls.length, 2, 'the rest wait: two in flight at most');
  t.equal(resyncs.filter((r) => r.state === 'sent').length, 2, 'and stay queued until they go');
  held.calls[0]!.release({ status: 200, reason: 'OK' });
  await tick();
  await tick();
  t.equal(held.calls.length, 3, 'a slot frees, the next goes');
  t.equal(resyncs[0]!.state, 'answered');
  for (let i = 1; i < 5; i++) {
    held.calls[i]?.release({ error: 'no final response within 32 s (Timer F)' });
    await tick();
    await tick();
  }
  t.equal(held.calls.length, 5);
  t.equal(held.most(), 2, 'never more than two at once');
  t.match(resyncs[1], { state: 'sent', error: /Timer F/ }, 'no answer: still sent, with why');
});

t.test('device resync: refusals, and a sender that needs no address', async (t) => {
  const held = heldSender();
  const { service, macs } = await world(t, held.sender, 2);
  await t.rejects(service.resyncDevice(macs[0]!), { status: 409, errors: [{ path: 'mac' }] }, 'never seen');
  await t.rejects(service.resyncDevice('001122334455'), { message: 'device not found' }, 'unknown');
  const r = await service.resyncDevice(macs[1]!);
  t.match(r, { state: 'sent', target: '10.0.0.1:5070', via: 'test' });
  await tick();
  held.calls[0]!.release({ status: 481, reason: 'Call/Transaction Does Not Exist' });
  await tick();
  t.match(r, { state: 'answered', answered: 481 });

  const pbx = heldSender(false);
  const viaPbx = await world(t, pbx.sender, 1);
  const sent = await viaPbx.service.resyncDevice(viaPbx.macs[0]!);
  t.equal(sent.target, undefined, 'through the PBX a device never seen can be resynced');
  await tick();
  t.equal(pbx.calls[0]!.target.address, undefined);
});
