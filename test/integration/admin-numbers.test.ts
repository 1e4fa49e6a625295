import t, { type Test } from 'tap';
import { startApp, type InProcess } from '../helpers/app.js';
import { startServer } from '../helpers/server.js';

const siteBody = {
  name: 'HQ',
  timeZone: 'America/New_York',
  address: { line1: '350 Fifth Ave', city: 'New York', country: 'US' },
  sip: { registrar: 'sip.example.com' },
};

async function setup(t: Test, opts: Parameters<typeof startApp>[1] = {}) {
  const app = await startApp(t, opts);
  const site = (await app.call('POST', '/sites', { body: siteBody })).json;
  /** A call that must succeed: its JSON. */
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await app.call(method, path, body === undefined ? {} : { body });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return r.json;
  };
  const employee = (fields: Record<string, unknown>) => ok('POST', '/employees', { siteId: site.id, firstName: 'Test', lastName: 'Person', ...fields });
  return { app, site, ok, employee };
}

/** Every item of a list, following nextCursor, and how many pages it took. */
async function everyPage(app: InProcess, path: string): Promise<{ items: Array<Record<string, unknown>>; pages: number }> {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const r = await app.call('GET', `${path}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${r.text}`);
    items.push(...r.json.items);
    cursor = r.json.nextCursor;
    pages++;
  } while (cursor);
  return { items, pages };
}

t.test('the inventory: add, read, label; the picker (available=true) paged; filters', async (t) => {
  const { app, ok, employee } = await setup(t);
  const created = await app.call('POST', '/numbers', { body: { number: '+1 212 555 0101', label: 'Sales' } });
  t.equal(created.status, 201, created.text);
  t.match(created.json, { number: '+12125550101', label: 'Sales', createdAt: String, updatedAt: String });
  t.notOk('employeeId' in created.json, 'routed to no one');
  t.notOk('direct' in created.json);
  const again = await app.call('POST', '/numbers', { body: { number: '(212) 555-0101', country: 'US' } });
  t.match(again.json, { status: 409, errors: [{ path: 'number', message: /already one of the account's numbers/ }] }, 'the same number in another form');
  t.equal((await ok('GET', '/numbers/+12125550101')).label, 'Sales', 'the refusal changed nothing');

  for (const n of ['0105', '0103', '0107', '0102', '0106', '0104']) await ok('POST', '/numbers', { number: `+1212555${n}` });
  const alice = await employee({ username: 'alice', numbers: ['+1 212 555 0103', '+1 212 555 0106'] });

  const picker = await everyPage(app, '/numbers?available=true&limit=2');
  t.same(picker.items.map((n) => n.number), ['+12125550101', '+12125550102', '+12125550104', '+12125550105', '+12125550107'], 'every available number once, in order; the routed ones left out');
  t.equal(picker.pages, 3, 'two to a page');
  t.ok(picker.items.every((n) => !('employeeId' in n)));
  const first = (await app.call('GET', '/numbers?available=true&limit=5')).json;
  t.equal(first.items.length, 5);
  t.notOk('nextCursor' in first, 'no next page when the page holds the rest');

  const routed = (await ok('GET', '/numbers?available=false')).items;
  t.same(routed.map((n: Record<string, unknown>) => [n.number, n.employeeId, n.direct]), [
    ['+12125550103', alice.id, true],
    ['+12125550106', alice.id, undefined],
  ], 'the routed ones, with whom to and which is direct');
  t.match(routed[0], { createdAt: String, updatedAt: String });
  t.same((await ok('GET', `/numbers?employeeId=${alice.id}`)).items.map((n: { number: string }) => n.number), ['+12125550103', '+12125550106']);
  t.same((await ok('GET', '/numbers?q=SALES')).items.map((n: { number: string }) => n.number), ['+12125550101'], 'q: the label, any case');
  t.same((await ok('GET', '/numbers?q=5550107')).items.map((n: { number: string }) => n.number), ['+12125550107'], 'q: the number');
  t.equal((await ok('GET', '/numbers')).items.length, 7, 'all of them by default');

  // {number}: E.164 with or without +, %2B too; anything else names no number.
  for (const form of ['+12125550101', '12125550101', '%2B12125550101']) t.equal((await app.call('GET', `/numbers/${form}`)).json?.number, '+12125550101', form);
  for (const form of ['abc', '+0123', '2125550101x', '%2B%2B12125550101', '+12125550199', '+1%20212%20555%200101']) {
    t.match(await app.call('GET', `/numbers/${form}`), { status: 404, json: { title: 'Not found' } }, `${form}: 404`);
  }
  t.equal((await app.call('PATCH', '/numbers/abc', { body: { label: 'x' } })).status, 404);
  t.equal((await app.call('DELETE', '/numbers/+12125550199')).status, 404);

  const relabelled = await ok('PATCH', '/numbers/12125550101', { label: 'Support' });
  t.equal(relabelled.label, 'Support');
  t.ok(relabelled.updatedAt >= created.json.updatedAt);
  t.equal(relabelled.createdAt, created.json.createdAt);
  t.notOk('label' in (await ok('PATCH', '/numbers/12125550101', { label: null })), 'null removes the label');
  t.notOk('label' in (await ok('PATCH', '/numbers/12125550101', {})), 'and an empty patch leaves it removed');

  // Query parameters.
  const bad = async (query: string, path: string, message: RegExp) => t.match((await app.call('GET', `/numbers?${query}`)).json, { status: 400, errors: [{ path, message }] }, query);
  await bad('number=x', 'query.number', /not a query parameter/);
  await bad('available=yes', 'query.available', /true or false/);
  await bad('limit=0', 'query.limit', /at least 1/);
  await bad('cursor=abc', 'query.cursor', /not a cursor/);
  await bad('employeeId=alice', 'query.employeeId', /UUID/);
  await bad('available=true&available=false', 'query.available', /once/);
});

t.test('scopes: readonly reads the inventory, only admin changes it or asks for user names', async (t) => {
  const { app, ok } = await setup(t);
  const { token } = await ok('POST', '/tokens', { name: 'viewer', scope: 'readonly' });
  await ok('POST', '/numbers', { number: '+12125550101' });
  t.equal((await app.call('GET', '/numbers?available=true', { token })).status, 200);
  t.equal((await app.call('GET', '/numbers/+12125550101', { token })).status, 200);
  t.equal((await app.call('POST', '/numbers', { token, body: { number: '+12125550102' } })).status, 403);
  t.equal((await app.call('PATCH', '/numbers/+12125550101', { token, body: { label: 'x' } })).status, 403);
  t.equal((await app.call('DELETE', '/numbers/+12125550101', { token })).status, 403);
  t.equal((await app.call('GET', '/usernames/suggest?firstName=Jo&lastName=Smith', { token })).status, 403);
});

t.test('national numbers need a country; bad input is refused naming the field', async (t) => {
  const { app, employee } = await setup(t);
  const post = (body: unknown) => app.call('POST', '/numbers', { body });
  t.match((await post({ number: '(212) 555-0102' })).json, { status: 400, errors: [{ path: 'number', message: /international form .*or give its country/ }] }, 'national form without a country');
  t.match((await post({ number: '(212) 555-0102', country: 'us' })), { status: 201, json: { number: '+12125550102' } }, 'with one (any case)');
  t.match((await post({ number: '020 7946 0958', country: 'GB' })), { status: 201, json: { number: '+442079460958' } });
  t.match((await post({ number: '+44 20 7946 0959', country: 'US' })), { status: 201, json: { number: '+442079460959' } }, 'an international number keeps its own country');
  t.match((await post({ number: '212 555 0103', country: 'XX' })).json, { status: 400, errors: [{ path: 'country', message: /not a country/ }] });
  t.match((await post({ number: '212 555 0103', country: 'USA' })).json, { status: 400, errors: [{ path: 'country' }] });
  t.match((await post({ number: 'call me' })).json, { status: 400, errors: [{ path: 'number' }] });
  t.match((await post({ number: '+1 200 555 1234' })).json, { status: 400, errors: [{ path: 'number', message: /not a valid phone number/ }] }, 'an unassigned area code');
  t.match((await post({ number: '+1 212 555 0104 ext. 12' })).json, { status: 400, errors: [{ path: 'number', message: /extension/ }] });
  t.match((await post({})).json, { status: 400, errors: [{ path: 'number', message: 'is required' }] });
  t.match((await post({ number: '+12125550105', label: '' })).json, { status: 400, errors: [{ path: 'label' }] });
  t.match((await post({ number: '+12125550105', owner: 'x' })).json, { status: 400, errors: [{ path: 'owner', message: /not a known field/ }] });
  t.match((await post({ number: '+12125550105', employeeId: 'bob' })).json, { status: 400, errors: [{ path: 'employeeId' }] });
  t.match((await post({ number: '+12125550105', employeeId: '3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b' })).json, { status: 400, errors: [{ path: 'employeeId', message: /no employee/ }] });
  t.equal((await app.call('GET', '/numbers/+12125550105')).status, 404, 'a refused routing adds no number either');
  const e = await employee({ username: 'e', extension: '100' });
  t.match((await app.call('PATCH', '/numbers/+12125550102', { body: { employeeId: 'x' } })).json, { status: 400, errors: [{ path: 'employeeId' }] });
  t.match((await app.call('PATCH', '/numbers/+12125550102', { body: { number: '+12125550109' } })).json, { status: 400, errors: [{ path: 'number', message: /not a known field/ }] }, 'a number is not renamed');
  t.notOk((await app.call('GET', `/employees/${e.id}`)).json.numbers, 'nothing routed by the refusals');
});

t.test('an employee with three numbers and one with none; taken numbers are 409 from either side; the direct number moves', async (t) => {
  const { app, ok, employee } = await setup(t);
  const alice = await employee({ username: 'alice', numbers: ['(212) 555-0111', '+1 212 555 0112', '+1 212 555 0113'] });
  t.same(alice.numbers, ['+12125550111', '+12125550112', '+12125550113'], 'national forms take the site country');
  t.equal(alice.phoneNumber, '+12125550111', 'the first is direct');
  t.equal(alice.extension, '0111', 'and gives the extension');
  const bob = await employee({ username: 'bob', extension: '200' });
  t.notOk('numbers' in bob);
  t.notOk('phoneNumber' in bob);
  t.same((await ok('GET', `/numbers?employeeId=${bob.id}`)).items, [], 'none for bob');
  t.same((await ok('GET', `/numbers?employeeId=${alice.id}`)).items.map((n: { number: string; direct?: boolean }) => [n.number, n.direct ?? false]), [
    ['+12125550111', true],
    ['+12125550112', false],
    ['+12125550113', false],
  ], "alice's three are in the inventory, the first direct");

  // Routing from the inventory's side: a new number to bob becomes his direct number; his extension stays.
  const toBob = await app.call('POST', '/numbers', { body: { number: '+1 212 555 0114', label: "Bob's line", employeeId: bob.id } });
  t.equal(toBob.status, 201, toBob.text);
  t.match(toBob.json, { number: '+12125550114', label: "Bob's line", employeeId: bob.id, direct: true });
  const bobNow = await ok('GET', `/employees/${bob.id}`);
  t.same([bobNow.numbers, bobNow.phoneNumber, bobNow.extension], [['+12125550114'], '+12125550114', '200'], 'his direct number; the extension was already set');
  await ok('POST', '/numbers', { number: '+12125550115', employeeId: alice.id });
  t.same((await ok('GET', `/employees/${alice.id}`)).numbers, ['+12125550111', '+12125550112', '+12125550113', '+12125550115'], 'a fourth number goes last');
  t.notOk('direct' in (await ok('GET', '/numbers/+12125550115')));

  // Taken: from the inventory's side.
  t.match((await app.call('PATCH', '/numbers/+12125550112', { body: { employeeId: bob.id } })).json, { status: 409, errors: [{ path: 'employeeId', message: new RegExp(`routed to employee ${alice.id}; take it from them first`) }] });
  t.match((await app.call('POST', '/numbers', { body: { number: '+12125550112', employeeId: bob.id } })).json, { status: 409, errors: [{ path: 'number' }] }, 'already in the inventory');
  // Taken: from the employee's side, by any field.
  t.match((await app.call('PATCH', `/employees/${bob.id}`, { body: { numbers: ['+12125550114', '(212) 555-0113'] } })).json, { status: 409, errors: [{ path: 'numbers.1', message: new RegExp(`routed to employee ${alice.id}`) }] });
  t.match((await app.call('PATCH', `/employees/${bob.id}`, { body: { phoneNumber: '+1 212 555 0111' } })).json, { status: 409, errors: [{ path: 'phoneNumber' }] });
  t.match((await app.call('POST', '/employees', { body: { siteId: alice.siteId, firstName: 'C', lastName: 'D', username: 'carol', numbers: ['+12125550199', '+12125550115'] } })).json, { status: 409, errors: [{ path: 'numbers.1' }] });
  t.equal((await app.call('GET', '/numbers/+12125550199')).status, 404, 'a refused employee adds no number');
  t.same((await ok('GET', `/employees/${bob.id}`)).numbers, ['+12125550114'], 'bob unchanged by the refusals');
  t.same((await ok('GET', `/employees/${alice.id}`)).numbers, ['+12125550111', '+12125550112', '+12125550113', '+12125550115'], 'alice too');

  // The direct number taken away: the next becomes direct, the extension stays.
  const freed = await ok('PATCH', '/numbers/+12125550111', { employeeId: null });
  t.notOk('employeeId' in freed, 'routed to no one');
  const aliceNow = await ok('GET', `/employees/${alice.id}`);
  t.same([aliceNow.numbers, aliceNow.phoneNumber, aliceNow.extension], [['+12125550112', '+12125550113', '+12125550115'], '+12125550112', '0111']);
  t.equal((await ok('GET', '/numbers/+12125550112')).direct, true, 'the inventory says so too');
  t.match((await ok('GET', '/numbers?available=true')).items, [{ number: '+12125550111' }]);

  // Now free, it can go to bob (after his direct number), with a label in the same write.
  const moved = await ok('PATCH', '/numbers/+12125550111', { employeeId: bob.id, label: 'Old main line' });
  t.match(moved, { employeeId: bob.id, label: 'Old main line' });
  t.notOk('direct' in moved);
  t.same((await ok('GET', `/employees/${bob.id}`)).numbers, ['+12125550114', '+12125550111']);
  t.match(await ok('PATCH', '/numbers/+12125550111', { employeeId: bob.id }), { employeeId: bob.id, label: 'Old main line' }, 'to the employee it has: nothing moves');
  t.same((await ok('GET', `/employees/${bob.id}`)).numbers, ['+12125550114', '+12125550111']);

  // Through the employee: numbers they are given join the inventory, ones taken away stay in it.
  await ok('PATCH', `/employees/${bob.id}`, { numbers: ['+12125550114', '(212) 555-0116'] });
  t.match(await ok('GET', '/numbers/+12125550116'), { employeeId: bob.id });
  t.notOk('employeeId' in (await ok('GET', '/numbers/+12125550111')), 'taken from bob by his PATCH: available');
  t.equal((await ok('GET', '/numbers/+12125550111')).label, 'Old main line', 'and kept with its label');

  // Delete: refused while routed, then allowed.
  const refused = await app.call('DELETE', '/numbers/+12125550113');
  t.match(refused.json, { status: 409, errors: [{ path: 'number', message: /take it from them first/ }] });
  t.match(await ok('GET', '/numbers/+12125550113'), { employeeId: alice.id }, 'still there, still routed');
  await ok('PATCH', '/numbers/+12125550113', { employeeId: null });
  t.equal((await app.call('DELETE', '/numbers/+12125550113')).status, 204);
  t.equal((await app.call('GET', '/numbers/+12125550113')).status, 404);
  t.same((await ok('GET', `/employees/${alice.id}`)).numbers, ['+12125550112', '+12125550115']);

  // The last number taken from the inventory's side: no direct number, the extension stays.
  await ok('PATCH', '/numbers/+12125550114', { employeeId: null });
  await ok('PATCH', '/numbers/+12125550116', { employeeId: null });
  const bobAfter = await ok('GET', `/employees/${bob.id}`);
  t.notOk('numbers' in bobAfter);
  t.notOk('phoneNumber' in bobAfter);
  t.equal(bobAfter.extension, '200');

  // A deleted employee's numbers are free again.
  t.equal((await app.call('DELETE', `/employees/${alice.id}`)).status, 204);
  t.same((await ok('GET', '/numbers?available=false')).items, []);
  t.same((await ok('GET', '/numbers?available=true')).items.map((n: { number: string }) => n.number), ['+12125550111', '+12125550112', '+12125550114', '+12125550115', '+12125550116']);
});

t.test('usernames: the convention, then alternatives, each available (case-insensitive); folding; bad input', async (t) => {
  const { app, ok, employee } = await setup(t);
  const suggest = async (query: string) => {
    const r = await app.call('GET', `/usernames/suggest?${query}`);
    if (r.status !== 200) throw new Error(`${query}: ${r.status} ${r.text}`);
    return r.json.suggestions;
  };
  t.same(await suggest('firstName=John&lastName=Smith'), ['JSmith', 'JohnS', 'John.Smith'], 'no company: initial and last name, then first name and last initial, then first.last');
  await employee({ username: 'jsmith', extension: '101' });
  await employee({ username: 'JSMITH2', extension: '102' });
  await employee({ username: 'john.SMITH', extension: '103' });
  t.same(await suggest('firstName=John&lastName=Smith'), ['JSmith3', 'JohnS', 'John.Smith2'], 'taken in any case: the next free number');
  t.same(await suggest(`firstName=${encodeURIComponent('Zoë')}&lastName=${encodeURIComponent("O'Brien")}`), ['ZOBrien', 'ZoeO', 'Zoe.OBrien'], 'folded');
  t.same(await suggest(`firstName=${encodeURIComponent('Łukasz')}&lastName=${encodeURIComponent('Großmann')}`), ['LGrossmann', 'LukaszG', 'Lukasz.Grossmann']);
  t.same(await suggest(`firstName=${encodeURIComponent('小龍')}&lastName=${encodeURIComponent('李')}`), [], 'a name without Latin letters: nothing to suggest');
  t.same(await suggest(`firstName=Al&lastName=${encodeURIComponent('李')}`), [], 'nor with half of one');
  const [picked] = await suggest('firstName=John&lastName=Smith');
  t.equal((await employee({ username: picked, extension: '104' })).username, 'JSmith3', 'a suggestion is a user name the API takes');
  t.same(await suggest('firstName=John&lastName=Smith'), ['JSmith4', 'JohnS', 'John.Smith2']);

  const site = (await ok('GET', '/sites')).items[0];
  t.same(await suggest(`firstName=John&lastName=Smith&siteId=${site.id}`), ['JSmith4', 'JohnS', 'John.Smith2'], 'a site changes nothing unless the convention uses {site}');
  const bad = async (query: string, path: string, message: RegExp) => t.match((await app.call('GET', `/usernames/suggest?${query}`)).json, { status: 400, errors: [{ path, message }] }, query);
  await bad('firstName=John', 'query.lastName', /required/);
  await bad('lastName=Smith', 'query.firstName', /required/);
  await bad('firstName=%20&lastName=Smith', 'query.firstName', /empty/);
  await bad('firstName=John&lastName=Smith&company=Acme', 'query.company', /not a query parameter/);
  await bad('firstName=John&lastName=Smith&siteId=hq', 'query.siteId', /UUID/);
  await bad('firstName=John&lastName=Smith&siteId=3f1c2a4e-8b5d-4e3f-9a7b-0c1d2e3f4a5b', 'query.siteId', /no site/);
});

t.test('usernames: the convention from the settings, with the company and the site', async (t) => {
  const { app, employee } = await setup(t, { usernames: { company: 'Ácme', pattern: '{company}{f}{last}' } });
  const suggest = async (query: string) => (await app.call('GET', `/usernames/suggest?${query}`)).json;
  t.same(await suggest('firstName=John&lastName=Smith'), { suggestions: ['AcmeJSmith', 'JohnS', 'John.Smith'] });
  await employee({ username: 'ACMEJSMITH', extension: '101' });
  t.same((await suggest('firstName=John&lastName=Smith')).suggestions[0], 'AcmeJSmith2');

  const bySite = await setup(t, { usernames: { company: '', pattern: '{site}-{first}.{last}' } });
  t.same((await bySite.app.call('GET', `/usernames/suggest?firstName=John&lastName=Smith&siteId=${bySite.site.id}`)).json.suggestions, ['HQ-John.Smith', 'JohnS', 'John.Smith']);
  t.match((await bySite.app.call('GET', '/usernames/suggest?firstName=John&lastName=Smith')).json, { status: 400, errors: [{ path: 'query.siteId', message: /uses \{site\}/ }] });
});

t.test('the real server: DIALTONE_USERNAME_COMPANY and DIALTONE_USERNAME_PATTERN reach the suggestions', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_STORE: 'memory', DIALTONE_USERNAME_COMPANY: 'Initech', DIALTONE_USERNAME_PATTERN: '{company}.{first}{l}' });
  const r = await server.api('GET', '/usernames/suggest?firstName=Peter&lastName=Gibbons');
  t.same(r.json, { suggestions: ['Initech.PeterG', 'PeterG', 'Peter.Gibbons'] });
  const added = await server.api('POST', '/numbers', { body: { number: '+1 212 555 0101', label: 'Main' } });
  t.equal(added.status, 201, added.text);
  t.equal(await server.stop(), 0);
});

t.test("an employee's numbers patched away: the extension they had stays; a new direct number gives a new one", async (t) => {
  const { ok, employee } = await setup(t);
  const e = await employee({ username: 'numbered', numbers: ['+12127365000', '+12127365001'] });
  t.equal(e.extension, '5000', 'taken from the direct number');
  const none = await ok('PATCH', `/employees/${e.id}`, { numbers: null });
  t.equal(none.phoneNumber, undefined);
  t.equal(none.extension, '5000', 'no number to take one from: the extension stays');
  const again = await ok('PATCH', `/employees/${e.id}`, { phoneNumber: '+1 212 736 5002' });
  t.same([again.phoneNumber, again.extension], ['+12127365002', '5002'], 'a new direct number re-derives it');
});
