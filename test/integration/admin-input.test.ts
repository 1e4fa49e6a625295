import t, { type Test } from 'tap';
import { startApp, type InProcess } from '../helpers/app.js';
import type { Reply } from '../helpers/http.js';

const dump = async (app: InProcess): Promise<string> =>
  JSON.stringify([await app.store.listSites(), await app.store.listEmployees(), await app.store.listDevices(), await app.store.listTokens()]);

/** The reply is a problem+json refusal with this status naming these fields, and nothing changed. */
async function refused(t: Test, app: InProcess, send: () => Promise<Reply>, status: number, paths: string[] = []): Promise<Reply> {
  const before = await dump(app);
  const reply = await send();
  t.equal(reply.status, status, `status ${status}: ${reply.text}`);
  t.match(reply.headers['content-type'], /^application\/problem\+json/);
  t.equal(reply.json?.status, status);
  t.type(reply.json?.detail, 'string');
  const got = (reply.json?.errors ?? []).map((e: { path: string }) => e.path);
  for (const p of paths) t.ok(got.includes(p), `names ${p} (got ${JSON.stringify(got)})`);
  t.equal(await dump(app), before, 'nothing stored changed');
  return reply;
}

const siteBody = {
  name: 'HQ',
  timeZone: 'America/New_York',
  address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' },
  sip: { registrar: 'sip.example.com' },
};

async function setup(t: Test) {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const site = (await app.call('POST', '/sites', { body: siteBody })).json;
  const emp = (body: Record<string, unknown>) => ({ siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', ...body });
  return { app, site, emp };
}

t.test('sites: every wrong field at once', async (t) => {
  const { app } = await setup(t);
  const r = await refused(t, app, () => app.call('POST', '/sites', { body: { timeZone: 'Mars/Olympus', sip: { registrar: 'x', transport: 'sctp' }, color: 'blue' } }), 400, [
    'name',
    'timeZone',
    'sip.transport',
    'color',
  ]);
  t.match(r.json.errors.find((e: { path: string }) => e.path === 'name').message, /required/);
  t.match(r.json.errors.find((e: { path: string }) => e.path === 'color').message, /not a known field/);
  await refused(t, app, () => app.call('POST', '/sites', { body: { ...siteBody, address: { ...siteBody.address, country: 'USA' } } }), 400, ['address.country']);
  await refused(t, app, () => app.call('POST', '/sites', { body: { ...siteBody, name: '   ' } }), 400, ['name']);
  await refused(t, app, () => app.call('POST', '/sites', { body: { ...siteBody, sip: { registrar: 'sip.example.com', port: 70000 } } }), 400, ['sip.port']);
});

t.test('employees: each rule refused with the field named', async (t) => {
  const { app, emp } = await setup(t);
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['username with a space', { username: 'ada lovelace', extension: '100' }, ['username']],
    ['username with /', { username: 'ada/x', extension: '100' }, ['username']],
    ['username empty', { username: '', extension: '100' }, ['username']],
    ['no extension, no number', { username: 'ada' }, ['extension']],
    ['extension not digits', { username: 'ada', extension: '10a' }, ['extension']],
    ['phone number nonsense', { username: 'ada', phoneNumber: 'call me' }, ['phoneNumber']],
    ['phone number invalid', { username: 'ada', phoneNumber: '+1 200 555 0100' }, ['phoneNumber']],
    ['forward invalid', { username: 'ada', extension: '100', unreachableForward: '12' }, ['unreachableForward']],
    ['time zone', { username: 'ada', extension: '100', timeZone: 'Mars/Olympus' }, ['timeZone']],
    ['time zone offset', { username: 'ada', extension: '100', timeZone: '+05:00' }, ['timeZone']],
    ['authorized user without PIN', { username: 'ada', extension: '100', authorizedUser: true }, ['pin']],
    ['PIN not digits', { username: 'ada', extension: '100', authorizedUser: true, pin: '12ab' }, ['pin']],
    ['PIN too short', { username: 'ada', extension: '100', authorizedUser: true, pin: '12' }, ['pin']],
    ['email', { username: 'ada', extension: '100', email: 'not-an-email' }, ['email']],
    ['welcome email without email', { username: 'ada', extension: '100', sendWelcomeEmail: true }, ['email']],
    ['unknown field', { username: 'ada', extension: '100', nickname: 'A' }, ['nickname']],
    ['wrong types', { username: 'ada', extension: '100', firstName: 5, authorizedUser: 'yes' }, ['firstName', 'authorizedUser']],
    ['unknown site', { username: 'ada', extension: '100', siteId: 'no-such-site' }, ['siteId']],
    ['unknown model', { username: 'ada', extension: '100', device: { mac: '001565000001', model: 'nokia-3310' } }, ['device.model']],
    ['MAC, 11 digits', { username: 'ada', extension: '100', device: { mac: '00156500000', model: 'generic' } }, ['device.mac']],
    ['MAC, 13 digits', { username: 'ada', extension: '100', device: { mac: '0015650000012', model: 'generic' } }, ['device.mac']],
    ['MAC, not hex', { username: 'ada', extension: '100', device: { mac: '00:15:65:zz:00:01', model: 'generic' } }, ['device.mac']],
    ['MAC, all zero', { username: 'ada', extension: '100', device: { mac: '00:00:00:00:00:00', model: 'generic' } }, ['device.mac']],
    ['MAC, broadcast', { username: 'ada', extension: '100', device: { mac: 'FF-FF-FF-FF-FF-FF', model: 'generic' } }, ['device.mac']],
    ['MAC, multicast', { username: 'ada', extension: '100', device: { mac: '01:00:5e:00:00:01', model: 'generic' } }, ['device.mac']],
    ['device unknown field', { username: 'ada', extension: '100', device: { mac: '001565000001', model: 'generic', sip: {} } }, ['device.sip']],
    ['several at once', { username: 'a b', timeZone: 'Nowhere', pin: 'x', device: { mac: '1', model: 'generic' } }, ['username', 'timeZone', 'pin', 'device.mac']],
  ];
  for (const [name, body, paths] of cases) {
    await t.test(name, (t) => refused(t, app, () => app.call('POST', '/employees', { body: emp(body) }), 400, paths).then(() => {}));
  }
});

t.test('employees: the accepted forms', async (t) => {
  const { app, emp } = await setup(t);
  const r = await app.call('POST', '/employees', { body: emp({ username: 'Ok.[x]:y-z', phoneNumber: '+44 20 7946 0958', device: { mac: '0015.65AA.BBCC', model: 'yealink-t46s' } }) });
  t.equal(r.status, 201, r.text);
  t.equal(r.json.username, 'Ok.[x]:y-z');
  t.equal(r.json.phoneNumber, '+442079460958');
  t.equal(r.json.extension, '0958', 'last four digits, leading zero kept');
  t.equal(r.json.device.mac, '001565aabbcc');
  t.equal(r.json.device.model, 'yealink-t46s');
});

t.test('conflicts: 409 naming the field, nothing stored', async (t) => {
  const { app, emp, site } = await setup(t);
  const first = await app.call('POST', '/employees', { body: emp({ username: 'Grace', phoneNumber: '+1 212 736 5000', device: { mac: '00:15:65:00:00:01', model: 'generic' } }) });
  t.equal(first.status, 201);
  await refused(t, app, () => app.call('POST', '/employees', { body: emp({ username: 'GRACE', extension: '200' }) }), 409, ['username']);
  await refused(t, app, () => app.call('POST', '/employees', { body: emp({ username: 'other', phoneNumber: '+1 646 736 5000' }) }), 409, ['extension']);
  await refused(t, app, () => app.call('POST', '/employees', { body: emp({ username: 'withphone', extension: '300', device: { mac: '001565-000001'.replace('-', ''), model: 'generic' } }) }), 409, ['device.mac']);
  t.equal((await app.store.listEmployees()).length, 1, 'the employee of a refused device was not created');
  await refused(t, app, () => app.call('POST', '/devices', { body: { mac: '0015.6500.0001', model: 'generic' } }), 409, ['mac']);
  await refused(t, app, () => app.call('DELETE', `/sites/${site.id}`), 409);
  await refused(t, app, () => app.call('PATCH', `/employees/${first.json.id}`, { body: { extension: 'x1', timeZone: 'Nowhere' } }), 400, ['extension', 'timeZone']);
  const second = await app.call('POST', '/employees', { body: emp({ username: 'second', extension: '400' }) });
  await refused(t, app, () => app.call('PATCH', `/employees/${second.json.id}`, { body: { username: 'grace' } }), 409, ['username']);
  await refused(t, app, () => app.call('PATCH', `/employees/${second.json.id}`, { body: { extension: '5000' } }), 409, ['extension']);
  await refused(t, app, () => app.call('PATCH', `/employees/${second.json.id}`, { body: { authorizedUser: true } }), 400, ['pin']);
});

t.test('bodies that are not JSON objects', async (t) => {
  const { app } = await setup(t);
  const malformed = await refused(t, app, () => app.call('POST', '/sites', { raw: '{"name": "HQ",', headers: { 'content-type': 'application/json' } }), 400);
  t.match(malformed.json.detail, /not valid JSON/);
  await refused(t, app, () => app.call('POST', '/sites', { raw: JSON.stringify(siteBody), headers: { 'content-type': 'text/plain' } }), 415);
  await refused(t, app, () => app.call('POST', '/sites', { raw: 'name=HQ', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
  await refused(t, app, () => app.call('POST', '/sites', { raw: JSON.stringify({ ...siteBody, name: 'x'.repeat(1024 * 1024 + 1) }), headers: { 'content-type': 'application/json' } }), 413);
  await refused(t, app, () => app.call('POST', '/sites'), 400);
  await refused(t, app, () => app.call('POST', '/sites', { body: [siteBody] }), 400);
  await refused(t, app, () => app.call('POST', '/sites', { body: 'HQ' }), 400);
  await refused(t, app, () => app.call('POST', '/sites', { body: null }), 400);
});

t.test('tokens: missing and wrong get the same 401', async (t) => {
  const { app } = await setup(t);
  const missing = await refused(t, app, () => app.call('GET', '/sites', { token: null }), 401);
  const wrong = await refused(t, app, () => app.call('GET', '/sites', { token: 'dt_wrong' + 'x'.repeat(40) }), 401);
  const malformed = await refused(t, app, () => app.call('GET', '/sites', { headers: { authorization: 'Basic YTpi' }, token: null }), 401);
  t.equal(wrong.text, missing.text);
  t.equal(malformed.text, missing.text);
  t.equal(missing.headers['www-authenticate'], 'Bearer realm="dialtone"');
  await refused(t, app, () => app.call('POST', '/sites', { body: siteBody, token: null }), 401);
  t.equal((await app.call('GET', '/health', { token: null })).status, 200, 'health needs no token');
  t.equal((await app.call('GET', '/sites', { headers: { authorization: `bearer   ${app.token}` }, token: null })).status, 200, 'scheme is case-insensitive');
});

t.test('repeated failed authentication is throttled', async (t) => {
  const { app } = await setup(t);
  let last: Reply | undefined;
  for (let i = 0; i < 31; i++) last = await app.call('GET', '/sites', { token: `wrong-${i}` });
  t.equal(last?.status, 429);
  t.match(last?.headers['retry-after'], /^\d+$/);
  t.equal((await app.call('GET', '/sites', { token: 'another-guess' })).status, 429, 'the address is held back for the window');
  t.equal((await app.call('GET', '/sites')).status, 200, 'a token already in use still works from that address');
});

t.test('unknown ids and routes: 404', async (t) => {
  const { app } = await setup(t);
  for (const [method, path] of [
    ['GET', '/sites/nope'],
    ['PATCH', '/sites/nope'],
    ['DELETE', '/sites/nope'],
    ['GET', '/employees/nope'],
    ['PATCH', '/employees/nope'],
    ['DELETE', '/employees/nope'],
    ['GET', '/devices/001565000001'],
    ['GET', '/devices/not-a-mac'],
    ['GET', '/devices/001565000001/credentials'],
    ['POST', '/devices/001565000001/credentials'],
    ['POST', '/devices/001565000001/reprovision'],
    ['PATCH', '/devices/001565000001'],
    ['DELETE', '/devices/001565000001'],
    ['GET', '/nothing-here'],
  ] as const) {
    const patches: Record<string, object> = { sites: { name: 'x' }, employees: { firstName: 'x' }, devices: { label: 'x' } };
    const body = method === 'PATCH' ? patches[path.split('/')[1] as string] : undefined;
    await refused(t, app, () => app.call(method, path, { body }), 404);
  }
});
