/**
 * The web console end to end: the built server, its first operator made with `dialtone operator
 * create`, and Debian's Chromium driven by playwright-core (one browser for the file). Skipped,
 * naming chromium, where it is not installed.
 *
 * With CONSOLE_SCREENSHOTS=<folder> (`npm run screenshots`) it also saves the main pages there.
 */
import { createSocket } from 'node:dgram';
import { request } from 'node:https';
import t from 'tap';
import { ADMIN_PASSWORD, consoleOrSkip, errorUnder, type Console } from '../helpers/console.js';
import { eventually } from '../helpers/eventually.js';

const TECH_PASSWORD = 'staple of the field';

// The phone's SIP side: answers the resync NOTIFY with 200 OK, then fetches its file as a phone does.
const sip = createSocket('udp4');
await new Promise<void>((resolve) => sip.bind(0, '127.0.0.1', resolve));
t.teardown(() => sip.close());
const c = await consoleOrSkip(t, 'the web console in Chromium', { DIALTONE_RESYNC_SIP_PORT: String(sip.address().port) });
if (c) await run(c);

async function run({ server, base, open, signIn, shot }: Console): Promise<void> {
  let notified = 0;
  sip.on('message', (msg, from) => {
    const text = msg.toString('utf8');
    if (!text.startsWith('NOTIFY ')) return;
    notified++;
    const keep = text.split('\r\n').filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line));
    const reply = ['SIP/2.0 200 OK', ...keep.map((line) => (/^To:/i.test(line) && !/;tag=/.test(line) ? `${line};tag=phone` : line)), 'Content-Length: 0', '', ''].join('\r\n');
    sip.send(reply, from.port, from.address, () => void phoneFetch(`${resyncing}.cfg`).catch(() => undefined));
  });
  let resyncing = '';

  /** A Yealink fetching its file over HTTPS (what gives the technician a timeline). */
  const phoneFetch = (file: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.ports.https, path: `/${file}`, ca: server.ca, servername: 'localhost', headers: { 'user-agent': 'Yealink SIP-T46S 66.86.0.15 80:5e:c0:00:00:01' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });

  const admin = await open();
  let sessionCookie = '';

  await t.test('sign in: the page carries a strict CSP, a wrong password is refused next to the field', async (t) => {
    const { page } = admin;
    const response = await page.goto(`${base}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    t.match(csp, /default-src 'self'/);
    t.match(csp, /script-src 'self'(;|$)/, 'scripts from this origin only, none inline');
    t.match(csp, /style-src 'self'(;|$)/, 'styles from this origin only, none inline');
    t.match(csp, /frame-ancestors 'none'/);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot(page, 'sign-in');
    await signIn(page, 'root', 'not the password');
    await t.resolves(page.getByText('wrong name or password').first().waitFor(), 'the refusal shown');
    await signIn(page, 'root', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Employees' }).waitFor();
    const cookie = (await admin.context.cookies()).find((c) => c.name === '__Host-dialtone');
    t.ok(cookie, 'a session cookie');
    t.equal(cookie?.httpOnly, true, 'HttpOnly');
    t.equal(cookie?.secure, true, 'Secure');
    t.equal(cookie?.sameSite, 'Strict', 'SameSite=Strict');
    sessionCookie = cookie?.value ?? '';
  });

  await t.test('sites: created from the console; an API error is shown next to its field', async (t) => {
    const { page } = admin;
    await page.goto(`${base}/#/sites`);
    await page.getByRole('heading', { name: 'Sites', exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'New site' });
    await form.getByLabel('Name').fill('HQ');
    await form.getByLabel('Time zone').fill('UTC');
    await form.getByLabel('SIP registrar').fill('not a host!');
    await form.getByRole('button', { name: 'Create site' }).click();
    const registrar = form.getByLabel('SIP registrar');
    await t.resolves((await errorUnder(page, registrar)).getByText('must be a host name or IP address').waitFor(), 'the message under the field');
    t.equal(await registrar.getAttribute('aria-invalid'), 'true', 'the field marked invalid');
    await registrar.fill('pbx.example.com');
    await form.getByRole('button', { name: 'Create site' }).click();
    await t.resolves(page.getByRole('link', { name: 'HQ', exact: true }).waitFor(), 'listed');
    await shot(page, 'sites');
    await page.getByRole('link', { name: 'HQ', exact: true }).click();
    const edit = page.getByRole('form', { name: 'Change site' });
    await edit.getByLabel('Voicemail number').fill('*97');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast').getByText('Saved').waitFor();
    t.equal((await server.ok('GET', '/sites?q=HQ')).items[0].voicemailNumber, '*97', 'a change saved');
    await page.getByRole('form', { name: 'Change site' }).getByLabel('Voicemail number').fill('');
    await page.getByRole('form', { name: 'Change site' }).getByRole('button', { name: 'Save' }).click();
    t.ok(await eventually(async () => !('voicemailNumber' in (await server.ok('GET', '/sites?q=HQ')).items[0])), 'an emptied optional field is removed');
  });

  await t.test('employees: one without a device, one with a device; then the device gets a second line', async (t) => {
    const { page } = admin;
    const create = async (first: string, last: string, username: string, extension: string, mac?: string) => {
      await page.goto(`${base}/#/employees`);
      const form = page.getByRole('form', { name: 'New employee' });
      await form.getByLabel('Site').selectOption({ label: 'HQ' });
      await form.getByLabel('First name').fill(first);
      await form.getByLabel('Last name').fill(last);
      await form.getByLabel('Username').fill(username);
      await form.getByLabel('Extension').fill(extension);
      if (mac) {
        await form.getByLabel('MAC address').fill(mac);
        await form.getByLabel('Model').selectOption('yealink-t46s');
      }
      await form.getByRole('button', { name: 'Create employee' }).click();
    };
    await create('Bob', 'Ray', 'bob', '101');
    await t.resolves(page.getByRole('cell', { name: 'bob', exact: true }).waitFor(), 'Bob listed');
    await create('Ada', 'Lovelace', 'ada', '100', '80:5E:C0:00:00:01');
    await page.getByRole('heading', { name: 'Device 80:5E:C0:00:00:01' }).waitFor();
    const addLine = page.getByRole('form', { name: 'Add a line' });
    await addLine.getByLabel('Employee').selectOption({ label: 'Bob Ray (bob)' });
    await addLine.getByLabel('Line label').fill('Bob');
    await addLine.getByRole('button', { name: 'Add line' }).click();
    await page.getByRole('heading', { name: 'Add line 3' }).waitFor();
    const lines = await page.locator('ol.lines li').allTextContents();
    t.match(lines[0], /Ada Lovelace/);
    t.match(lines[1], /Bob Ray \(bob\) · Bob · auth name/);
    const device = await server.ok('GET', '/devices/805ec0000001');
    t.equal(device.lines.length, 1, 'the API has the second line');

    // A programmable key: a BLF without its extension is refused under that key's Value field.
    const keys = page.getByRole('form', { name: 'Programmable keys' });
    const key1 = keys.getByRole('group', { name: 'Key 1' });
    await key1.getByLabel('Type').selectOption('blf');
    await keys.getByRole('button', { name: 'Save keys' }).click();
    const value = key1.getByLabel('Value');
    await t.resolves((await errorUnder(page, value)).getByText('is required for a blf key').waitFor(), 'the error under key 1');
    await value.fill('101');
    await key1.getByLabel('Label').fill('Bob');
    await keys.getByRole('button', { name: 'Save keys' }).click();
    await page.locator('.toast').getByText('Keys saved').waitFor();
    t.same((await server.ok('GET', '/devices/805ec0000001')).keys, [{ type: 'blf', value: '101', label: 'Bob' }], 'the key stored');
    await shot(page, 'device');

    // A device on its own, from the Devices page, by keyboard only; a taken MAC is said next to its field.
    await page.goto(`${base}/#/devices`);
    await page.getByRole('cell', { name: '80:5E:C0:00:00:01' }).waitFor();
    const newDevice = page.getByRole('form', { name: 'New device' });
    await newDevice.getByLabel('MAC address').focus();
    await page.keyboard.type('80:5e:c0:00:00:01');
    await page.keyboard.press('Tab');
    await page.keyboard.press('y'); // the select's first option starting with "y": a Yealink
    await page.keyboard.press('Tab'); // line 1's search box
    await page.keyboard.press('Tab'); // line 1: nobody
    await page.keyboard.press('Tab'); // the label
    await page.keyboard.type('Lobby');
    await page.keyboard.press('Enter');
    const mac = newDevice.getByLabel('MAC address');
    await t.resolves((await errorUnder(page, mac)).getByText(/already exists/).waitFor(), 'a taken MAC named under its field');
    t.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'mac', 'the focus moved to the field in error');
    await mac.fill('80:5e:c0:00:00:04');
    await mac.press('Enter');
    await t.resolves(page.getByRole('heading', { name: 'Device 80:5E:C0:00:00:04' }).waitFor(), 'created with the keyboard alone');
    t.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', "the new page's heading has the focus");
    await page.goto(`${base}/#/employees`);
    await page.getByRole('cell', { name: 'ada', exact: true }).waitFor();
    await shot(page, 'employees');

    // The employee's own page: a change saved, a taken extension refused next to its field.
    await page.getByRole('link', { name: 'Bob Ray' }).click();
    const edit = page.getByRole('form', { name: 'Change employee' });
    await edit.getByLabel('Extension').fill('100');
    await edit.getByRole('button', { name: 'Save' }).click();
    const extension = edit.getByLabel('Extension');
    await t.resolves((await errorUnder(page, extension)).getByText('100 is already used at this site').waitFor(), 'a taken extension said under its field');
    await extension.fill('111');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('.toast').getByText('Saved').waitFor();
    t.equal((await server.ok('GET', '/employees?q=bob')).items[0].extension, '111', 'the change stored');
  });

  await t.test('import: a dry run shows the bad row and writes nothing', async (t) => {
    const { page } = admin;
    await page.goto(`${base}/#/import`);
    const csv = ['site,username,firstName,lastName,extension,device.mac,device.model', 'HQ,cy,Cy,Twombly,102,80:5e:c0:00:00:03,yealink-t46s', 'HQ,dee,Dee,Dee,100,not-a-mac,yealink-t46s'].join('\n');
    await page.getByLabel('Or paste it here').fill(csv);
    await page.getByRole('button', { name: 'Dry run' }).click();
    await page.getByRole('heading', { name: /Dry run: \d+ problems?, nothing written/ }).waitFor();
    const rows = await page.locator('table.import-errors tbody tr').allTextContents();
    t.ok(rows.some((r) => r.startsWith('3device.mac')), `row 3's MAC named: ${JSON.stringify(rows)}`);
    t.ok(rows.some((r) => r.startsWith('3extension')), 'and its extension, taken by Ada');
    t.notOk(rows.some((r) => r.startsWith('2')), 'the good row has no error');
    t.equal((await server.ok('GET', '/employees?q=cy')).items.length, 0, 'nothing written');
    await shot(page, 'import');
  });

  await t.test('settings by scope: saved for every phone, then shown on the device with where it came from', async (t) => {
    const { page } = admin;
    await page.goto(`${base}/#/settings`);
    const edit = page.getByRole('form', { name: 'Phone settings' });
    const tone = edit.getByLabel('Tone country');
    await tone.fill('Britain');
    await edit.getByRole('button', { name: 'Save settings' }).click();
    await t.resolves((await errorUnder(page, tone)).getByText('must be a two-letter ISO 3166-1 country code', { exact: true }).waitFor(), 'the API error, under its field');
    await tone.fill('GB');
    await edit.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('.toast').getByText('Settings saved').waitFor();
    t.equal((await server.ok('GET', '/settings')).toneCountry, 'GB', 'stored');
    await page.goto(`${base}/#/devices/805ec0000001`);
    const row = page.getByRole('row', { name: /^Tone country/ });
    await t.resolves(row.getByRole('cell', { name: 'global', exact: true }).waitFor(), 'the device shows it, from the global scope');
  });

  await t.test('a write with the session cookie but without the CSRF token is refused', async (t) => {
    const { page } = admin;
    const statuses = await page.evaluate(async () => {
      const body = JSON.stringify({ name: 'Sneaky', timeZone: 'UTC', sip: { registrar: 'pbx.example.com' } });
      const without = await fetch('/api/v1/sites', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const { csrfToken } = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const wrong = await fetch('/api/v1/sites', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': `${csrfToken}x` }, body });
      const read = await fetch('/api/v1/sites');
      return { without: without.status, problem: ((await without.json()) as { detail: string }).detail, wrong: wrong.status, read: read.status };
    });
    t.equal(statuses.without, 403, 'no token: 403');
    t.match(statuses.problem, /CSRF token/);
    t.equal(statuses.wrong, 403, 'a wrong token: 403');
    t.equal(statuses.read, 200, 'a read needs none');
    t.equal((await server.ok('GET', '/sites?q=Sneaky')).items.length, 0, 'nothing written');
  });

  await t.test('operators: a technician made from the console; tokens, audit and bans pages list', async (t) => {
    const { page } = admin;
    await page.goto(`${base}/#/operators`);
    const form = page.getByRole('form', { name: 'New operator' });
    await form.getByLabel('Name').fill('tess');
    await form.getByLabel('Password').fill('short');
    await form.getByLabel('Scope').selectOption('technician');
    await form.getByRole('button', { name: 'Create operator' }).click();
    await t.resolves(page.getByText('must be at least 12 characters').waitFor(), 'a short password refused next to its field');
    await form.getByLabel('Password').fill(TECH_PASSWORD);
    await form.getByRole('button', { name: 'Create operator' }).click();
    await t.resolves(page.getByRole('cell', { name: 'tess', exact: true }).waitFor(), 'listed');
    const listed = await server.ok('GET', '/operators');
    t.notOk(JSON.stringify(listed).includes('scrypt'), 'no password hash listed');
    await page.goto(`${base}/#/audit`);
    await t.resolves(page.getByRole('cell', { name: 'postOperators', exact: true }).first().waitFor(), 'the audit log names the operator');
    t.ok((await page.getByRole('cell', { name: 'root', exact: true }).count()) > 0, "the console's writes are the operator's");
    await shot(page, 'audit');
    await page.goto(`${base}/#/tokens`);
    await t.resolves(page.getByRole('cell', { name: 'generated on first start', exact: true }).waitFor(), 'tokens listed');
    await page.goto(`${base}/#/bans`);
    await t.resolves(page.getByRole('heading', { name: 'Recent misses' }).waitFor(), 'bans and misses');
  });

  await t.test('sign-out ends the session: its cookie no longer works', async (t) => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    t.equal((await admin.context.cookies()).filter((c) => c.name === '__Host-dialtone').length, 0, 'the cookie is gone');
    const replay = await server.api('GET', '/session', { headers: { cookie: `__Host-dialtone=${sessionCookie}` }, token: null });
    t.equal(replay.status, 401, 'the old cookie replayed: 401');
  });

  await t.test('technician on a 360x740 phone: find by MAC, reprovision, replace the handset; no admin page, no credentials', async (t) => {
    t.equal(await phoneFetch('805ec0000001.cfg'), 200, "the phone fetched its file in its window");
    const tech = await open({ width: 360, height: 740 });
    const { page } = tech;
    await page.goto(`${base}/`);
    await signIn(page, 'tess', TECH_PASSWORD);
    await page.getByRole('heading', { name: 'Find a device' }).waitFor();
    t.notOk(await page.getByRole('link', { name: 'Employees' }).count(), 'no admin pages in the navigation');
    await page.getByLabel('MAC address').fill('805ec0000009');
    await page.getByRole('button', { name: 'Find' }).click();
    await t.resolves(page.getByText('no device with MAC 80:5E:C0:00:00:09').waitFor(), 'an unknown MAC said next to the field');
    await page.getByLabel('MAC address').fill('80-5E-C0-00-00-01');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('heading', { name: '80:5E:C0:00:00:01' }).waitFor();
    t.match(await page.locator('dd.state').textContent(), /In sync|Pending|Never fetched/, 'its state');
    await t.resolves(page.getByText('served: enrollment window open').first().waitFor(), 'its timeline, with the reason');
    t.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing wider than the screen');
    await shot(page, 'technician');

    await page.getByRole('button', { name: 'Reprovision' }).click();
    await t.resolves(page.getByText(/Enrollment window open until/).first().waitFor(), 'reprovisioned');
    resyncing = '805ec0000001';
    await page.getByRole('button', { name: 'Resync now' }).click();
    await t.resolves(page.locator('.resync-state').getByText('Resync confirmed').waitFor({ timeout: 20_000 }), 'the resync watched until confirmed');
    t.equal(notified, 1, 'one NOTIFY reached the phone');
    const replace = page.getByRole('form', { name: 'Replace handset' });
    await replace.getByLabel('New MAC address').fill('80:5e:c0:00:00:02');
    await replace.getByRole('button', { name: 'Replace handset' }).click();
    await page.getByRole('heading', { name: '80:5E:C0:00:00:02' }).waitFor();
    const swapped = await server.ok('GET', '/devices/805ec0000002');
    t.equal(swapped.lines.length, 1, 'the new handset has the lines');
    t.equal((await server.api('GET', '/devices/805ec0000001')).status, 404, 'the old MAC is gone');

    await page.getByRole('link', { name: 'Printable label' }).click();
    const qr = page.getByRole('img', { name: /QR code opening https:\/\/127\.0\.0\.1:\d+\/#\/tech\/805ec0000002/ });
    await t.resolves(qr.waitFor(), 'a label with a QR code of the technician view');
    await shot(page, 'label');

    await page.goto(`${base}/#/employees`);
    await t.resolves(page.getByRole('heading', { name: 'Not allowed' }).waitFor(), 'admin pages refused');
    await page.goto(`${base}/#/devices/805ec0000002`);
    await t.resolves(page.getByRole('heading', { name: 'Not allowed' }).waitFor(), 'the admin device page (with credentials) refused');
    const api = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const credentials = await fetch('/api/v1/devices/805ec0000002/credentials');
      const employee = await fetch('/api/v1/employees', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: '{}' });
      return { credentials: credentials.status, employee: employee.status };
    });
    t.same(api, { credentials: 403, employee: 403 }, 'and the API refuses them to this session too');
    t.same(tech.problems, [], 'no CSP violation or page error on the phone');
    await tech.context.close();
  });

  t.same(admin.problems, [], 'no CSP violation or page error in the admin session');

  await t.test('failed sign-ins are throttled per address', async (t) => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await server.api('POST', '/session', { body: { name: 'root', password: `guess ${i}` }, token: null })).status);
    t.same(statuses.slice(0, 10), Array(10).fill(401), 'ten wrong guesses: 401');
    t.same(statuses.slice(10), [429, 429], 'then 429');
    t.equal((await server.api('POST', '/session', { body: { name: 'root', password: ADMIN_PASSWORD }, token: null })).status, 429, 'even the right password waits');
  });
}
