/**
 * The console's device page in Chromium: the device changed (model, label cleared, line 1), lines
 * 2..N added, changed, reordered and removed (each checked in the API, credentials following their
 * employee), a line's error under its field, reprovisioning with new credentials, regenerated
 * credentials shown once, a file preview, deletion. Skipped, naming chromium, where it is not installed.
 */
import t from 'tap';
import type { Page } from 'playwright-core';
import { consoleOrSkip, errorUnder, type Console } from '../helpers/console.js';
import { eventually } from '../helpers/eventually.js';

const c = await consoleOrSkip(t, 'the device page in Chromium');
if (c) await run(c);

async function run({ server, base, admin, shot }: Console): Promise<void> {
  const MAC = '805ec0000010';
  const site = await server.ok('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
  const person = async (firstName: string, username: string, extension: string): Promise<string> =>
    (await server.ok('POST', '/employees', { siteId: site.id, firstName, lastName: 'Test', username, extension })).id;
  const ada = await person('Ada', 'ada', '100');
  const bob = await person('Bob', 'bob', '101');
  const cy = await person('Cy', 'cy', '102');
  await server.ok('POST', '/devices', { mac: MAC, model: 'yealink-t54w', label: 'Lobby' });
  const device = () => server.ok('GET', `/devices/${MAC}`);

  const { page, problems } = await admin();
  await page.goto(`${base}/#/devices/${MAC}`);
  await page.getByRole('heading', { name: 'Device 80:5E:C0:00:00:10' }).waitFor();

  /** Runs `act`, then waits for the page to be shown again (its heading replaced). */
  const shownAgain = async (p: Page, act: () => Promise<void>): Promise<void> => {
    await p.evaluate(() => document.querySelector('#main h1')?.setAttribute('data-before', ''));
    await act();
    await p.locator('#main h1:not([data-before])').waitFor();
  };

  await t.test('the device: label and model changed, the label cleared, line 1 assigned', async (t) => {
    const models = (await server.ok('GET', '/models')) as Array<{ id: string; lines: number }>;
    t.ok(models.some((m) => m.id === 'yealink-t54w' && m.lines >= 4), 'the device is a model of several lines');
    const form = () => page.getByRole('form', { name: 'Change device' });
    await form().getByLabel('Label', { exact: true }).fill('Front desk');
    await form().getByLabel('Model').selectOption('yealink-t46s');
    await shownAgain(page, () => form().getByRole('button', { name: 'Save device' }).click());
    t.match(await device(), { label: 'Front desk', model: 'yealink-t46s' }, 'label and model stored');

    await form().getByLabel('Label', { exact: true }).fill('');
    await form().getByLabel('Line 1 (employee)').selectOption({ label: 'Ada Test (ada)' });
    await shownAgain(page, () => form().getByRole('button', { name: 'Save device' }).click());
    const d = await device();
    t.notOk('label' in d, 'the emptied label removed');
    t.equal(d.employeeId, ada, 'line 1 assigned');
    t.equal(d.model, 'yealink-t46s', 'the model kept');
    t.notOk('requireDeviceCertificate' in d, 'the certificate rule left to the site');
  });

  let authNames: Record<string, string> = {};
  await t.test('lines: two added, one relabelled, line 3 moved up', async (t) => {
    for (const [name, label] of [['Bob Test (bob)', 'Bob'], ['Cy Test (cy)', '']] as const) {
      const add = page.getByRole('form', { name: 'Add a line' });
      await add.getByLabel('Employee').selectOption({ label: name });
      if (label) await add.getByLabel('Line label').fill(label);
      await shownAgain(page, () => add.getByRole('button', { name: 'Add line' }).click());
    }
    let d = await device();
    t.same(d.lines.map((l: { employeeId: string }) => l.employeeId), [bob, cy], 'two lines added, in order');
    authNames = Object.fromEntries(d.lines.map((l: { employeeId: string; authName: string }) => [l.employeeId, l.authName]));
    const lines = page.getByRole('form', { name: 'Change lines' });
    await t.resolves(lines.getByRole('group', { name: 'Line 3' }).getByText(`Auth name ${authNames[cy]}`).waitFor(), "each line's auth name shown");

    await lines.getByRole('group', { name: 'Line 2' }).getByLabel('Line label').fill('Sales');
    await shownAgain(page, () => lines.getByRole('button', { name: 'Save lines' }).click());
    t.equal((await device()).lines[0].label, 'Sales', "line 2's label changed");

    const up = lines.getByRole('button', { name: 'Move line 3 up' });
    await up.focus();
    await page.keyboard.press('Enter');
    t.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move line 2 down', 'the focus stays on the moved line');
    await t.resolves(lines.getByRole('group', { name: 'Line 2' }).getByText(`Auth name ${authNames[cy]}`).waitFor(), 'Cy is line 2 on the page');
    await shownAgain(page, () => lines.getByRole('button', { name: 'Save lines' }).click());
    d = await device();
    t.same(d.lines.map((l: { employeeId: string; label?: string; authName: string }) => [l.employeeId, l.label, l.authName]), [[cy, undefined, authNames[cy]], [bob, 'Sales', authNames[bob]]], 'reordered, each keeping its label and auth name');
    await shot(page, 'device-admin');
  });

  await t.test('lines: the same employee twice is said under that line; a line removed', async (t) => {
    const lines = page.getByRole('form', { name: 'Change lines' });
    const employee = lines.getByRole('group', { name: 'Line 3' }).getByLabel('Employee');
    await employee.selectOption({ label: 'Cy Test (cy)' });
    await lines.getByRole('button', { name: 'Save lines' }).click();
    await t.resolves((await errorUnder(page, employee)).getByText('is already line 2 of this device').waitFor(), "the error under line 3's employee");
    t.equal((await device()).lines.length, 2, 'nothing stored');

    await lines.getByRole('button', { name: 'Remove line 3' }).click();
    await shownAgain(page, () => lines.getByRole('button', { name: 'Save lines' }).click());
    const d = await device();
    t.same(d.lines, [{ employeeId: cy, authName: authNames[cy] }], 'line 3 removed; line 2 keeps its auth name');
  });

  await t.test('reprovision with new credentials: shown once, window as chosen', async (t) => {
    const before = await server.ok('GET', `/devices/${MAC}/credentials`);
    const form = page.getByRole('form', { name: 'Reprovision' });
    await form.getByLabel('Enrollment window').selectOption({ label: '1 hour' });
    await form.getByLabel('Also regenerate the credentials').check();
    await shownAgain(page, () => form.getByRole('button', { name: 'Reprovision' }).click());
    const after = await server.ok('GET', `/devices/${MAC}/credentials`);
    t.not(after.password, before.password, 'a new SIP password');
    t.not(after.provisioning.password, before.provisioning.password, 'a new provisioning password');
    const until = Date.parse((await device()).enrollmentUntil) - Date.now();
    t.ok(until > 50 * 60_000 && until <= 3600_000, `a window of an hour (${until} ms left)`);
    await t.resolves(page.locator('.credentials').getByText(after.password).waitFor(), 'the new password shown');
  });

  await t.test('regenerate credentials: confirmed first, the new ones shown once', async (t) => {
    const before = await server.ok('GET', `/devices/${MAC}/credentials`);
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    await shownAgain(page, () => page.getByRole('button', { name: 'Regenerate credentials' }).click());
    t.match(asked, /Regenerate/, 'asked first');
    const after = await server.ok('GET', `/devices/${MAC}/credentials`);
    t.not(after.password, before.password, 'a new SIP password');
    t.not(after.authName, before.authName, 'a new auth name');
    await t.resolves(page.locator('.credentials').getByText(after.password).waitFor(), 'the new password shown');
    await page.reload();
    await page.getByRole('heading', { name: 'Device 80:5E:C0:00:00:10' }).waitFor();
    t.equal(await page.locator('.credentials').textContent(), '', 'not shown again on the next visit');
  });

  await t.test("a file previewed: the phone's text with its auth name, out of the address bar, audited", async (t) => {
    const { authName } = await device();
    const hash = await page.evaluate(() => location.hash);
    const entries = await page.evaluate(() => history.length);
    await page.getByRole('button', { name: `Preview ${MAC}.cfg` }).click();
    const pre = page.getByLabel(`Contents of ${MAC}.cfg`);
    await pre.waitFor();
    t.match(await pre.textContent(), authName, "the file carries the device's auth name");
    t.equal(await page.evaluate(() => location.hash), hash, 'the address unchanged');
    t.equal(await page.evaluate(() => history.length), entries, 'no history entry');
    const audit = await server.ok('GET', `/audit?target=devices/${MAC}`);
    t.ok(audit.items.some((e: { actor: string; detail?: string }) => e.actor === 'root' && e.detail === 'with secrets'), 'the preview recorded in the audit log');
  });

  await t.test('the device deleted after confirming; back to the list', async (t) => {
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete device' }).click();
    await t.resolves(page.getByRole('heading', { name: 'Devices', exact: true }).waitFor(), 'the list shown');
    await page.locator('.count').getByText('0 shown', { exact: true }).waitFor(); // the list drawn, and its device gone
    t.equal(await page.locator('.toast').getByText('Device 80:5E:C0:00:00:10 deleted').count(), 1, 'what was done is still said on the page it led to');
    t.ok(await eventually(async () => (await server.api('GET', `/devices/${MAC}`)).status === 404), 'gone from the API');
    t.same(problems, [], 'no CSP violation or page error');
  });

  await t.test('at company scale: an employee past the first 100 found by search, chosen, kept, and named in lists', async (t) => {
    for (let i = 0; i < 110; i++) await person(`Filler${i}`, `filler${i}`, String(2000 + i));
    const first = new Set(((await server.ok('GET', '/employees?limit=100')).items as Array<{ id: string }>).map((e) => e.id));
    const all = (await server.ok('GET', '/employees?limit=200')).items as Array<{ id: string; firstName: string; username: string }>;
    const far = all.find((e) => !first.has(e.id) && e.username.startsWith('filler'));
    if (!far) throw new Error('110 employees, and all among the first 100?');
    const MAC2 = '805ec0000011';
    await server.ok('POST', '/devices', { mac: MAC2, model: 'yealink-t54w' });
    const { page: p, problems: seen } = await admin();
    await p.goto(`${base}/#/devices/${MAC2}`);
    const form = p.getByRole('form', { name: 'Change device' });
    const line1 = form.getByLabel('Line 1 (employee)');
    await line1.waitFor();
    t.equal(await line1.locator(`option[value="${far.id}"]`).count(), 0, 'not offered at first: past the first 100');
    const find = form.getByLabel('Find by name, username or extension');
    await find.fill(far.username);
    await find.press('Enter');
    await line1.locator(`option[value="${far.id}"]`).waitFor({ state: 'attached' });
    await t.resolves(form.getByText(`1 found for “${far.username}”`).waitFor(), 'the search says what it found');
    t.equal(await p.getByRole('heading', { name: /^Device / }).count(), 1, 'Enter in the box searched, and did not submit the form');
    await line1.selectOption(far.id);
    await shownAgain(p, () => form.getByRole('button', { name: 'Save device' }).click());
    t.equal((await server.ok('GET', `/devices/${MAC2}`)).employeeId, far.id, 'line 1 is theirs');

    t.equal(await line1.inputValue(), far.id, 'shown again: still chosen, though past the first 100');
    t.equal((await line1.locator('option:checked').textContent())?.trim(), `${far.firstName} Test (${far.username})`, 'by name');
    await form.getByLabel('Label', { exact: true }).fill('Far desk');
    await shownAgain(p, () => form.getByRole('button', { name: 'Save device' }).click());
    t.match(await server.ok('GET', `/devices/${MAC2}`), { label: 'Far desk', employeeId: far.id }, 'saving another field keeps them on line 1');

    await server.ok('POST', '/numbers', { number: '+12125550177', employeeId: far.id });
    await p.goto(`${base}/#/numbers`);
    const row = p.getByRole('row', { name: /\+12125550177/ });
    await t.resolves(row.getByRole('link', { name: `${far.firstName} Test` }).waitFor(), 'the numbers list names whom a number is routed to, wherever they are');
    t.same(seen, [], 'no CSP violation or page error');
  });
}
