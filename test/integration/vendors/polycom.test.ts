import t from 'tap';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { cases, polyCase, settings, TZ_KEYS } from '../../helpers/cases/polycom.js';
import { fetchFile } from '../../helpers/phone.js';
import { startServer } from '../../helpers/server.js';
import { elements, parseXml } from '../../helpers/xml.js';

for (const c of cases) t.test(`${c.name} boot sequence`, (t) => replayBoot(t, c));

const UA = 'FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application';

// The VVX family boots the same way [W-PC, FS-CA2]; kept from before the Edge E and CCX cases.
t.test('Polycom VVX 400 boot sequence', (t) => replayBoot(t, polyCase('Polycom VVX 400', 'polycom-vvx-400', '0004f2a1b2c3', UA)));

t.test('Polycom files: valid XML everywhere, masters and directories', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const api = server.ok;
  const site = await api('POST', '/sites', {
    name: 'Sydney',
    timeZone: 'Australia/Sydney',
    address: { line1: '1 Macquarie Street', city: 'Sydney', country: 'AU' },
    sip: { registrar: 'sip.example.com', transport: 'udp', outboundProxy: 'proxy.example.com' },
    voicemailNumber: '*97',
  });
  const employee = await api('POST', '/employees', {
    siteId: site.id,
    firstName: 'Zoë',
    lastName: 'Ng',
    username: 'zoe.ng',
    phoneNumber: '+61 2 9250 7111',
    device: { mac: '64167f0a0b0c', model: 'polycom-vvx-600' },
  });
  const creds = employee.device.credentials;
  const bare = await api('POST', '/devices', { mac: '0004f2000001', model: 'polycom-spip-335' });

  const get = async (protocol: 'http' | 'https', name: string) => {
    const r = await fetchFile(server, protocol, `/${name}`, { userAgent: UA });
    t.equal(r.status, 200, `${protocol} ${name}`);
    t.match(String(r.headers['content-type']), /^application\/xml/, `${name} is XML`);
    return { text: r.text, doc: parseXml(r.text) };
  };

  for (const protocol of ['http', 'https'] as const) {
    for (const name of ['64167f0a0b0c.cfg', '000000000000.cfg']) {
      const { doc, text } = await get(protocol, name);
      const app = doc.documentElement!;
      t.equal(app.tagName, 'APPLICATION', `${name}: one APPLICATION element`);
      t.equal(app.getAttribute('CONFIG_FILES'), '[PHONE_MAC_ADDRESS]-phone.cfg', `${name}: each phone asks for its own settings`);
      t.equal(app.getAttribute('CONTACTS_DIRECTORY'), '');
      t.notOk(text.includes(creds.password) || text.includes(creds.provisioning.password), `${name}: no secrets`);
    }
    for (const name of ['64167f0a0b0c-web.cfg', '0004f2000001-web.cfg']) {
      const { doc } = await get(protocol, name);
      t.equal(doc.documentElement?.tagName, 'polycomConfig');
    }
    const common = (await get(protocol, '000000000000-directory.xml')).doc;
    t.equal(common.documentElement?.tagName, 'directory');
    t.equal(elements(common, 'item').length, 0, 'the fallback anyone may fetch lists nobody');
  }

  // The company directory: the site's people over TLS; over plain HTTP a miss that says why and
  // does not count toward a ban, after which the phone takes the empty fallback.
  const plainDir = await fetchFile(server, 'http', '/64167f0a0b0c-directory.xml', { userAgent: UA });
  t.equal(plainDir.status, 404, 'no names over plain HTTP');
  t.notOk(plainDir.text.includes('Ng'));
  const dir = (await get('https', '64167f0a0b0c-directory.xml')).doc;
  t.same(
    elements(dir, 'item').map((i) => ['ln', 'fn', 'ct'].map((tag) => elements(i, tag)[0]?.textContent)),
    [
      ['Ng', 'Zoë', '7111'],
      ['Ng', 'Zoë', '+61292507111'],
    ],
    'the extension, then the outside number',
  );
  const noSite = await fetchFile(server, 'https', '/0004f2000001-directory.xml', { userAgent: UA });
  t.equal(noSite.status, 200, 'a device without a site gets an empty company directory, clearing any it had');
  t.equal(elements(parseXml(noSite.text), 'item').length, 0);
  const misses = (await api('GET', '/misses')) as Array<{ protocol: string; file: string; reason?: string }>;
  t.ok(misses.some((e) => e.protocol === 'http' && e.file === '64167f0a0b0c-directory.xml' && e.reason === 'confidential_only'), 'the security log says why');
  t.same((await api('GET', '/bans')).items, []);

  // The full settings: UDP with an outbound proxy, a southern-hemisphere zone.
  const full = settings((await get('https', '64167f0a0b0c-phone.cfg')).text);
  t.equal(full('reg.1.server.1.transport'), 'UDPOnly');
  t.equal(full('reg.1.server.1.port'), '5060');
  t.equal(full('reg.1.outboundProxy.address'), 'proxy.example.com');
  t.equal(full('reg.1.auth.password'), creds.password);
  t.same(TZ_KEYS.map(full), ['36000', '1', '0', '10', '1', '1', '0', '2', '4', '1', '1', '0', '3']);
  t.equal(full('device.sec.TLS.customCaCert1')?.trim(), server.ca.trim(), 'the Dialtone CA, byte for byte');

  // A device without an employee: no line, no secrets but its provisioning credentials.
  const lone = settings((await get('https', '0004f2000001-phone.cfg')).text);
  t.equal(lone('reg.1.address'), '');
  t.equal(lone('reg.1.auth.password'), '');
  t.equal(lone('device.prov.password'), bare.credentials.provisioning.password);
  t.same(TZ_KEYS.slice(0, 3).map(lone), ['0', '0', null], 'UTC without a site');

  // A MAC nobody registered is challenged like a device out of its window; other names are misses.
  t.equal((await fetchFile(server, 'https', '/0004f2ffffff-phone.cfg', { userAgent: UA })).status, 401, 'an unregistered MAC: challenged');
  for (const name of ['0004F2000001-phone.cfg', '0004f2000001-app.log']) {
    const r = await fetchFile(server, 'https', `/${name}`, { userAgent: UA });
    t.equal(r.status, 404, `${name} is a miss`);
  }
  await server.stop();
});
