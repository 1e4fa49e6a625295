import t from 'tap';
import { PUBLIC_URL, withMac, type VendorCase } from '../helpers/boot.js';
import { cases as aastra } from '../helpers/cases/aastra.js';
import { cases as cisco } from '../helpers/cases/cisco.js';
import { cases as fanvil } from '../helpers/cases/fanvil.js';
import { cases as grandstream } from '../helpers/cases/grandstream.js';
import { cases as polycom } from '../helpers/cases/polycom.js';
import { cases as snom } from '../helpers/cases/snom.js';
import { cases as yealink } from '../helpers/cases/yealink.js';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

/**
 * An office after a power cut: 50 phones of every vendor behind one NAT address boot, and boot
 * again within the minute, each asking for every name of its real boot sequence (the ones
 * Dialtone does not serve too). None may get the address banned, and every phone gets its files;
 * a prober at another address is still banned.
 */
const CASES: VendorCase[] = [...aastra, ...cisco, ...fanvil, ...grandstream, ...polycom, ...snom, ...yealink];
const PHONES = 50;
const DEADLINE_MS = 60_000;

t.test('50 phones behind one address boot twice within a minute: no ban, every file', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const api = server.ok;
  const site = await api('POST', '/sites', { name: 'Office', timeZone: 'Europe/London', sip: { registrar: 'sip.example.com' } });
  const phones: Array<{ c: VendorCase; password: string }> = [];
  for (let i = 0; i < PHONES; i++) {
    const base = CASES[i % CASES.length] as VendorCase;
    // The vendor's own OUI, so a phone looks like one of its kind to every rule that reads it.
    const c = withMac(base, `${base.mac.slice(0, 6)}${(0x1000000 + i).toString(16).slice(1)}`);
    const employee = await api('POST', '/employees', { siteId: site.id, firstName: 'Phone', lastName: String(i), username: `phone${i}`, extension: String(200 + i), device: { mac: c.mac, model: c.model } });
    phones.push({ c, password: employee.device.credentials.password });
  }
  t.equal(new Set(phones.map((p) => p.c.mac)).size, PHONES, `${PHONES} distinct MACs over ${CASES.length} models`);
  const routine = phones.reduce((n, p) => n + p.c.routine.length, 0);
  // Each is asked for over HTTP and HTTPS, twice: far past the 30 misses a minute that ban a prober.
  t.ok(routine * 4 > 30, `the phones ask for ${routine} names Dialtone does not serve, each boot`);

  const started = Date.now();
  const failures: string[] = [];
  const boot = async ({ c, password }: { c: VendorCase; password: string }) => {
    for (const protocol of ['http', 'https'] as const) {
      let line = false;
      for (const file of c.boot) {
        const r = await fetchFile(server, protocol, `/${file}`, { userAgent: c.userAgent });
        const expected = c.routine.includes(file) || (protocol === 'http' && c.confidentialOnly?.includes(file)) ? 404 : 200;
        if (r.status !== expected) failures.push(`${c.name} ${c.mac} ${protocol} ${file}: ${r.status}, expected ${expected}`);
        if (protocol === 'https' && c.deviceFiles.includes(file) && r.text.includes(password)) line = true;
      }
      if (protocol === 'https' && !line) failures.push(`${c.name} ${c.mac}: no file carried its line over HTTPS`);
    }
  };
  for (const round of ['power on', 'second power cut']) {
    await Promise.all(phones.map(boot));
    t.same(failures, [], `${round}: every phone got every file it serves, and a 404 for the rest`);
    t.same((await api('GET', '/bans')).items, [], `${round}: the office's address is not banned`);
  }
  t.ok(Date.now() - started < DEADLINE_MS, `both boots within a minute (${Date.now() - started} ms)`);

  // A prober at another address asking for names no phone asks for is banned all the same.
  const prober = '127.0.0.2';
  for (let i = 0; i < 40; i++) await fetchFile(server, 'http', `/probe-${i}.cfg`, { from: prober });
  const bans = (await api('GET', '/bans')).items as Array<{ address: string }>;
  t.same(
    bans.map((b) => b.address),
    [prober],
    'the prober is banned, the office is not',
  );
  const after = await fetchFile(server, 'https', `/${phones[0]?.c.deviceFiles[0]}`, { userAgent: phones[0]?.c.userAgent ?? '' });
  t.equal(after.status, 200, 'and the office still gets its files');
  await server.stop();
});
