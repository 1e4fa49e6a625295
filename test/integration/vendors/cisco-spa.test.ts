import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import { fetchFile } from '../../helpers/phone.js';
import { startServer } from '../../helpers/server.js';
import { fetchWith, onPath, run } from '../../helpers/tftp.js';
import { elements, parseXml } from '../../helpers/xml.js';

/**
 * The Cisco SPA path: an SPA trusts only Cisco-signed certificates for HTTPS provisioning, so it
 * is handed a profile key inside its enrollment window and takes its full file sealed under that
 * key over plain HTTP or TFTP. Decrypted here by openssl itself, as `openssl enc` would.
 */
const MAC = '0002fdff2103';
const UA = 'Cisco/SPA508G-7.4.4 (0002FDFF2103)(CBT141400UK)';

const value = (xml: string, tag: string): string | undefined => elements(parseXml(xml), tag).at(-1)?.textContent ?? undefined;

if (!onPath('openssl') || !onPath('curl')) {
  t.skip('openssl and curl are needed: the sealed profile is opened by openssl, TFTP fetched by curl', async () => {});
} else {
  t.test('SPA: model file → key inside the window → sealed profile, opened by openssl', async (t) => {
    const dir = t.testdir();
    const server = await startServer(t, dir, { DIALTONE_PUBLIC_URL: 'https://prov.example.com:8443/', DIALTONE_TFTP_LISTEN: '127.0.0.1:0' });
    const api = server.ok;
    const site = await api('POST', '/sites', { name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com' } });
    const employee = await api('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '201', device: { mac: MAC, model: 'cisco-spa508g' } });
    const creds = employee.device.credentials;
    const secrets = [creds.password, creds.provisioning.password];
    const other = await api('POST', '/devices', { mac: '0002fdff2104', model: 'cisco-spa508g' });
    const http = (name: string, from?: string) => fetchFile(server, 'http', `/${name}`, { userAgent: UA, ...(from ? { from } : {}) });
    const tftp = async (name: string): Promise<Buffer> => {
      const to = join(dir, `tftp-${name}`);
      const { ran, body } = await fetchWith('curl', ['-sS', '-o', to, `tftp://127.0.0.1:${server.ports.tftp}/${name}`], to);
      if (!body) throw new Error(`tftp ${name}: ${ran.stderr}`);
      return body;
    };
    let n = 0;
    const open = async (sealed: Buffer, key: string): Promise<{ ok: boolean; text: string }> => {
      const file = join(dir, `sealed-${n++}`);
      await writeFile(file, sealed);
      const r = await run('openssl', ['enc', '-d', '-aes-256-cbc', '-md', 'md5', '-k', key, '-in', file]);
      return { ok: r.code === 0, text: r.stdout };
    };

    // 1. The model file, as a factory SPA asks for it over TFTP: on to the key over plain HTTP.
    const model = (await tftp('spa508G.cfg')).toString();
    t.equal(value(model, 'Profile_Rule_B'), `http://prov.example.com:${server.ports.http}/$MA-key.xml`, 'model file: Profile_Rule_B is the key file over plain HTTP');
    t.equal(value(model, 'Custom_CA_Rule'), undefined, 'no CA an SPA could not use');

    // 2. The key, inside the window, over plain HTTP (the phone's first fetch claims the window).
    const keyFile = await http(`${MAC}-key.xml`);
    t.equal(keyFile.status, 200);
    for (const s of secrets) t.notOk(keyFile.text.includes(s), 'the key file carries no password');
    const rule = value(keyFile.text, 'Profile_Rule_C') ?? '';
    const m = /^\[--key ([0-9a-f]{40})\](http:\/\/prov\.example\.com:\d+\/)\$MA\.aes$/.exec(rule);
    t.ok(m, `Profile_Rule_C holds the key and the sealed file's URL: ${rule}`);
    const key = m?.[1] ?? '';
    t.equal(value(keyFile.text, 'Resync_Periodic'), '60', 'and a short resync, should the firmware wait for the next one');
    const stolen = await http(`${MAC}-key.xml`, '127.0.0.9');
    t.notOk(stolen.text.includes(key), 'another address in the same window: no key (the window is claimed)');

    // 3. The sealed profile: openssl opens it with the key; the line is the stored one.
    const sealed = await http(`${MAC}.aes`);
    t.equal(sealed.status, 200);
    t.equal(sealed.body.subarray(0, 8).toString(), 'Salted__', 'openssl enc format');
    for (const s of secrets) t.notOk(sealed.body.includes(s), 'no password in clear');
    const opened = await open(sealed.body, key);
    t.ok(opened.ok, 'openssl enc -d -aes-256-cbc -md md5 opens it');
    const profile = opened.text.trimEnd();
    t.equal(value(profile, 'Password_1_'), creds.password, 'the SIP password');
    t.equal(value(profile, 'Auth_ID_1_'), creds.authName, 'the auth name');
    t.equal(value(profile, 'Proxy_1_'), 'sip.example.com:5060', 'the registrar');
    t.equal(value(profile, 'Profile_Rule'), `[--key ${key}]http://prov.example.com:${server.ports.http}/$MA.aes`, 'from now on the phone fetches only its sealed file');
    t.equal(value(profile, 'Profile_Rule_B'), '', 'and no longer its model file');
    t.equal(value(profile, 'Resync_Periodic'), '86400', 'a daily re-check');
    t.same(await tftp(`${MAC}.aes`), sealed.body, 'the same bytes over TFTP');
    const again = await fetchFile(server, 'http', `/${MAC}.aes`, { userAgent: UA, headers: { 'if-none-match': String(sealed.headers.etag) } });
    t.equal(again.status, 304, 'an unchanged sealed file is a 304');
    const overTls = await fetchFile(server, 'https', `/${MAC}.aes`, { userAgent: UA });
    t.same(overTls.body, sealed.body, 'sealed over HTTPS too: one file, one form');

    // 4. Strangers: another device's file does not open with this key; a MAC nobody registered
    // gets bytes of the same size that open with nothing.
    const theirs = await http(`${other.mac}.aes`);
    t.notOk((await open(theirs.body, key)).ok, "another device's sealed file does not open with this key");
    const nobody = await http('0002fdaaaaaa.aes');
    t.equal(nobody.status, 200, 'a MAC nobody registered: 200 as well');
    t.equal(nobody.body.length, sealed.body.length, 'of the same size');
    t.equal(nobody.body.subarray(0, 8).toString(), 'Salted__');
    t.same((await http('0002fdaaaaaa.aes')).body, nobody.body, 'and the same bytes each time, as a real one');
    t.notOk((await open(nobody.body, key)).ok, 'which open with no key of ours');
    const unknownKey = await http('0002fdaaaaaa-key.xml');
    t.equal(unknownKey.status, 200, unknownKey.text);
    t.equal(value(unknownKey.text, 'Profile_Rule_C'), undefined, 'a MAC nobody registered: no key');

    // 5. After the window: no key on any channel without the device's credentials; the phone
    // keeps its key and its sealed file.
    await api('POST', `/devices/${MAC}/reprovision`, { windowSeconds: 0 });
    const closed = await http(`${MAC}-key.xml`);
    t.equal(closed.status, 200);
    t.notOk(closed.text.includes(key), 'HTTP after the window: no key');
    t.equal(closed.text.replace(MAC.toUpperCase(), 'X'), unknownKey.text.replace('0002FDAAAAAA', 'X'), 'the same answer as for a MAC nobody registered');
    t.notOk((await tftp(`${MAC}-key.xml`)).toString().includes(key), 'TFTP after the window: no key');
    t.equal((await fetchFile(server, 'https', `/${MAC}-key.xml`, { userAgent: UA })).status, 401, 'HTTPS after the window: a challenge');
    const later = await http(`${MAC}.aes`);
    t.ok((await open(later.body, key)).ok, 'the sealed file still opens with the key the phone holds');

    // 6. The timeline says what happened, without the key.
    const events = await api('GET', `/devices/${MAC}/events`);
    t.ok(events.some((e: { variant?: string; reason?: string }) => e.variant === 'sealed' && e.reason === 'sealed'), 'timeline: the sealed file');
    t.ok(events.some((e: { variant?: string; reason?: string }) => e.variant === 'full' && e.reason === 'in_window'), 'timeline: the key, in the window');
    t.notOk(JSON.stringify(events).includes(key), 'the timeline holds no key');
    const logs = server.logs.join('\n');
    t.notOk(logs.includes(key), 'the logs hold no key');
    for (const s of secrets) t.notOk(logs.includes(s), 'nor any password');
    await server.stop();
  });
}
