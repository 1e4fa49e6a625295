import t, { type Test } from 'tap';
import { employeeCreate } from '../../src/admin/schemas.js';
import { startApp, type InProcess } from '../helpers/app.js';

const SITE = { timeZone: 'UTC', sip: { registrar: 'sip.example.com' } };

/** Every item of a list, following nextCursor; `between` runs after each page. */
async function everyPage(t: Test, app: InProcess, path: string, between: (page: number) => Promise<void> = async () => {}): Promise<Array<Record<string, any>>> {
  const items: Array<Record<string, any>> = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    const r = await app.call('GET', cursor === undefined ? path : `${path}${path.includes('?') ? '&' : '?'}cursor=${cursor}`);
    if (r.status !== 200) t.fail(`${path} page ${page}: ${r.status} ${r.text}`);
    items.push(...r.json.items);
    cursor = r.json.nextCursor;
    if (cursor === undefined) return items;
    await between(page);
  }
}

const created = (app: InProcess, siteId: string, i: number) =>
  app.records.createEmployee(employeeCreate.parse({ siteId, firstName: 'Paged', lastName: `Person ${i}`, username: `paged.${i}`, extension: String(10_000 + i) }));

t.test('paging through 2,500 employees visits each exactly once, also while others are created and deleted between pages', async (t) => {
  const app = await startApp(t);
  const site = (await app.call('POST', '/sites', { body: { name: 'HQ', ...SITE } })).json;
  // Through the records layer: 2,500 creates over HTTP take about 8 s, this about 0.3 s.
  const ids: string[] = [];
  for (let i = 0; i < 2500; i++) ids.push((await created(app, site.id, i)).employee.id);

  const still = await everyPage(t, app, '/employees');
  t.equal(still.length, 2500, 'at rest: 25 pages of the default 100 list every one');
  t.same([...still.map((e) => e.id)].sort(), [...ids].sort());
  t.same(
    still.map((e) => e.id),
    [...ids].sort(),
    'in the order of their ids',
  );

  let next = 2500;
  const deleted = new Set<string>();
  const moving = await everyPage(t, app, '/employees?limit=97', async (page) => {
    for (let k = 0; k < 7; k++) await created(app, site.id, next++);
    const gone = ids[(page * 131) % ids.length] as string;
    if (!deleted.has(gone)) {
      await app.store.deleteEmployee(gone);
      deleted.add(gone);
    }
  });
  const seen = moving.map((e) => e.id as string);
  t.equal(new Set(seen).size, seen.length, 'no employee twice');
  const kept = ids.filter((id) => !deleted.has(id));
  const missing = kept.filter((id) => !seen.includes(id));
  t.same(missing, [], `every one of the ${kept.length} that were there throughout was listed`);
  t.ok(deleted.size > 10, `${deleted.size} deleted and ${next - 2500} created between pages`);
  t.ok(seen.length > kept.length, 'some created meanwhile are listed too (those after the cursor)');
});

t.test('limit, cursor and unknown parameters are checked, each named', async (t) => {
  const app = await startApp(t);
  for (const limit of ['0', '1001', 'x', '1.5', '-3', '']) {
    const r = await app.call('GET', `/employees?limit=${limit}`);
    t.equal(r.status, 400, `limit=${limit}`);
    t.match(r.json.errors, [{ path: 'query.limit', message: /whole number|at least 1|at most 1000/ }], `limit=${limit}: named`);
  }
  t.match((await app.call('GET', '/employees?limit=x')).json.errors, [{ path: 'query.limit', message: 'must be a whole number' }], 'not a number: said so');
  const site = (await app.call('POST', '/sites', { body: { name: 'HQ', ...SITE } })).json;
  for (let i = 0; i < 3; i++) await created(app, site.id, i);
  const first = await app.call('GET', '/employees?limit=2');
  t.equal(first.json.items.length, 2);
  const good = first.json.nextCursor as string;
  const forged = [
    'abc',
    Buffer.from('{"after":1}').toString('base64url'),
    Buffer.from('{"before":"x"}').toString('base64url'),
    `${good}x`,
    good.slice(0, -2),
    Buffer.from('not json').toString('base64url'),
  ];
  for (const cursor of forged) {
    const r = await app.call('GET', `/employees?cursor=${encodeURIComponent(cursor)}`);
    t.equal(r.status, 400, `cursor ${cursor}`);
    t.match(r.json.errors, [{ path: 'query.cursor', message: /not a cursor/ }], `cursor ${cursor}: named`);
  }
  const second = await app.call('GET', `/employees?limit=2&cursor=${good}`);
  t.equal(second.json.items.length, 1, 'the cursor as given goes on');
  t.equal(second.json.nextCursor, undefined, 'no cursor past the last page');
  for (const path of ['/sites', '/employees', '/devices', '/tokens', '/bans', '/audit']) {
    const r = await app.call('GET', `${path}?page=2`);
    t.equal(r.status, 400, `${path}?page=2`);
    t.match(r.json.errors, [{ path: 'query.page', message: /not a query parameter/ }]);
    t.match((await app.call('GET', `${path}?limit=1&limit=2`)).json.errors, [{ path: 'query.limit', message: /given once/ }], `${path}: a parameter twice`);
  }
  t.match((await app.call('GET', '/devices?siteId=HQ')).json.errors, [{ path: 'query.siteId' }], 'a filter is checked like a field');
});

t.test('filters: sites by name, employees by site and text, devices by site, employee, model and text, MACs in any form', async (t) => {
  const app = await startApp(t, { models: ['yealink-t46s'] });
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await app.call(method, path, body === undefined ? {} : { body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const hq = await call('POST', '/sites', { name: 'Headquarters', ...SITE });
  const depot = await call('POST', '/sites', { name: 'North Depot', ...SITE });
  const ada = await call('POST', '/employees', { siteId: hq.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', phoneNumber: '+1 212 736 5000', device: { mac: '00:15:65:AA:BB:01', model: 'yealink-t46s', label: 'Front desk' } });
  const bob = await call('POST', '/employees', { siteId: depot.id, firstName: 'Bob', lastName: 'Stone', username: 'bob', extension: '2001', device: { mac: '805ec0112233', model: 'generic' } });
  await call('POST', '/employees', { siteId: depot.id, firstName: 'Cy', lastName: 'Twombly', username: 'cy', extension: '2002' });
  await call('POST', '/devices', { mac: '001565ccddee', model: 'yealink-t46s', label: 'Spare' });

  const names = async (path: string) => ((await call('GET', path)).items as Array<{ username?: string; name?: string; mac?: string }>).map((x) => x.username ?? x.name ?? x.mac).sort();
  t.same(await names('/sites?q=depot'), ['North Depot'], 'sites: by name, any case');
  t.same(await names('/sites?q='), ['Headquarters', 'North Depot'], 'an empty q filters nothing');
  t.same(await names(`/employees?siteId=${depot.id}`), ['bob', 'cy']);
  t.same(await names(`/employees?siteId=${depot.id}&q=TWOMB`), ['cy'], 'filters combine');
  t.same(await names('/employees?q=ada%20lovelace'), ['ada'], 'first and last name together');
  t.same(await names('/employees?q=2001'), ['bob'], 'extension');
  t.same(await names('/employees?q=%2B12127365000'), ['ada'], 'number');
  for (const mac of ['00:15:65:aa:bb:01', '00-15-65-AA-BB-01', '0015.65aa.bb01', '001565AABB01', 'aa:bb:01', 'AABB', '5:aa']) {
    t.same(await names(`/employees?q=${encodeURIComponent(mac)}`), ['ada'], `employee by their device's MAC as ${mac}`);
  }
  t.same(await names('/employees?q=ff:ee:dd'), [], 'a MAC nobody has');
  t.same(await names(`/devices?siteId=${hq.id}`), ['001565aabb01'], "devices by their employee's site");
  t.same(await names(`/devices?employeeId=${bob.id}`), ['805ec0112233'], 'devices by employee');
  t.same(await names('/devices?model=yealink-t46s'), ['001565aabb01', '001565ccddee'], 'devices by model');
  t.same(await names('/devices?q=spare'), ['001565ccddee'], 'label');
  t.same(await names('/devices?q=generic'), ['805ec0112233'], 'model');
  t.same(await names('/devices?q=lovelace'), ['001565aabb01'], "line 1's employee");
  t.same(await names('/devices?q=80-5E-C0'), ['805ec0112233'], 'part of a MAC with dashes');
  t.same(await names('/devices?q=00:15:65:CC:DD:EE'), ['001565ccddee'], 'a whole MAC with colons');
  t.same(await names(`/devices?model=generic&employeeId=${ada.id}`), [], 'every filter must hold');

  // Filters and pages together: one at a time, each page filtered.
  const pages: string[] = [];
  let cursor = '';
  do {
    const r = await call('GET', `/devices?q=0015&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    pages.push(...r.items.map((d: { mac: string }) => d.mac));
    cursor = r.nextCursor ?? '';
  } while (cursor);
  t.same(pages, ['001565aabb01', '001565ccddee'], 'a filtered list pages too');
});

t.test('tokens and bans page like the rest', async (t) => {
  const app = await startApp(t);
  for (const name of ['one', 'two', 'three']) await app.call('POST', '/tokens', { body: { name, scope: 'readonly' } });
  const tokens = await everyPage(t, app, '/tokens?limit=1');
  t.same(tokens.map((x) => x.name).sort(), ['one', 'test', 'three', 'two'], 'every token, one per page');
  t.notOk(JSON.stringify(tokens).includes('dt_'), 'never a token itself');

  const addresses = ['192.0.2.30', '192.0.2.4', '198.51.100.7', '2001:db8::1'];
  for (const address of addresses) for (let i = 0; i < 31; i++) await app.provisioning.bans.record(address, 'miss');
  const bans = await everyPage(t, app, '/bans?limit=3');
  t.same(bans.map((b) => b.address), [...addresses].sort(), 'every ban, by address');
  t.match(bans[0], { reason: /misses/ });
});
