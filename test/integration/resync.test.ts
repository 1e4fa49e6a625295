import t, { type Test } from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer, type Running } from '../helpers/server.js';
import { freeUdpPort, startSippPhone } from '../helpers/sipp.js';
import { onPath } from '../helpers/tftp.js';

/** Each phone on its own loopback address: its fetch makes that its last-seen address, where sipp plays it. */
const PHONES = {
  yealink: { model: 'yealink-t54w', mac: '805ec0000b01', file: (m: string) => `${m}.cfg`, address: '127.0.0.81', event: 'check-sync;reboot=false', username: 'ada' },
  polycom: { model: 'polycom-vvx-450', mac: '64167f000b02', file: (m: string) => `${m}-phone.cfg`, address: '127.0.0.82', event: 'check-sync', username: 'bob' },
  cisco: { model: 'cisco-8851-3pcc', mac: '2c31240b0b03', file: (m: string) => `${m}.xml`, address: '127.0.0.83', event: 'resync', username: 'cy' },
} as const;
type Phone = (typeof PHONES)[keyof typeof PHONES];

interface ResyncJson {
  id: string;
  state: string;
  event: string;
  via: string;
  target?: string;
  answered?: number;
  sent?: string;
  confirmed?: string;
  timedOut?: string;
  error?: string;
}

/** Polls the device's resyncs until `id` satisfies `done`, for at most `ms`; returns the last seen. */
async function waitFor(server: Running, mac: string, id: string, done: (r: ResyncJson) => boolean, ms = 15_000): Promise<ResyncJson | undefined> {
  const deadline = Date.now() + ms;
  let last: ResyncJson | undefined;
  while (Date.now() < deadline) {
    const list = (await server.api('GET', `/devices/${mac}/resyncs`)).json as ResyncJson[];
    last = list.find((r) => r.id === id);
    if (last && done(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  return last;
}

const header = (msg: string, name: string): string | undefined => new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi').exec(msg)?.[1]?.trim();

t.test('resync by SIP NOTIFY, with sipp as the phone', { skip: onPath('sipp') ? false : 'sipp not installed (Debian package sip-tester)' }, async (t) => {
  const sipPort = await freeUdpPort();
  const dir = t.testdir();
  // A short confirmation time, so the run without a fetch times out within the test.
  const server = await startServer(t, dir, { DIALTONE_RESYNC_SIP_PORT: String(sipPort), DIALTONE_RESYNC_CONFIRM_SECONDS: '3', DIALTONE_RESYNC_SITE_GAP_MS: '10' });
  t.teardown(() => server.stop());
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  t.equal(site.status, 201, site.text);
  const creds: Record<string, { authName: string; password: string }> = {};
  for (const p of Object.values(PHONES)) {
    const created = await server.api('POST', '/employees', { body: { siteId: site.json.id, firstName: 'A', lastName: p.username, username: p.username, extension: String(100 + Object.keys(creds).length), device: { mac: p.mac, model: p.model } } });
    t.equal(created.status, 201, created.text);
    creds[p.mac] = created.json.device.credentials;
  }

  const resync = (mac: string) => server.api('POST', `/devices/${mac}/resync`);
  const boot = async (p: Phone) => {
    const got = await fetchFile(server, 'https', `/${p.file(p.mac)}`, { from: p.address });
    t.equal(got.status, 200, `${p.model} fetches its file from ${p.address}`);
  };

  await t.test('refusals', async (t) => {
    const never = await resync(PHONES.yealink.mac);
    t.equal(never.status, 409, 'a device never seen has no address to send to');
    t.match(never.json.detail, /never seen/);
    t.equal((await resync('001122334455')).status, 404, 'an unknown device');
    t.equal((await resync('not-a-mac')).status, 404, 'a malformed MAC');
    const generic = await server.api('POST', '/devices', { body: { mac: '00155d000b09', model: 'generic' } });
    t.equal(generic.status, 201, generic.text);
    const g = await resync('00155d000b09');
    t.equal(g.status, 409, 'a generic device has no resync event');
    t.match(g.json.errors, [{ path: 'model' }]);
    t.same((await server.api('GET', `/devices/${PHONES.yealink.mac}/resyncs`)).json, [], 'nothing recorded');
    t.equal((await server.api('GET', '/devices/001122334455/resyncs')).status, 404);
    t.equal((await server.api('POST', '/sites/3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b/resync')).status, 404, 'an unknown site');
  });

  /** Boots the phone, resyncs it with sipp answering, checks the NOTIFY sipp received; returns the resync once answered. */
  const resyncAnswered = async (t: Test, p: Phone, scenario: string): Promise<{ resync: ResyncJson; notifies: string[] }> => {
    await boot(p);
    const auth = creds[p.mac]!;
    const phone = await startSippPhone(dir, scenario, p.address, sipPort, scenario === 'notify-401.xml' ? [auth.authName, auth.password] : undefined);
    t.teardown(() => phone.kill());
    const asked = await resync(p.mac);
    t.equal(asked.status, 202, asked.text);
    t.match(asked.json, { event: p.event, via: 'direct', target: `${p.address}:${sipPort}` });
    t.ok(['sent', 'answered'].includes(asked.json.state as string), `sent at once (${asked.json.state})`);
    t.equal(await phone.done, 0, 'sipp saw every header its scenario checks and ended its call');
    const notifies = await phone.received();
    for (const n of notifies) {
      t.equal(n.split(/\r?\n/)[0], `NOTIFY sip:${p.username}@${p.address}:${sipPort} SIP/2.0`, 'request line: the line user at the phone');
      t.equal(header(n, 'Event'), p.event, `Event: ${p.event}`);
      t.match(header(n, 'Via'), /^SIP\/2\.0\/UDP [\d.]+:\d+;branch=z9hG4bK[0-9a-f]{24};rport$/, 'Via with an RFC 3261 branch');
      t.equal(header(n, 'Subscription-State'), 'terminated');
      t.equal(header(n, 'Content-Length'), '0');
      t.equal(header(n, 'Max-Forwards'), '70');
      t.match(header(n, 'To'), `<sip:${p.username}@${p.address}:${sipPort}>`);
      t.match(header(n, 'From'), /^<sip:dialtone@[\d.]+>;tag=[0-9a-f]+$/);
    }
    const answered = await waitFor(server, p.mac, asked.json.id as string, (r) => r.answered !== undefined);
    t.match(answered, { state: 'answered', answered: 200 }, 'the phone answered 200');
    return { resync: answered!, notifies };
  };

  await t.test('Yealink: answered, then confirmed by the phone fetching its file', async (t) => {
    const p = PHONES.yealink;
    const { resync: r, notifies } = await resyncAnswered(t, p, 'notify-200.xml');
    t.equal(notifies.length, 1, 'one NOTIFY');
    t.equal(header(notifies[0]!, 'CSeq'), '1 NOTIFY');
    t.notOk(header(notifies[0]!, 'Authorization'), 'no credentials unasked');
    // A claim in the phone's name (a bootstrap fetch over plain HTTP) is not the phone.
    await fetchFile(server, 'http', `/${p.file(p.mac)}`, { from: p.address });
    t.equal((await waitFor(server, p.mac, r.id, () => true))?.state, 'answered', 'a bootstrap fetch does not confirm');
    await boot(p);
    const confirmed = await waitFor(server, p.mac, r.id, (x) => x.state === 'confirmed');
    t.equal(confirmed?.state, 'confirmed', 'confirmed by the fetch');
    t.ok(Date.parse(confirmed!.confirmed!) >= Date.parse(confirmed!.sent!), 'after the NOTIFY');
  });

  await t.test('Polycom: answered, no fetch follows: timed out', async (t) => {
    const p = PHONES.polycom;
    const { resync: r } = await resyncAnswered(t, p, 'notify-200.xml');
    const over = await waitFor(server, p.mac, r.id, (x) => x.state === 'timedOut', 15_000);
    t.equal(over?.state, 'timedOut', 'timed out after DIALTONE_RESYNC_CONFIRM_SECONDS');
    t.equal(over?.answered, 200, 'keeps the SIP answer');
    t.notOk(over?.confirmed);
    await boot(p);
    t.equal((await waitFor(server, p.mac, r.id, () => true))?.state, 'timedOut', 'a late fetch does not revive it');
  });

  await t.test('Cisco: the phone challenges with 401 Digest; Dialtone answers with the line credentials', async (t) => {
    const p = PHONES.cisco;
    const { resync: r, notifies } = await resyncAnswered(t, p, 'notify-401.xml');
    t.equal(notifies.length, 2, 'the NOTIFY, then again with Authorization');
    const [first, second] = notifies as [string, string];
    t.equal(header(first, 'CSeq'), '1 NOTIFY');
    t.equal(header(second, 'CSeq'), '2 NOTIFY', 'CSeq incremented');
    t.equal(header(second, 'Call-ID'), header(first, 'Call-ID'), 'same Call-ID');
    t.equal(/tag=(\w+)/.exec(header(second, 'From') ?? '')?.[1], /tag=(\w+)/.exec(header(first, 'From') ?? '')?.[1], 'same From tag');
    t.not(/branch=(\w+)/.exec(header(second, 'Via') ?? '')?.[1], /branch=(\w+)/.exec(header(first, 'Via') ?? '')?.[1], 'a new branch: a new transaction');
    const authorization = header(second, 'Authorization') ?? '';
    t.match(authorization, new RegExp(`^Digest username="${creds[p.mac]!.authName}", realm="phone\\.test", nonce="[^"]+", uri="sip:${p.username}@${p.address.replace(/\./g, '\\.')}:${sipPort}", response="[0-9a-f]{32}", algorithm=MD5, cnonce="[0-9a-f]+", qop=auth, nc=00000001$`), 'Digest with the SIP auth name');
    t.notOk(second.includes(creds[p.mac]!.password), 'never the password itself');
    // sipp checked the response against the password (verifyauth): a wrong one would have got 403.
    await boot(p);
    t.equal((await waitFor(server, p.mac, r.id, (x) => x.state === 'confirmed'))?.state, 'confirmed');
  });

  await t.test('site resync: seen devices staggered, the others listed as skipped', async (t) => {
    const other = await server.api('POST', '/sites', { body: { name: 'Branch', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
    const emp = await server.api('POST', '/employees', { body: { siteId: other.json.id, firstName: 'D', lastName: 'E', username: 'dee', extension: '200', device: { mac: '805ec0000b04', model: 'yealink-t54w' } } });
    t.equal(emp.status, 201, emp.text);
    const empty = await server.api('POST', `/sites/${other.json.id as string}/resync`);
    t.equal(empty.status, 202, empty.text);
    t.same(empty.json, { resyncs: [], skipped: [{ mac: '805ec0000b04', reason: 'never_seen' }] });

    const phone = await startSippPhone(dir, 'notify-200.xml', PHONES.yealink.address, sipPort);
    t.teardown(() => phone.kill());
    const all = await server.api('POST', `/sites/${site.json.id as string}/resync`);
    t.equal(all.status, 202, all.text);
    t.equal(all.json.resyncs.length, 3, 'the three phones seen');
    t.ok(all.json.resyncs.every((r: ResyncJson & { siteId: string }) => r.siteId === site.json.id), 'each names the site');
    t.equal(await phone.done, 0, 'the Yealink got its NOTIFY');
    const y = all.json.resyncs.find((r: ResyncJson & { mac: string }) => r.mac === PHONES.yealink.mac) as ResyncJson;
    t.equal((await waitFor(server, PHONES.yealink.mac, y.id, (x) => x.answered === 200))?.answered, 200);
  });

  t.ok(server.logs.every((l) => !Object.values(creds).some((c) => l.includes(c.password))), 'no SIP password in the logs');
});
