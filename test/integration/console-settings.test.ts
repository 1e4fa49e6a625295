/**
 * The console's editing screens for a site and for phone settings, in Chromium: every site field
 * (address, SIP, networks, the certificate requirement) set and cleared; one settings form used
 * at the global, model, site and device scopes, with API errors under their fields; the device's
 * merged view saying where each value comes from; the write-only admin password kept unless the
 * admin asks to remove it.
 */
import t from 'tap';
import type { Locator } from 'playwright-core';
import { consoleOrSkip, errorUnder, type Console } from '../helpers/console.js';
import { LANGUAGES } from '../../src/domain/settings.js';
import { CODECS } from '../../src/domain/types.js';

/** The error paragraph under `input` (ui.js field(): `<id>-error`). */

const c = await consoleOrSkip(t, 'site and phone settings editing in the console');
if (c) await run(c);

async function run({ server, base, admin, shot }: Console): Promise<void> {
  const { page, problems } = await admin();
  const site = await server.ok('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'pbx.example.com' } });
  const mac = '805ec0000001';
  await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ann', lastName: 'Lee', username: 'ann', extension: '100', device: { mac, model: 'yealink-t46s' } });
  /** Submits `form` and waits for the page, shown again, to say so (a toast of an earlier save removed first). */
  const save = async (form: Locator, button = 'Save settings', text = 'Settings saved') => {
    await page.evaluate(() => document.querySelectorAll('.toast').forEach((toast) => toast.remove()));
    await form.getByRole('button', { name: button }).click();
    await page.locator('.toast').getByText(text).waitFor();
  };

  await t.test('site: address, networks, SIP port and outbound proxy, certificate requirement; a bad CIDR under its field; cleared fields removed', async (t) => {
    await page.goto(`${base}/#/sites/${site.id}`);
    await page.getByRole('heading', { name: 'HQ', exact: true }).waitFor();
    const edit = page.getByRole('form', { name: 'Change site' });
    await edit.getByLabel('Street address').fill('1 Main St');
    await edit.getByLabel('Address line 2').fill('Floor 3');
    await edit.getByLabel('City').fill('Springfield');
    await edit.getByLabel('Country').fill('us');
    await edit.getByLabel('SIP port').fill('5061');
    await edit.getByLabel('Outbound proxy').fill('proxy.example.com');
    await edit.getByLabel('Require the phone’s factory certificate').check();
    const networks = edit.getByLabel('Networks');
    await networks.fill('192.0.2.0/24\n198.51.100.0/33');
    await edit.getByRole('button', { name: 'Save' }).click();
    await t.resolves((await errorUnder(page, networks)).getByText('"198.51.100.0/33" is not an IPv4 or IPv6 address').waitFor(), 'the bad network under the field');
    t.equal((await server.ok('GET', `/sites/${site.id}`)).networks, undefined, 'nothing saved');
    await networks.fill('192.0.2.0/24\n\n198.51.100.0/30\n');
    await save(edit, 'Save', 'Saved');
    const stored = await server.ok('GET', `/sites/${site.id}`);
    t.same(stored.address, { line1: '1 Main St', line2: 'Floor 3', city: 'Springfield', country: 'US' });
    t.same(stored.networks, ['192.0.2.0/24', '198.51.100.0/30']);
    t.same(stored.sip, { registrar: 'pbx.example.com', port: 5061, transport: 'udp', outboundProxy: 'proxy.example.com' });
    t.equal(stored.requireDeviceCertificate, true);

    const again = page.getByRole('form', { name: 'Change site' });
    t.equal(await again.getByLabel('Outbound proxy').inputValue(), 'proxy.example.com', 'the page shows what is stored');
    t.equal(await again.getByLabel('Networks').inputValue(), '192.0.2.0/24\n198.51.100.0/30');
    await again.getByLabel('Outbound proxy').fill('');
    await again.getByLabel('Address line 2').fill('');
    await save(again, 'Save', 'Saved');
    const cleared = await server.ok('GET', `/sites/${site.id}`);
    t.same(cleared.sip, { registrar: 'pbx.example.com', port: 5061, transport: 'udp' }, 'the outbound proxy removed, the rest of SIP kept');
    t.same(cleared.address, { line1: '1 Main St', city: 'Springfield', country: 'US' }, 'address line 2 removed, the rest kept');
  });

  await t.test('global settings through the form: errors under their fields, VLAN, codecs in order, a raw Yealink key, the admin password', async (t) => {
    await page.goto(`${base}/#/settings`);
    await page.getByRole('heading', { name: 'Every phone' }).waitFor();
    const form = page.getByRole('form', { name: 'Phone settings', exact: true });
    t.same(await form.getByLabel('Language').locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value)), ['', ...LANGUAGES], 'the languages the API takes');
    t.same(await form.locator('.codecs input').evaluateAll((bs) => bs.map((b) => (b as HTMLInputElement).value)), CODECS, 'the codecs the API takes');

    const vlan = form.getByLabel('Voice VLAN');
    await vlan.fill('5000');
    await form.getByLabel('G722', { exact: true }).check();
    await form.getByLabel('PCMU', { exact: true }).check();
    const up = form.getByRole('button', { name: 'Move PCMU up' });
    await up.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    t.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move PCMU up', 'the focus stays on the button moved');
    await form.getByRole('button', { name: 'Add a vendor setting' }).click();
    const row = form.getByRole('group', { name: 'Vendor setting 1' });
    await row.getByLabel('Vendor').selectOption('yealink');
    const key = row.getByLabel('Key');
    await key.fill('not a key');
    await row.getByLabel('Value').fill('1');
    await form.getByLabel('Phones’ admin password').fill('73916254');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await t.resolves((await errorUnder(page, vlan)).getByText(/4094/).waitFor(), 'VLAN 5000 refused under its field');
    await vlan.fill('30');
    // (Raw keys are checked once the body is well formed.)
    await form.getByRole('button', { name: 'Save settings' }).click();
    await t.resolves((await errorUnder(page, key)).getByText(/is not a Yealink setting key/).waitFor(), 'a bad raw key refused under it');
    t.equal(await (await errorUnder(page, vlan)).isHidden(), true, 'the VLAN error gone');
    t.same(await server.ok('GET', '/settings'), {}, 'nothing saved');

    await key.fill('features.dnd.enable');
    await save(form);
    t.same(await server.ok('GET', '/settings'), { vlan: 30, codecs: ['PCMU', 'G722'], raw: { yealink: { 'features.dnd.enable': '1' } }, adminPasswordSet: true });
    await shot(page, 'settings');

    // A merge patch: saved without the password, the password stays.
    const shown = page.getByRole('form', { name: 'Phone settings', exact: true });
    await shown.getByLabel('Tone country').fill('GB');
    await save(shown);
    t.same(await server.ok('GET', '/settings'), { vlan: 30, codecs: ['PCMU', 'G722'], toneCountry: 'GB', raw: { yealink: { 'features.dnd.enable': '1' } }, adminPasswordSet: true }, 'saved, the password kept');
    t.equal((await server.ok('GET', '/settings')).adminPasswordSet, true);
  });

  await t.test('model and site scopes', async (t) => {
    await page.goto(`${base}/#/settings`);
    await page.getByRole('heading', { name: 'Every phone' }).waitFor();
    await page.getByRole('form', { name: 'Scope' }).getByLabel('Settings of').selectOption('yealink-t46s');
    await page.getByRole('form', { name: 'Scope' }).getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: /T46S phones/ }).waitFor();
    const model = page.getByRole('form', { name: 'Phone settings', exact: true });
    await model.getByLabel('Check for a new configuration every').fill('60');
    await save(model);
    t.same(await server.ok('GET', '/models/yealink-t46s/settings'), { resyncMinutes: 60 });

    await page.goto(`${base}/#/sites/${site.id}`);
    await page.getByRole('heading', { name: 'HQ', exact: true }).waitFor();
    const form = page.getByRole('form', { name: 'Site phone settings' });
    await form.getByLabel('Language').selectOption('fr');
    await save(form);
    t.same((await server.ok('GET', `/sites/${site.id}`)).settings, { language: 'fr' });
  });

  await t.test('device: the merged view says where each value comes from; its own settings edited, cleared, the password kept unless removed', async (t) => {
    await page.goto(`${base}/#/devices/${mac}`);
    await page.getByRole('heading', { name: 'Device 80:5E:C0:00:00:01' }).waitFor();
    const form = page.getByRole('form', { name: 'Device settings' });
    await form.getByLabel('Syslog server').fill('logs.example.com:514');
    await form.getByLabel('Phones’ admin password').fill('Secret123');
    await form.getByRole('button', { name: 'Add a vendor setting' }).click();
    const key = form.getByRole('group', { name: 'Vendor setting 1' }).getByLabel('Key');
    await key.fill('nodot');
    await form.getByRole('group', { name: 'Vendor setting 1' }).getByLabel('Value').fill('x');
    await form.getByRole('button', { name: 'Save settings' }).click();
    await t.resolves((await errorUnder(page, key)).getByText(/is not a Yealink setting key/).waitFor(), 'a bad raw key of the device under it');
    await form.getByRole('group', { name: 'Vendor setting 1' }).getByRole('button', { name: 'Remove' }).click();
    await save(form);
    t.same((await server.ok('GET', `/devices/${mac}`)).settings, { syslog: 'logs.example.com:514', adminPasswordSet: true });

    const from = (label: RegExp) => page.getByRole('row', { name: label }).getByRole('cell').last();
    t.equal(await from(/^Voice VLAN 30/).textContent(), 'global');
    t.equal(await from(/^Check for a new configuration every \(minutes\) 60/).textContent(), 'model');
    t.equal(await from(/^Language fr/).textContent(), 'site');
    t.equal(await from(/^Syslog server logs\.example\.com:514/).textContent(), 'device');
    t.equal(await from(/^Phones’ admin password/).textContent(), 'device');
    t.equal(await from(/^NTP server pool\.ntp\.org/).textContent(), 'default');
    await shot(page, 'device-settings');
    t.equal(await from(/^features\.dnd\.enable 1/).textContent(), 'global', 'the raw setting it gets, from the global scope');

    // Saved without the password and with the syslog emptied: the password stays, the syslog goes.
    const again = page.getByRole('form', { name: 'Device settings' });
    await again.getByLabel('Syslog server').fill('');
    await again.getByLabel('Voice VLAN').fill('40');
    await save(again);
    t.same((await server.ok('GET', `/devices/${mac}`)).settings, { vlan: 40, adminPasswordSet: true }, 'syslog removed, the password kept');
    t.equal(await from(/^Voice VLAN 40/).textContent(), 'device', 'the merged view follows');

    await page.getByRole('form', { name: 'Device settings' }).getByLabel('Remove the admin password set here').check();
    await save(page.getByRole('form', { name: 'Device settings' }));
    t.same((await server.ok('GET', `/devices/${mac}`)).settings, { vlan: 40 }, 'the password removed when asked');
  });

  t.same(problems, [], 'no CSP violation, no page error');
}
