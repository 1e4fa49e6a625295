import type { Test } from 'tap';
import { curlDigest, fetchFile, haveCurl, type FileReply } from './phone.js';
import { startServer, type Running } from './server.js';
import { FileIndex } from '../../src/vendors/index.js';

/** What a line looks like in a vendor's file, as the vendor test reads it back. */
export interface LineFacts {
  user?: string;
  authName?: string;
  password?: string;
  registrar?: string;
  displayName?: string;
  /** The phone's own web admin password, as the file sets it. */
  adminPassword?: string;
  /** The file's time-zone setting(s), for the test to compare with what it expects. */
  timeZone?: unknown;
}

/**
 * One current model's real boot, as a vendor test and the one-address load test replay it. Cases
 * live in `test/helpers/cases/<vendor>.ts`; every name and the User-Agent come from a source named
 * in `src/vendors/facts/<vendor>.md`.
 */
export interface VendorCase {
  /** What the case is, e.g. `Yealink T54W`. */
  name: string;
  model: string;
  /** 12 lower-case hex digits; `withMac` rewrites it (in any spelling) in names and User-Agent. */
  mac: string;
  userAgent: string;
  /** Every name a factory-fresh phone asks for, in order, including those Dialtone does not serve. */
  boot: string[];
  /** The names of `boot` that Dialtone does not serve: a 404 that never counts toward a ban. */
  routine: string[];
  /** The boot names that carry the line (and so secrets when complete). */
  deviceFiles: string[];
  /**
   * Served boot names that only a confidential channel gets (the company directory: people's
   * names): over plain HTTP a 404 that never counts toward a ban.
   */
  confidentialOnly?: string[];
  /** Reads the line from a full device file; XML files must be parsed with a real parser here. */
  readLine(t: Test, file: string, text: string): LineFacts;
  /**
   * Checks on each served file over plain HTTP: where the CA goes, and how the phone comes back
   * over HTTPS without anyone rebooting it. ("No secret in it" is checked by the replay.)
   */
  checkBootstrap(t: Test, file: string, text: string): void;
  /** Checks on each served file over HTTPS: the CA's place (where the file carries it) and the periodic re-check. */
  checkFull(t: Test, file: string, text: string): void;
  /** The time-zone value(s) expected in the full file for America/New_York. */
  expectedTimeZone: unknown;
  /** The longest line name the phone takes, where the pack cuts them (Aastra/Mitel: 20). */
  nameMax?: number;
}

/** The spellings a MAC takes in file names and User-Agents. */
const spellings = (mac: string): string[] => {
  const pairs = mac.match(/../g) ?? [];
  return [mac, mac.toUpperCase(), pairs.join(':'), pairs.join(':').toUpperCase(), pairs.join('-'), pairs.join('-').toUpperCase()];
};

/** The same case for another phone of the model: its MAC rewritten in every name and the User-Agent. */
export function withMac(c: VendorCase, mac: string): VendorCase {
  const from = spellings(c.mac);
  const to = spellings(mac);
  const swap = (s: string): string => from.reduce((out, f, i) => out.replaceAll(f, to[i] as string), s);
  return { ...c, mac, userAgent: swap(c.userAgent), boot: c.boot.map(swap), routine: c.routine.map(swap), deviceFiles: c.deviceFiles.map(swap), ...(c.confidentialOnly ? { confidentialOnly: c.confidentialOnly.map(swap) } : {}) };
}

export const PUBLIC_URL = 'https://prov.example.com:8443/';

/**
 * Replays a vendor's boot sequence against the real server: bootstrap over HTTP pointing at
 * HTTPS; full files over HTTPS inside the enrollment window, checked against the store; after
 * the window, 401 without credentials, 200 with HTTP Digest (curl), 401 with another device's.
 */
export async function replayBoot(t: Test, c: VendorCase): Promise<void> {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const api = server.ok;
  const site = await api('POST', '/sites', {
    name: 'Main',
    timeZone: 'America/New_York',
    address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' },
    sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' },
    voicemailNumber: '*97',
    ntpServer: 'ntp.example.com',
  });
  const employee = await api('POST', '/employees', {
    siteId: site.id,
    firstName: 'Zoë "Z" <O\'Brien> & Co ]]>',
    lastName: 'Ada\naccount.1.password = x',
    username: 'zoe.obrien',
    phoneNumber: '+1 212 736 5000',
    device: { mac: c.mac, model: c.model },
  });
  const creds = employee.device.credentials;
  const secrets = [creds.password, creds.provisioning.password, creds.adminPassword];
  const other = await api('POST', '/devices', { mac: '00:15:65:ff:ff:fe', model: c.model });

  const index = new FileIndex();
  for (const file of c.routine) {
    t.ok(c.boot.includes(file), `${file} is a boot name`);
    // As the server does: only the last segment of a path is the name.
    t.ok(index.routine(file.slice(file.lastIndexOf('/') + 1)), `${file} is a routine miss`);
  }
  const served = c.boot.filter((f) => !c.routine.includes(f));

  // 1. Plain HTTP: no secrets, whatever is asked; every name in order, the routine ones a 404.
  for (const file of c.boot) {
    const r = await fetchFile(server, 'http', `/${file}`, { userAgent: c.userAgent });
    if (!served.includes(file)) {
      t.equal(r.status, 404, `HTTP ${file}: a routine miss`);
      continue;
    }
    if (c.confidentialOnly?.includes(file)) {
      t.equal(r.status, 404, `HTTP ${file}: only over TLS`);
      continue;
    }
    t.equal(r.status, 200, `HTTP ${file}`);
    for (const s of secrets) t.notOk(r.text.includes(s), `HTTP ${file} carries no secret`);
    if (c.deviceFiles.includes(file)) {
      t.ok(r.text.includes(PUBLIC_URL.replace(/^https:\/\//, '').replace(/\/$/, '')), `HTTP ${file} points at the HTTPS host (the vendor test checks the form)`);
    }
    c.checkBootstrap(t, file, r.text);
  }

  // 2. HTTPS inside the window: the full files, the line as stored.
  const full: Record<string, FileReply> = {};
  for (const file of c.boot) {
    const r = await fetchFile(server, 'https', `/${file}`, { userAgent: c.userAgent });
    if (!served.includes(file)) {
      t.equal(r.status, 404, `HTTPS ${file}: a routine miss`);
      continue;
    }
    t.equal(r.status, 200, `HTTPS ${file}`);
    t.ok(r.headers.etag, `HTTPS ${file} has an ETag`);
    c.checkFull(t, file, r.text);
    full[file] = r;
  }
  t.same((await api('GET', '/bans')).items, [], 'no ban after the whole sequence, twice');
  let sawLine = false;
  for (const file of c.deviceFiles) {
    const text = full[file]?.text ?? '';
    const line = c.readLine(t, file, text);
    if (line.password === undefined) continue;
    sawLine = true;
    t.equal(line.user, 'zoe.obrien', `${file}: user`);
    t.equal(line.authName, creds.authName, `${file}: auth name`);
    t.equal(line.password, creds.password, `${file}: password`);
    t.equal(line.registrar, 'sip.example.com', `${file}: registrar`);
    const name = [...'Zoë "Z" <O\'Brien> & Co ]]> Ada account.1.password = x'].slice(0, c.nameMax).join('').trimEnd();
    t.equal(line.displayName, name, `${file}: display name, escaped and on one line${c.nameMax ? `, cut to ${c.nameMax}` : ''}`);
    t.same(line.timeZone, c.expectedTimeZone, `${file}: time zone`);
    t.ok(text.includes(creds.provisioning.password), `${file}: carries the provisioning credentials`);
    t.equal(line.adminPassword, creds.adminPassword, `${file}: the phone's own admin password, generated for it`);
    t.notOk(text.includes(other.credentials.password), `${file}: nothing of another device`);
  }
  t.ok(sawLine, 'a device file carried the line');

  const deviceFile = c.deviceFiles.find((f) => full[f]?.text.includes(creds.password)) as string;
  const again = await fetchFile(server, 'https', `/${deviceFile}`, { userAgent: c.userAgent, headers: { 'if-none-match': String(full[deviceFile]?.headers.etag) } });
  t.equal(again.status, 304, 'a resync of an unchanged file is a 304');

  // 3. After the window: Digest with this device's credentials only.
  await api('POST', `/devices/${c.mac}/reprovision`, { windowSeconds: 0 });
  const closed = await fetchFile(server, 'https', `/${deviceFile}`, { userAgent: c.userAgent });
  t.equal(closed.status, 401, 'after the window: 401 without credentials');
  t.match(String(closed.headers['www-authenticate']), /Digest realm="dialtone"/);
  t.notOk(closed.text.includes(creds.password));
  if (!(await haveCurl())) {
    t.skip('curl not installed: the Digest steps need it', async () => {});
  } else {
    const ok = await curlDigest(server, `/${deviceFile}`, creds.provisioning.username, creds.provisioning.password, c.userAgent);
    t.equal(ok.status, 200, 'after the window: 200 with Digest (curl)');
    t.ok(ok.text.includes(creds.password), 'and the full file');
    const wrong = await curlDigest(server, `/${deviceFile}`, other.credentials.provisioning.username, other.credentials.provisioning.password, c.userAgent);
    t.equal(wrong.status, 401, "another device's credentials do not open this device's file");
  }

  // 4. The timeline.
  const events = await api('GET', `/devices/${c.mac}/events`);
  t.ok(events.some((e: { protocol: string; variant?: string }) => e.protocol === 'http' && e.variant === 'bootstrap'), 'timeline: bootstrap over HTTP');
  t.ok(events.some((e: { protocol: string; variant?: string }) => e.protocol === 'https' && e.variant === 'full'), 'timeline: full over HTTPS');
  t.ok(events.some((e: { status: number }) => e.status === 401), 'timeline: the 401');
  t.notOk(JSON.stringify(events).includes(creds.password), 'timeline holds no secrets');
  const device = await api('GET', `/devices/${c.mac}`);
  t.equal(device.lastSeen?.model, c.model, 'last seen: model from the User-Agent');
  const logs = server.logs.join('\n');
  for (const s of secrets) t.notOk(logs.includes(s), 'no secret in the logs');
  await server.stop();
}

export type { Running };
