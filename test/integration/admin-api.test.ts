import { validate } from '@readme/openapi-parser';
import t, { type Test } from 'tap';
import { startApp } from '../helpers/app.js';

const siteBody = {
  name: 'HQ',
  timeZone: 'Europe/London',
  address: { line1: '1 Poultry', city: 'London', postalCode: 'EC2R 8EJ', country: 'GB' },
  sip: { registrar: 'sip.example.co.uk', transport: 'tls', port: 5061 },
};

async function setup(t: Test) {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const site = (await app.call('POST', '/sites', { body: siteBody })).json;
  return { app, site };
}

t.test('the OpenAPI document is valid OpenAPI 3.1 and describes every route', async (t) => {
  const { app } = await setup(t);
  const r = await app.call('GET', '/openapi.json', { token: null });
  t.equal(r.status, 200);
  const doc = r.json;
  t.equal(doc.openapi, '3.1.0');
  const result = await validate(structuredClone(doc));
  t.ok(result.valid, `valid: ${JSON.stringify('errors' in result ? result.errors : [])}`);
  for (const [path, method] of [
    ['/sites', 'post'],
    ['/sites/{id}', 'patch'],
    ['/employees', 'post'],
    ['/devices/{mac}/credentials', 'get'],
    ['/devices/{mac}/reprovision', 'post'],
    ['/models', 'get'],
  ] as const) {
    t.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} described`);
  }
  const employee = doc.paths['/employees'].post.requestBody.content['application/json'].schema;
  t.same(employee.required?.slice().sort(), ['firstName', 'lastName', 'siteId', 'username']);
  t.equal(employee.additionalProperties, false, 'unknown fields are refused, and the document says so');
  t.ok(employee.properties.device.properties.mac.description, 'domain rules carry their descriptions');
  t.same(doc.paths['/health'].get.security, [], 'health needs no token');
  t.ok(doc.paths['/sites'].post.responses['401'], 'protected routes document 401');
});

t.test('sites: merge patch', async (t) => {
  const { app, site } = await setup(t);
  t.equal(site.sip.port, 5061);
  const r = await app.call('PATCH', `/sites/${site.id}`, { body: { name: 'London', voicemailNumber: '*98', address: null } });
  t.equal(r.status, 200, r.text);
  t.equal(r.json.name, 'London');
  t.equal(r.json.voicemailNumber, '*98');
  t.notOk('address' in r.json, 'null removes an optional field');
  t.equal(r.json.timeZone, 'Europe/London', 'fields not in the patch stay');
  t.not(r.json.updatedAt, site.updatedAt);
  t.equal(r.json.createdAt, site.createdAt);
  t.equal((await app.call('PATCH', `/sites/${site.id}`, { body: { name: null } })).status, 400, 'a required field cannot be removed');
  t.equal((await app.call('GET', '/sites')).json.items.length, 1);
});

t.test('employees: national numbers take the site country; patches re-derive what depends on them', async (t) => {
  const { app, site } = await setup(t);
  const created = await app.call('POST', '/employees', {
    body: { siteId: site.id, firstName: 'Alan', lastName: 'Turing', username: 'alan', phoneNumber: '020 7946 0958', unreachableForward: '07911 123456', voicemailToEmail: true, email: 'alan@example.co.uk' },
  });
  t.equal(created.status, 201, created.text);
  const e = created.json;
  t.equal(e.phoneNumber, '+442079460958');
  t.equal(e.unreachableForward, '+447911123456');
  t.equal(e.extension, '0958');
  t.equal(e.timeZone, 'Europe/London');
  t.equal(e.hasPin, false);
  t.notOk(e.welcomeEmail, 'no welcome email unless asked for');

  const moved = await app.call('PATCH', `/employees/${e.id}`, { body: { phoneNumber: '+44 20 7946 0123' } });
  t.equal(moved.json.extension, '0123', 'a new number brings a new default extension');
  const fixed = await app.call('PATCH', `/employees/${e.id}`, { body: { phoneNumber: '+44 20 7946 0999', extension: '77' } });
  t.equal(fixed.json.extension, '77', 'unless the patch sets one');
  const authorized = await app.call('PATCH', `/employees/${e.id}`, { body: { authorizedUser: true, pin: '9146' } });
  t.equal(authorized.json.hasPin, true);
  const stored = await app.store.getEmployee(e.id);
  t.match(stored?.pinHash, /^hmac-sha256\$[\w-]{22}\$[\w-]{43}$/, 'the PIN is stored hashed');
  t.equal((await app.call('PATCH', `/employees/${e.id}`, { body: { pin: null } })).status, 400, 'an authorized user keeps a PIN');
  t.equal((await app.call('PATCH', `/employees/${e.id}`, { body: { authorizedUser: null } })).status, 400, 'a flag cannot be removed');
  const renamed = await app.call('PATCH', `/employees/${e.id}`, { body: { firstName: 'Alan M.' } });
  t.match(renamed.json, { firstName: 'Alan M.', authorizedUser: true, voicemailToEmail: true, hasPin: true }, 'absent fields keep their stored values, defaults do not apply');
  const welcome = await app.call('PATCH', `/employees/${e.id}`, { body: { sendWelcomeEmail: true } });
  t.match(welcome.json.welcomeEmail, { status: 'queued', attempts: 0 }, 'a welcome email can be asked for later');
  t.equal((await app.call('GET', `/employees?siteId=${site.id}`)).json.items.length, 1);
  t.match((await app.call('GET', '/employees?siteId=elsewhere')).json, { status: 400, errors: [{ path: 'query.siteId' }] }, 'a site id that cannot name a site');
  t.match((await app.call('GET', '/employees?site=x')).json, { status: 400, errors: [{ path: 'query.site', message: /not a query parameter/ }] }, 'an unknown parameter is refused');
});

t.test('devices: credentials, rotation, reprovisioning, unassignment', async (t) => {
  const { app, site } = await setup(t);
  const emp = (await app.call('POST', '/employees', { body: { siteId: site.id, firstName: 'G', lastName: 'H', username: 'grace', extension: '100' } })).json;
  const created = await app.call('POST', '/devices', { body: { mac: '00-15-65-12-34-56', model: 'yealink-t46s', employeeId: emp.id, label: 'reception' } });
  t.equal(created.status, 201, created.text);
  const first = created.json.credentials;
  t.match(first, { authName: /^[a-z][a-z0-9]{15}$/, password: /^[A-Za-z0-9]{20}$/, provisioning: { username: 'dt001565123456', password: /^[A-Za-z0-9]{20}$/ } }, '20-character SIP and provisioning passwords: Aastra and Mitel take no more');
  t.same((await app.call('GET', '/devices/0015.6512.3456/credentials')).json, first, 'read back in any MAC form');
  t.notOk('credentials' in (await app.call('GET', '/devices/001565123456')).json, 'a plain read has no secrets');

  const preview = await app.call('GET', '/devices/001565123456/files/001565123456.cfg');
  t.equal(preview.status, 200);
  t.match(preview.headers['content-type'], /^text\/plain/);
  t.ok(preview.text.includes(`account.1.password = ${first.password}`), 'the preview is the full file');
  t.equal((await app.call('GET', '/devices/001565123456/files/001565999999.cfg')).status, 404, "no preview of another device's file");
  t.same((await app.call('GET', '/devices/001565123456/events')).json, [], 'no requests yet');

  const rotated = (await app.call('POST', '/devices/001565123456/credentials')).json;
  t.not(rotated.password, first.password);
  t.not(rotated.authName, first.authName);
  t.not(rotated.provisioning.password, first.provisioning.password);
  t.same((await app.call('GET', '/devices/001565123456/credentials')).json, rotated, 'the new ones are stored');

  const before = (await app.call('GET', '/devices/001565123456')).json.enrollmentUntil;
  await new Promise((r) => setTimeout(r, 5));
  const reopened = await app.call('POST', '/devices/001565123456/reprovision');
  t.equal(reopened.status, 200, reopened.text);
  t.ok(reopened.json.enrollmentUntil > before, 'a new window');
  t.notOk('credentials' in reopened.json, 'credentials kept, not shown');
  const rotatedAgain = await app.call('POST', '/devices/001565123456/reprovision', { body: { rotateCredentials: true } });
  t.not(rotatedAgain.json.credentials.password, rotated.password, 'reprovisioning can rotate');

  const unassigned = await app.call('PATCH', '/devices/001565123456', { body: { employeeId: null, label: 'spare' } });
  t.notOk('employeeId' in unassigned.json);
  t.equal(unassigned.json.label, 'spare');
  t.equal((await app.call('PATCH', '/devices/001565123456', { body: { employeeId: 'nobody' } })).status, 400);
  await app.call('PATCH', '/devices/001565123456', { body: { employeeId: emp.id } });
  t.equal((await app.call('DELETE', `/employees/${emp.id}`)).status, 204);
  t.notOk('employeeId' in (await app.call('GET', '/devices/001565123456')).json, 'deleting the employee unassigns the device');
  t.equal((await app.call('DELETE', '/devices/00:15:65:12:34:56')).status, 204);
  t.equal((await app.call('GET', '/devices')).json.items.length, 0);
  t.same((await app.call('GET', '/models')).json.map((m: { id: string }) => m.id), ['yealink-t46s']);
});
