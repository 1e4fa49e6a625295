import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { makeCa, makeDevice, vendorSubject, type Pem } from '../helpers/device-certs.js';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';
import { onPath } from '../helpers/tftp.js';

const run = promisify(execFile);

/** One current model per vendor, a MAC of its OUI, and the per-device file its phones ask for. */
const PHONES = [
  { vendor: 'yealink', model: 'yealink-t54w', mac: '805ec0000a01', file: (m: string) => `${m}.cfg` },
  { vendor: 'polycom', model: 'polycom-vvx-450', mac: '64167f000a02', file: (m: string) => `${m}-phone.cfg` },
  { vendor: 'cisco', model: 'cisco-8841-3pcc', mac: 'e05fb9000a03', file: (m: string) => `${m}.xml` },
  { vendor: 'grandstream', model: 'grandstream-grp2614', mac: 'c074ad000a04', file: (m: string) => `cfg${m}.xml` },
  { vendor: 'snom', model: 'snom-d785', mac: '000413000a05', file: (m: string) => `${m.toUpperCase()}.xml` },
  { vendor: 'fanvil', model: 'fanvil-x4u', mac: '0c383e000a06', file: (m: string) => `${m}.cfg` },
  { vendor: 'aastra', model: 'aastra-6867i', mac: '00085d000a07', file: (m: string) => `${m.toUpperCase()}.cfg` },
] as const;

t.test('factory certificates on the real HTTPS listener, for every vendor', async (t) => {
  const dir = t.testdir();
  const vendorsDir = join(dir, 'certs', 'vendors');
  await mkdir(vendorsDir, { recursive: true });
  const cas = Object.fromEntries(PHONES.map((p) => [p.vendor, makeCa(`${p.vendor} test device CA`)]));
  for (const p of PHONES) await writeFile(join(vendorsDir, `${p.vendor}.pem`), cas[p.vendor]!.cert);
  const stranger = makeCa('Nobody installed this CA');

  const server = await startServer(t, dir);
  t.ok(server.logs.some((l) => l.includes('asking phones for their factory certificates')), 'the listener asks for certificates');
  const api = server.ok;
  const models = (await api('GET', '/models')) as Array<{ id: string; vendor: string }>;

  for (const p of PHONES) {
    await t.test(p.vendor, async (t) => {
      const model = models.find((m) => m.id === p.model) ?? models.find((m) => m.vendor === p.vendor);
      if (!model) throw new Error(`no ${p.vendor} model`);
      const other = `${p.mac.slice(0, 10)}ff`;
      const device = await api('POST', '/devices', { mac: p.mac, model: model.id });
      await api('POST', '/devices', { mac: other, model: model.id });
      await api('POST', `/devices/${p.mac}/reprovision`, { windowSeconds: 0 });
      const password = device.credentials.provisioning.password as string; // no employee, so no SIP line: the file's secret is its provisioning password
      const get = (clientCert?: Pem) => fetchFile(server, 'https', `/${p.file(p.mac)}`, clientCert ? { clientCert } : {});

      const own = makeDevice(cas[p.vendor]!, vendorSubject(p.vendor, p.mac));
      const mine = await get(own);
      t.equal(mine.status, 200, 'its own certificate, after the window: the full file');
      t.ok(mine.text.includes(password), 'with its secrets');
      t.equal((await get()).status, 401, 'without one: challenged');

      const cases: Array<[string, Pem]> = [
        ['a certificate for another MAC', makeDevice(cas[p.vendor]!, vendorSubject(p.vendor, other))],
        ['a certificate from a CA nobody installed', makeDevice(stranger, vendorSubject(p.vendor, p.mac))],
        ['an expired certificate', makeDevice(cas[p.vendor]!, vendorSubject(p.vendor, p.mac), { from: new Date(Date.now() - 10 * 86_400_000), to: new Date(Date.now() - 86_400_000) })],
      ];
      const otherVendor = PHONES.find((q) => q.vendor !== p.vendor)!;
      cases.push([`a ${otherVendor.vendor} certificate naming this MAC`, makeDevice(cas[otherVendor.vendor]!, vendorSubject(otherVendor.vendor, p.mac))]);
      for (const [what, cert] of cases) {
        const r = await get(cert);
        t.equal(r.status, 401, `${what}: refused`);
        t.notOk(r.text.includes(password));
      }
      const events = (await api('GET', `/devices/${p.mac}/events`)) as Array<{ reason?: string; source?: string }>;
      t.ok(events.some((e) => e.reason === 'certificate' && e.source === 'device'), 'timeline: served on its certificate');
      t.equal(events.filter((e) => e.reason === 'certificate_refused').length, cases.length, 'timeline: each refusal recorded');

      // Certificates only: no window without one.
      await api('PATCH', `/devices/${p.mac}`, { requireDeviceCertificate: true });
      await api('POST', `/devices/${p.mac}/reprovision`, {});
      const windowOnly = await get();
      t.equal(windowOnly.status, 401, 'requireDeviceCertificate: a window fetch without one is refused');
      t.notOk(windowOnly.text.includes(password));
      t.equal((await get(own)).status, 200, 'with it: served');
    });
  }

  await t.test('openssl s_client -cert', { skip: onPath('openssl') ? false : 'openssl not installed (Debian package openssl)' }, async (t) => {
    const p = PHONES[0];
    const own = makeDevice(cas[p.vendor]!, vendorSubject(p.vendor, p.mac));
    const work = t.testdir();
    await writeFile(join(work, 'dev.crt'), own.cert);
    await writeFile(join(work, 'dev.key'), own.key);
    const request = `GET /${p.file(p.mac)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`;
    const child = run('openssl', ['s_client', '-quiet', '-connect', `127.0.0.1:${server.ports.https}`, '-servername', 'localhost', '-CAfile', join(dir, 'certs', 'dialtone-ca.crt'), '-verify_return_error', '-cert', join(work, 'dev.crt'), '-key', join(work, 'dev.key')], { timeout: 20_000 });
    child.child.stdin?.end(request);
    // s_client may exit non-zero once the server closes; what it printed is what counts.
    const out = await child.catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
    t.match(out.stdout, /^HTTP\/1\.1 200 OK/, 'openssl presenting the phone’s certificate gets the file');
    t.match(out.stdout, new RegExp(`dt${p.mac}`), 'the full file: it names the device’s provisioning user');
  });
  await server.stop();
});
