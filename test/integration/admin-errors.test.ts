/**
 * One round of errors: a create or a patch that is wrong in several ways lists every problem at
 * once (schema issues, references, duplicates), 400 when any is an input error and 409 only when
 * every one is a conflict; nothing is written.
 */
import t, { type Test } from 'tap';
import { startApp, type InProcess } from '../helpers/app.js';
import type { Reply } from '../helpers/http.js';

const site = { name: 'HQ', timeZone: 'America/New_York', address: { line1: '350 Fifth Avenue', city: 'New York', country: 'US' }, sip: { registrar: 'sip.example.com' } };

const dump = async (app: InProcess): Promise<string> => JSON.stringify([await app.store.listEmployees(), await app.store.listDevices(), await app.store.listNumbers()]);

/** The problems of a refused request, by path, and that nothing changed. */
async function problems(t: Test, app: InProcess, send: () => Promise<Reply>, status: number): Promise<Record<string, string>> {
  const before = await dump(app);
  const reply = await send();
  t.equal(reply.status, status, reply.text);
  t.equal(await dump(app), before, 'nothing stored changed');
  return Object.fromEntries((reply.json?.errors ?? []).map((e: { path: string; message: string }) => [e.path, e.message]));
}

async function setup(t: Test) {
  const app = await startApp(t, { models: ['yealink-t54w'] });
  const hq = (await app.call('POST', '/sites', { body: site })).json;
  const emp = (body: Record<string, unknown>) => ({ siteId: hq.id, firstName: 'Ada', lastName: 'Lovelace', ...body });
  const grace = await app.call('POST', '/employees', { body: emp({ username: 'grace', phoneNumber: '+1 212 736 5000', device: { mac: '001565000001', model: 'yealink-t54w' } }) });
  t.equal(grace.status, 201, grace.text);
  return { app, hq, emp, grace: grace.json };
}

t.test("the issue's example: a missing extension, a duplicate username and a wrong model, together", async (t) => {
  const { app, emp } = await setup(t);
  const got = await problems(t, app, () => app.call('POST', '/employees', { body: emp({ username: 'GRACE', device: { mac: '001565000002', model: 'nokia-3310' } }) }), 400);
  t.match(got, { extension: /required/, username: /"GRACE" is already taken/, 'device.model': /unknown model "nokia-3310"/ });
  t.equal(Object.keys(got).length, 3, JSON.stringify(got));
});

t.test('schema issues, references and duplicates of the well-formed fields, all at once', async (t) => {
  const { app, emp } = await setup(t);
  const got = await problems(
    t,
    app,
    () =>
      app.call('POST', '/employees', {
        body: emp({
          username: 'grace',
          firstName: '',
          timeZone: 'Mars/Olympus',
          phoneNumber: '+1 212 736 5000',
          authorizedUser: true,
          nickname: 'x',
          device: { mac: '00:15:65:00:00:01', model: 'yealink-t54w', lines: [{ employeeId: '3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b' }], color: 'red' },
        }),
      }),
    400,
  );
  t.match(got, {
    firstName: /empty/,
    timeZone: String,
    nickname: /not a known field/,
    'device.color': /not a known field/,
    pin: /required when authorizedUser/,
    username: /already taken/,
    phoneNumber: /already routed to employee/,
    extension: /5000 is already used at this site/,
    'device.mac': /already exists/,
    'device.lines.0.employeeId': /no employee with id/,
  });
});

t.test('409 only when every problem is a conflict', async (t) => {
  const { app, emp, grace } = await setup(t);
  const got = await problems(t, app, () => app.call('POST', '/employees', { body: emp({ username: 'Grace', phoneNumber: '+1 212 736 5000', device: { mac: '001565000001', model: 'generic' } }) }), 409);
  t.same(Object.keys(got).sort(), ['device.mac', 'extension', 'phoneNumber', 'username']);
  // Without anything else wrong the store's refusal (username first) is explained in full too.
  const other = (await app.call('POST', '/employees', { body: emp({ username: 'other', extension: '100' }) })).json;
  const patch = await problems(t, app, () => app.call('PATCH', `/employees/${other.id}`, { body: { username: 'GRACE', extension: '5000' } }), 409);
  t.same(Object.keys(patch).sort(), ['extension', 'username']);
  const mixed = await problems(t, app, () => app.call('PATCH', `/employees/${other.id}`, { body: { username: 'GRACE', timeZone: 'Nowhere' } }), 400);
  t.same(Object.keys(mixed).sort(), ['timeZone', 'username']);
  t.equal((await app.call('GET', `/employees/${grace.id}`)).json.username, 'grace');
});

t.test('devices: create and patch', async (t) => {
  const { app, grace } = await setup(t);
  const created = await problems(t, app, () => app.call('POST', '/devices', { body: { mac: '001565000001', model: 'nokia', employeeId: 'not-an-id', label: '' } }), 400);
  t.match(created, { mac: /already exists/, model: /unknown model/, employeeId: /UUID/, label: /empty/ });
  const free = await app.call('POST', '/devices', { body: { mac: '001565000003', model: 'yealink-t54w' } });
  t.equal(free.status, 201, free.text);
  const patched = await problems(
    t,
    app,
    () => app.call('PATCH', '/devices/001565000003', { body: { employeeId: '3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b', lines: [{ employeeId: grace.id }], settings: { raw: { 'bad key!': '1' }, vlan: 9999 } } }),
    400,
  );
  t.match(patched, { employeeId: /no employee with id/, 'settings.vlan': String, 'settings.raw.bad key!': /not a Yealink setting key/ });
});

t.test('a body that is not an object is refused as it is', async (t) => {
  const { app } = await setup(t);
  const got = await problems(t, app, () => app.call('POST', '/employees', { body: ['x'] }), 400);
  t.same(Object.keys(got), ['']);
});
