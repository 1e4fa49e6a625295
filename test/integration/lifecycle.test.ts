import t from 'tap';
import { startServer, storedText } from '../helpers/server.js';

t.test('create over HTTPS, restart, read back', async (t) => {
  const dir = t.testdir();
  let server = await startServer(t, dir);

  const health = await server.api('GET', '/health', { token: null });
  t.same([health.status, health.json], [200, { status: 'ok' }]);

  const site = await server.api('POST', '/sites', {
    body: {
      name: 'Head office',
      timeZone: 'America/New_York',
      address: { line1: '350 Fifth Avenue', city: 'New York', region: 'NY', postalCode: '10118', country: 'us' },
      sip: { registrar: 'sip.example.com', port: 5061, transport: 'tls' },
      voicemailNumber: '*97',
    },
  });
  t.equal(site.status, 201, site.text);
  t.equal(site.json.address.country, 'US');

  const emp = await server.api('POST', '/employees', {
    body: {
      siteId: site.json.id,
      firstName: 'Ada',
      lastName: 'Lovelace',
      username: 'ada.lovelace',
      email: 'ada@example.com',
      phoneNumber: '(212) 736-5000',
      authorizedUser: true,
      pin: '482913',
      sendWelcomeEmail: true,
      device: { mac: '00:15:65:4A:A9:37', model: 'generic', label: 'desk' },
    },
  });
  t.equal(emp.status, 201, emp.text);
  t.equal(emp.json.phoneNumber, '+12127365000', 'national number read with the site country');
  t.equal(emp.json.extension, '5000', 'extension defaults to the last four digits');
  t.equal(emp.json.timeZone, 'America/New_York', 'time zone defaults to the site');
  t.equal(emp.json.hasPin, true);
  t.notOk('pin' in emp.json || 'pinHash' in emp.json, 'no PIN, not even hashed, in the answer');
  t.match(emp.json.welcomeEmail, { status: /^(queued|sent)$/, requestedAt: String }, 'the welcome email is queued (or already in the outbox)');
  const creds = emp.json.device.credentials;
  t.equal(emp.json.device.mac, '0015654aa937');
  t.ok(creds.password.length >= 20 && creds.authName.length <= 32);
  t.ok(emp.json.device.enrollmentUntil, 'device creation opens the enrollment window');

  const dev = await server.api('POST', '/devices', { body: { mac: '0015.65aa.bbcc', model: 'generic', employeeId: emp.json.id } });
  t.equal(dev.status, 201, dev.text);
  t.equal(dev.json.mac, '001565aabbcc');

  const listed = await server.api('GET', '/devices');
  t.equal(listed.json.items.length, 2);
  t.notOk(listed.text.includes(creds.password), 'listings hold no passwords');
  t.notOk(listed.text.includes('Sealed'), 'nor sealed ones');

  const stored = await storedText(dir);
  t.ok(stored.includes('001565aabbcc'), 'the stored text holds the records');
  for (const secret of [creds.password, creds.provisioning.password, '482913', server.token]) {
    t.notOk(stored.includes(secret), 'no secret in clear in what is stored');
  }

  t.equal(await server.stop('SIGTERM'), 0, 'SIGTERM exits 0');
  server = await startServer(t, dir);

  t.same((await server.api('GET', `/sites/${site.json.id}`)).json, site.json);
  const { device: _d, welcomeEmail: _w, ...employeeOnly } = emp.json;
  const { welcomeEmail, ...readBack } = (await server.api('GET', `/employees/${emp.json.id}`)).json;
  t.same(readBack, employeeOnly);
  t.match(welcomeEmail, { status: 'sent', attempts: 1, requestedAt: emp.json.welcomeEmail.requestedAt }, 'the welcome email went to the outbox (no SMTP configured), once');
  const again = await server.api('GET', '/devices/00-15-65-4a-a9-37/credentials');
  t.same(again.json, creds, 'credentials decrypt after a restart');
  const { credentials: _c, ...deviceOnly } = dev.json;
  t.same((await server.api('GET', '/devices/001565AABBCC')).json, { ...deviceOnly, config: { state: 'never_fetched' } }, 'one device read also says whether its phone holds its configuration');
  t.equal(await server.stop('SIGINT'), 0, 'SIGINT exits 0');
});
