/**
 * The console's employee page (every field, the PIN, the emergency address, the numbers routed to
 * them, their programmable keys) and its numbers page, in Chromium; what was stored is read back
 * through the API. Skipped, naming chromium, where it is not installed.
 */
import t from 'tap';
import type { Locator } from 'playwright-core';
import { consoleOrSkip, errorUnder, type Console } from '../helpers/console.js';

const c = await consoleOrSkip(t, 'the employee and numbers pages in Chromium');
if (c) await run(c);

async function run({ server, base, admin, shot }: Console): Promise<void> {
  const site = await server.ok('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'pbx.example.com' } });
  const ada = await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '100', email: 'ada@example.com', unreachableForward: '+12125550199' });
  const bob = await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Bob', lastName: 'Ray', username: 'bob', extension: '101' });
  const stored = async () => server.ok('GET', `/employees/${ada.id}`);
  const opened = await admin();
  const { page } = opened;
  page.on('dialog', (dialog) => void dialog.accept());
  const edit = page.getByRole('form', { name: 'Change employee' });
  /** Her page, loaded afresh (going to the same address again would not draw it again). */
  const open = async () => {
    await page.goto(`${base}/#/employees/${ada.id}`);
    await page.reload();
    await edit.waitFor();
  };
  const save = () => edit.getByRole('button', { name: 'Save' }).click();
  /** Clicks `button` and waits for the page to be drawn again (its old heading gone), as a successful save does. */
  const redrawn = async (button: Locator) => {
    const heading = await page.locator('main > h1').elementHandle();
    await button.click();
    await page.waitForFunction((h) => !h?.isConnected, heading);
  };
  const saved = () => redrawn(edit.getByRole('button', { name: 'Save' }));

  await t.test('every field changed, then optional ones cleared: the API removes them', async (t) => {
    await open();
    await edit.getByLabel('First name').fill('Augusta');
    await edit.getByLabel('Time zone').fill('Europe/London');
    await edit.getByLabel('Voicemail to email').check();
    await edit.getByLabel('Forward when unreachable').fill('+1 212 555 0198');
    await edit.getByLabel('Address line 1').fill('1 Main Street');
    await edit.getByLabel('City').fill('Springfield');
    await edit.getByLabel('Region or state').fill('IL');
    await edit.getByLabel('Postal code').fill('62701');
    await edit.getByLabel('Country (two letters)').fill('us');
    await saved();
    t.match(await stored(), { firstName: 'Augusta', timeZone: 'Europe/London', voicemailToEmail: true, unreachableForward: '+12125550198', emergencyAddress: { line1: '1 Main Street', city: 'Springfield', region: 'IL', postalCode: '62701', country: 'US' } }, 'stored');
    await t.resolves(page.getByRole('heading', { name: 'Augusta Lovelace' }).waitFor(), 'the page shows the new name');

    await edit.getByLabel('Email', { exact: true }).fill('');
    await edit.getByLabel('Forward when unreachable').fill('');
    await edit.getByLabel('Time zone').fill('');
    await edit.getByLabel('Region or state').fill('');
    await saved();
    const cleared = await stored();
    t.notOk('email' in cleared, 'the emptied email removed');
    t.notOk('unreachableForward' in cleared, 'the emptied forward removed');
    t.equal(cleared.timeZone, 'UTC', "an emptied time zone is the site's");
    t.same(cleared.emergencyAddress, { line1: '1 Main Street', city: 'Springfield', postalCode: '62701', country: 'US' }, 'the address without its emptied region');

    for (const label of ['Address line 1', 'City', 'Postal code', 'Country (two letters)']) await edit.getByLabel(label).fill('');
    await saved();
    t.notOk('emergencyAddress' in (await stored()), 'every part emptied: the address removed');
  });

  await t.test('a bad value is said under its field; an authorized user gets a PIN that is never shown back', async (t) => {
    await open();
    await edit.getByLabel('Extension').fill('12ab');
    await edit.getByLabel('Authorized user', { exact: true }).check();
    await edit.getByLabel('PIN', { exact: true }).fill('12ab');
    await save();
    const extension = edit.getByLabel('Extension');
    await t.resolves((await errorUnder(page, extension)).getByText('must contain digits only').waitFor(), 'the bad extension said under it');
    t.equal(await extension.getAttribute('aria-invalid'), 'true');
    const pin = edit.getByLabel('PIN', { exact: true });
    await t.resolves((await errorUnder(page, pin)).getByText('must contain digits (0-9) only').waitFor(), 'the bad PIN said under it');
    t.match(await stored(), { extension: '100', authorizedUser: false, hasPin: false }, 'nothing stored');

    await extension.fill('100');
    await pin.fill('4321');
    await saved();
    t.match(await stored(), { authorizedUser: true, hasPin: true }, 'the API says a PIN is set');
    await t.resolves(edit.getByText('A PIN is set').waitFor(), 'and so does the page');
    t.equal(await edit.getByLabel('PIN', { exact: true }).inputValue(), '', 'the PIN field is empty');
    t.notOk((await page.content()).includes('4321'), 'the PIN is nowhere in the page');
    await saved(); // an empty PIN field: unchanged
    t.equal((await stored()).hasPin, true, 'an empty PIN field keeps the PIN');

    // Removed only when asked, and only from someone who is no longer an authorized user.
    await edit.getByLabel(/^Remove the PIN/).check();
    await save();
    await t.resolves((await errorUnder(page, edit.getByLabel('PIN', { exact: true }))).getByText('is required when authorizedUser is true').waitFor(), 'an authorized user keeps a PIN');
    await edit.getByLabel('Authorized user', { exact: true }).uncheck();
    await saved();
    t.match(await stored(), { authorizedUser: false, hasPin: false }, 'then the PIN is removed');
  });

  await t.test('numbers: added from the unrouted ones or typed, made direct, removed; a taken one refused under its row', async (t) => {
    await server.ok('POST', '/numbers', { number: '+12125550102', label: 'Spare' });
    await server.ok('POST', '/numbers', { number: '+12125550103', employeeId: bob.id });
    await open();
    t.equal(await page.locator('#employee-free-numbers option[value="+12125550102"]').count(), 1, 'the unrouted number offered');
    t.equal(await page.locator('#employee-free-numbers option[value="+12125550103"]').count(), 0, "Bob's number not offered");
    const add = async (number: string) => {
      await edit.getByLabel('Add a number').fill(number);
      await edit.getByRole('button', { name: 'Add number' }).click();
    };
    await add('+12125550102');
    await add('+1 212 555 0104');
    await add('+12125550103');
    await save();
    await shot(page, 'employee');
    await t.resolves((await errorUnder(page, edit.getByLabel('Number 3'))).getByText(/routed to employee/).waitFor(), "Bob's number refused under its row");
    t.notOk('numbers' in (await stored()), 'nothing stored');
    await edit.getByRole('button', { name: 'Remove +12125550103' }).click();
    await saved();
    t.match(await stored(), { numbers: ['+12125550102', '+12125550104'], phoneNumber: '+12125550102', extension: '100' }, 'stored, the first direct, the extension kept');
    t.equal((await server.ok('GET', '/numbers/+12125550104')).employeeId, ada.id, 'the typed number joined the inventory, routed to her');
    t.equal(await edit.getByLabel('Direct number', { exact: true }).inputValue(), '+12125550102', 'the page shows the direct number');

    await edit.getByRole('button', { name: 'Make +12125550104 the direct number' }).click();
    await saved();
    t.match(await stored(), { numbers: ['+12125550104', '+12125550102'], phoneNumber: '+12125550104' }, 'made direct');

    await edit.getByRole('button', { name: 'Remove +12125550104' }).click();
    await edit.getByRole('button', { name: 'Remove +12125550102' }).click();
    await saved();
    t.notOk('numbers' in (await stored()), 'every number removed');
    t.notOk('employeeId' in (await server.ok('GET', '/numbers/+12125550102')), 'and back in the inventory, unrouted');
  });

  await t.test('keys: added, saved, an error under the row it is about, one removed, then all', async (t) => {
    await open();
    const keys = page.getByRole('form', { name: 'Programmable keys' });
    const key = (n: number) => keys.getByRole('group', { name: `Key ${n}` });
    const save = keys.getByRole('button', { name: 'Save keys' });
    t.same((await key(1).getByLabel('Type').locator('option').allTextContents()).sort(), ['(none)', 'blf', 'line', 'park', 'speedDial', 'voicemail'], 'the key types');
    await key(1).getByLabel('Type').selectOption('blf');
    await key(1).getByLabel('Value').fill('101');
    await key(1).getByLabel('Label').fill('Bob');
    await key(3).getByLabel('Type').selectOption('speedDial'); // row 2 left empty; no number yet
    await save.click();
    await t.resolves((await errorUnder(page, key(3).getByLabel('Value'))).getByText('is required for a speedDial key').waitFor(), 'the error under the row it is about (the API named the second key sent)');
    t.equal(await (await errorUnder(page, key(2).getByLabel('Value'))).isHidden(), true, 'not under the empty row');
    t.notOk('keys' in (await stored()), 'nothing stored');

    await key(3).getByLabel('Value').fill('12125550100');
    await redrawn(save);
    t.same((await stored()).keys, [{ type: 'blf', value: '101', label: 'Bob' }, { type: 'speedDial', value: '12125550100' }], 'stored, the empty row left out');
    await t.resolves(page.locator('.toast').getByText('empty rows were left out').waitFor(), 'and the operator told so');
    t.equal(await key(2).getByLabel('Type').inputValue(), 'speedDial', 'the page shows the keys moved up');

    await key(1).getByLabel('Type').selectOption('');
    await redrawn(save);
    t.same((await stored()).keys, [{ type: 'speedDial', value: '12125550100' }], 'one removed');

    await key(1).getByLabel('Type').selectOption('');
    await redrawn(save);
    t.notOk('keys' in (await stored()), 'none left: keys removed');
  });

  await t.test('numbers page: add one, route it to her, see it on her page, deleting it while routed refused, take it back, delete it', async (t) => {
    await page.getByRole('link', { name: 'Numbers', exact: true }).click();
    await page.getByRole('heading', { name: 'Numbers', exact: true }).waitFor();
    const create = page.getByRole('form', { name: 'New number' });
    await create.getByRole('textbox', { name: 'Number', exact: true }).fill('212 555 0101');
    await create.getByRole('button', { name: 'Add number' }).click();
    await t.resolves((await errorUnder(page, create.getByRole('textbox', { name: 'Number', exact: true }))).getByText(/national form/).waitFor(), 'a national number without its country refused under the field');
    await create.getByLabel('Country').fill('US');
    await create.getByLabel('Label', { exact: true }).fill('Sales');
    await create.getByRole('button', { name: 'Add number' }).click();
    await t.resolves(page.getByRole('link', { name: '+12125550101' }).waitFor(), 'listed');
    t.match(await server.ok('GET', '/numbers/+12125550101'), { label: 'Sales' });
    t.notOk('employeeId' in (await server.ok('GET', '/numbers/+12125550101')), 'routed to nobody');
    const filters = page.getByRole('form', { name: 'Search Numbers' });
    await filters.getByLabel('Routing').selectOption('false');
    await filters.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: '+12125550103' }).waitFor();
    t.equal(await page.getByRole('link', { name: '+12125550101' }).count(), 0, 'the routed filter leaves the available one out');
    await shot(page, 'numbers');
    t.equal(await page.getByRole('row', { name: /\+12125550103/ }).getByRole('link', { name: 'Bob Ray' }).count(), 1, 'routed to, by name');

    await page.goto(`${base}/#/numbers/12125550101`);
    const change = page.getByRole('form', { name: 'Change number' });
    await change.getByLabel('Routed to').selectOption({ label: 'Augusta Lovelace (ada)' });
    await change.getByLabel('Label', { exact: true }).fill('Sales desk');
    await redrawn(change.getByRole('button', { name: 'Save' }));
    t.match(await server.ok('GET', '/numbers/+12125550101'), { label: 'Sales desk', employeeId: ada.id, direct: true }, 'routed to her, relabelled');

    await page.getByRole('link', { name: 'Augusta Lovelace' }).click();
    await edit.waitFor();
    t.equal(await edit.getByLabel('Direct number').inputValue(), '+12125550101', 'her page shows it');

    await page.goto(`${base}/#/numbers/+12125550101`);
    await page.getByRole('button', { name: 'Delete number' }).click();
    await t.resolves(page.getByRole('alert').getByText(/routed to employee .*take it from them first/).waitFor(), 'the 409 shown');
    t.equal((await server.api('GET', '/numbers/+12125550101')).status, 200, 'still there');

    await change.getByLabel('Routed to').selectOption({ label: 'Nobody (take it back)' });
    await redrawn(change.getByRole('button', { name: 'Save' }));
    t.notOk('employeeId' in (await server.ok('GET', '/numbers/+12125550101')), 'taken back');
    t.notOk('numbers' in (await stored()), 'from her too');
    t.equal((await server.ok('GET', '/numbers/+12125550101')).label, 'Sales desk', 'the label kept');
    await page.getByRole('button', { name: 'Delete number' }).click();
    await page.getByRole('heading', { name: 'Numbers', exact: true }).waitFor();
    t.equal((await server.api('GET', '/numbers/+12125550101')).status, 404, 'deleted');
  });

  t.same(opened.problems, [], 'no CSP violation or page error');
}
