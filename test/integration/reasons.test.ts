/**
 * "Why doesn't this phone work?": every reason a technician reads on a device's timeline,
 * each produced by a real request against the real server, while the phone is told nothing.
 */
import { connect as netConnect } from 'node:net';
import { connect } from 'node:tls';
import t from 'tap';
import { digestResponse } from '../../src/provision/digest.js';
import { curlDigest, fetchFile, haveCurl } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const MAC = '805ec0000a01';
const UA = 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:0a:01';
const PHONE = '127.0.0.5';

interface Event {
  file: string;
  status: number;
  address: string;
  reason?: string;
  flag?: string;
  source?: string;
  detail?: string;
}

// Nonces good for a second, so a stale one can be shown without a long wait.
const server = await startServer(t, t.testdir(), { DIALTONE_DIGEST_NONCE_SECONDS: '1' });
t.teardown(() => server.stop());
const api = server.ok;
const site = await api('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
const employee = await api('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: MAC, model: 'yealink-t54w' } });
const creds = employee.device.credentials as { provisioning: { username: string; password: string } };
const events = async (): Promise<Event[]> => api('GET', `/devices/${MAC}/events`);
/** The newest event of the device for which `pick` holds. */
const newest = async (pick: (e: Event) => boolean): Promise<Event | undefined> => (await events()).filter(pick).at(-1);
const get = (protocol: 'http' | 'https', file: string, from = PHONE, userAgent = UA) => fetchFile(server, protocol, `/${file}`, { userAgent, from });

t.test('served: in the window, over HTTP as bootstrap, common files, and a 304', async (t) => {
  t.equal((await get('http', `${MAC}.cfg`)).status, 200);
  t.match(await newest((e) => e.file === `${MAC}.cfg`), { status: 200, reason: 'bootstrap', source: 'claim' }, 'bootstrap: plain HTTP gets no secrets');
  const full = await get('https', `${MAC}.cfg`);
  t.match(await newest((e) => e.file === `${MAC}.cfg`), { status: 200, reason: 'in_window', source: 'device' });
  const again = await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA, from: PHONE, headers: { 'if-none-match': String(full.headers.etag) } });
  t.equal(again.status, 304);
  t.match(await newest((e) => e.file === `${MAC}.cfg`), { status: 304, reason: 'not_modified' });
  t.equal((await get('https', `${MAC}.cfg`, PHONE, 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:0a:01')).status, 200, 'another model says it is this phone: still served');
  t.match(await newest((e) => e.file === `${MAC}.cfg`), { status: 200, reason: 'in_window', flag: 'model_mismatch' }, 'but flagged');
});

t.test('refused: claimed window, closed window, wrong credentials, the Digest that works', async (t) => {
  t.equal((await get('https', `${MAC}.cfg`, '127.0.0.6')).status, 401, 'another address in the claimed window');
  t.match(await newest((e) => e.address === '127.0.0.6'), { status: 401, reason: 'window_claimed' });
  await api('POST', `/devices/${MAC}/reprovision`, { windowSeconds: 0 });
  t.equal((await get('https', `${MAC}.cfg`)).status, 401);
  t.match(await newest((e) => e.status === 401 && e.address === PHONE), { reason: 'window_closed' });
  if (!(await haveCurl())) return t.skip('curl is not installed: the Digest reasons need it', async () => {});
  t.equal((await curlDigest(server, `/${MAC}.cfg`, creds.provisioning.username, 'wrong-password', UA, PHONE)).status, 401);
  t.match(await newest((e) => e.status === 401 && e.address === PHONE), { reason: 'bad_credentials' });
  t.equal((await curlDigest(server, `/${MAC}.cfg`, creds.provisioning.username, creds.provisioning.password, UA, PHONE)).status, 200);
  t.match(await newest((e) => e.status === 200), { reason: 'authenticated', source: 'device' });
});

t.test('a stale nonce: the right credentials on a nonce past its time', async (t) => {
  const challenge = await get('https', `${MAC}.cfg`);
  t.equal(challenge.status, 401);
  const header = ([] as string[]).concat(challenge.headers['www-authenticate'] ?? []).find((h) => /algorithm=MD5/.test(h)) ?? '';
  const nonce = /nonce="([^"]+)"/.exec(header)?.[1] ?? '';
  const opaque = /opaque="([^"]+)"/.exec(header)?.[1] ?? '';
  // The nonce's age is the condition itself: wait until more than its second has passed.
  const usable = Date.now() + 1100;
  while (Date.now() < usable) await new Promise((r) => setTimeout(r, usable - Date.now()));
  const uri = `/${MAC}.cfg`;
  const response = digestResponse('MD5', { username: creds.provisioning.username, password: creds.provisioning.password, realm: 'dialtone', method: 'GET', uri, nonce, nc: '00000001', cnonce: 'c0ffee' });
  const authorization = `Digest username="${creds.provisioning.username}", realm="dialtone", nonce="${nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=00000001, cnonce="c0ffee", response="${response}", opaque="${opaque}"`;
  const stale = await fetchFile(server, 'https', uri, { userAgent: UA, from: PHONE, headers: { authorization } });
  t.equal(stale.status, 401);
  t.match(String(stale.headers['www-authenticate']), /stale=true/, 'the phone is told to retry with a new nonce');
  t.match(await newest((e) => e.status === 401 && e.address === PHONE), { reason: 'stale_nonce' });
});

t.test('refused by policy: outside the site networks, certificate required, banned', async (t) => {
  await api('PATCH', `/sites/${site.id}`, { networks: ['10.0.0.0/8'] });
  await api('POST', `/devices/${MAC}/reprovision`, {});
  t.equal((await get('https', `${MAC}.cfg`)).status, 401);
  t.match(await newest((e) => e.status === 401), { reason: 'outside_networks' });
  await api('PATCH', `/sites/${site.id}`, { networks: null });
  await api('PATCH', `/devices/${MAC}`, { requireDeviceCertificate: true });
  t.equal((await get('https', `${MAC}.cfg`)).status, 401);
  t.match(await newest((e) => e.status === 401), { reason: 'certificate_required' });
  await api('PATCH', `/devices/${MAC}`, { requireDeviceCertificate: false });
  const prober = '127.0.0.77';
  for (let i = 0; i < 31; i++) await get('http', `probe-${i}.bin`, prober, '');
  t.ok(((await api('GET', '/bans')).items as Array<{ address: string }>).some((b) => b.address === prober), 'the prober is banned');
  t.equal((await get('https', `${MAC}.cfg`, prober)).status, 401);
  t.match(await newest((e) => e.address === prober), { reason: 'banned' });
  const misses = (await api('GET', '/misses')) as Event[];
  t.ok(misses.some((e) => e.file === 'probe-0.bin' && e.reason === 'unknown_file'), 'unknown_file, in the security log');
});

t.test('a mistyped MAC shows on the device it was probably meant for', async (t) => {
  const typo1 = '805ec0000a07';
  const typo2 = '805ec0000b07';
  const far = '805ec000bb07';
  for (const mac of [typo1, typo2, far]) t.equal((await get('https', `${mac}.cfg`, '127.0.0.8')).status, 401, `${mac}: the same 401 as any MAC`);
  const misses = (await api('GET', '/misses')) as Event[];
  t.ok(misses.some((e) => e.file === `${typo1}.cfg` && e.reason === 'unknown_device'), 'unknown_device, in the security log');
  const near = (await events()).filter((e) => e.reason === 'near_miss');
  t.same(
    near.map((e) => e.file),
    [`${typo1}.cfg`, `${typo2}.cfg`],
    'one and two hex digits off: near misses of this device; three: not',
  );
  t.match(near[0]?.detail, /1 hex digit off this MAC \(unknown_device\)/);
});

t.test("a TLS handshake failing from the device's last address", async (t) => {
  await new Promise<void>((resolve) => {
    // No CA given: the client refuses Dialtone's certificate, as a phone without our CA would.
    const raw = netConnect({ host: '127.0.0.1', port: server.ports.https ?? 0, localAddress: PHONE });
    const socket = connect({ socket: raw, servername: 'localhost' });
    socket.on('error', () => resolve());
    socket.on('secureConnect', () => {
      socket.destroy();
      resolve();
    });
  });
  const deadline = Date.now() + 5000;
  let failed: Event | undefined;
  while (!failed && Date.now() < deadline) failed = await newest((e) => e.reason === 'tls_failed');
  t.match(failed, { address: PHONE, reason: 'tls_failed', source: 'claim', detail: /hung up during the TLS handshake/ }, `recorded: ${failed?.detail}`);
  t.equal((await api('GET', `/devices/${MAC}`)).lastSeen?.address, PHONE, 'and last seen is still the last real fetch');
});
