import t from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const A = '805ec00000a1';
const B = '805ec00000b2';
const NEVER = '805ec00000c3';
const uaOf = (mac: string): string => `Yealink SIP-T54W 96.86.0.100 ${mac.replace(/(..)(?!$)/g, '$1:')}`;

t.test('handset swap: the new MAC takes over the device with the same SIP credentials', async (t) => {
  const server = await startServer(t, t.testdir());
  t.teardown(() => server.stop());
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  t.equal(site.status, 201, site.text);
  const created = await server.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '100', device: { mac: A, model: 'yealink-t54w', label: 'front desk', requireDeviceCertificate: false } },
  });
  t.equal(created.status, 201, created.text);
  const creds = created.json.device.credentials as { authName: string; password: string; provisioning: { username: string; password: string } };

  // The old handset boots in its window and gets its line.
  const first = await fetchFile(server, 'https', `/${A}.cfg`, { userAgent: uaOf(A), from: '127.0.0.61' });
  t.equal(first.status, 200, 'the old handset gets its full file');
  t.ok(first.text.includes(`account.1.auth_name = ${creds.authName}`) && first.text.includes(`account.1.password = ${creds.password}`), 'with its line');
  const before = (await server.api('GET', `/devices/${A}/events`)).json as Array<{ file: string; address: string }>;
  t.ok(before.some((e) => e.file === `${A}.cfg` && e.address === '127.0.0.61'), 'its fetch is on the timeline');
  const oldView = (await server.api('GET', `/devices/${A}`)).json;
  t.match(oldView.windowClaim, { address: '127.0.0.61' }, 'the old handset claimed the window');

  // Refusals change nothing.
  const same = await server.api('POST', `/devices/${A}/replace`, { body: { mac: A.toUpperCase().replace(/(..)(?!$)/g, '$1-') } });
  t.equal(same.status, 400, 'the same MAC, in another form');
  t.match(same.json.errors, [{ path: 'mac' }]);
  const badModel = await server.api('POST', `/devices/${A}/replace`, { body: { mac: B, model: 'yealink-t99x' } });
  t.equal(badModel.status, 400, 'an unknown model');
  t.match(badModel.json.errors, [{ path: 'model' }]);
  const extra = await server.api('POST', `/devices/${A}/replace`, { body: { mac: B, employeeId: created.json.id } });
  t.equal(extra.status, 400, 'an unknown field (moving to another employee is a PATCH)');
  const badMac = await server.api('POST', `/devices/${A}/replace`, { body: { mac: 'ff:ff:ff:ff:ff:ff' } });
  t.equal(badMac.status, 400, 'a broadcast MAC');
  t.match(badMac.json.errors, [{ path: 'mac' }]);
  t.equal((await server.api('POST', `/devices/${NEVER}/replace`, { body: { mac: B } })).status, 404, 'replacing an unknown device');

  const taken = await server.api('POST', '/devices', { body: { mac: NEVER, model: 'yealink-t54w' } });
  t.equal(taken.status, 201, taken.text);
  const onto = await server.api('POST', `/devices/${A}/replace`, { body: { mac: NEVER } });
  t.equal(onto.status, 409, 'replacing onto a registered MAC');
  t.match(onto.json.errors, [{ path: 'mac' }]);
  t.same((await server.api('GET', `/devices/${A}`)).json, oldView, 'the old device is unchanged');
  t.equal((await server.api('GET', `/devices/${NEVER}`)).json.authName, taken.json.authName, 'so is the one whose MAC was asked for');
  t.same((await server.api('GET', `/devices/${A}/credentials`)).json, creds, 'and the credentials');

  // The swap.
  const swap = await server.api('POST', `/devices/${A}/replace`, { body: { mac: B.toUpperCase().replace(/(..)(?!$)/g, '$1:') } });
  t.equal(swap.status, 200, swap.text);
  t.match(swap.json, { mac: B, model: 'yealink-t54w', employeeId: created.json.id, label: 'front desk', requireDeviceCertificate: false, authName: creds.authName });
  t.notOk('credentials' in swap.json, 'no credentials in the reply');
  t.notOk(swap.text.includes(creds.password), 'no password anywhere in it');
  t.equal(swap.json.windowClaim, undefined, 'a new, unclaimed window');
  t.ok(Date.parse(swap.json.enrollmentUntil as string) > Date.now(), 'open now');
  t.equal((await server.api('GET', `/devices/${A}`)).status, 404, 'the old MAC is gone');
  t.same((await server.api('GET', `/devices?employeeId=${created.json.id as string}`)).json.items.map((d: { mac: string }) => d.mac), [B], 'the employee has the new handset only');

  const now = (await server.api('GET', `/devices/${B}/credentials`)).json;
  t.equal(now.authName, creds.authName, 'same SIP auth name');
  t.equal(now.password, creds.password, 'same SIP password');
  t.equal(now.provisioning.password, creds.provisioning.password, 'same provisioning password');
  t.equal(now.provisioning.username, `dt${B}`, 'provisioning user name follows the new MAC');

  // The new handset, from another address, in the new window.
  const fileB = await fetchFile(server, 'https', `/${B}.cfg`, { userAgent: uaOf(B), from: '127.0.0.62' });
  t.equal(fileB.status, 200, 'the new handset gets its full file');
  t.ok(fileB.text.includes(`account.1.auth_name = ${creds.authName}`), 'same auth name in the file');
  t.ok(fileB.text.includes(`account.1.password = ${creds.password}`), 'same SIP password in the file');
  t.ok(fileB.text.includes(`static.auto_provision.server.username = dt${B}`), 'and its provisioning user name');

  // The old MAC answers like one never registered.
  const oldFile = await fetchFile(server, 'https', `/${A}.cfg`, { userAgent: uaOf(A), from: '127.0.0.61' });
  const unknown = await fetchFile(server, 'https', `/805ec00000d4.cfg`, { userAgent: uaOf('805ec00000d4'), from: '127.0.0.61' });
  t.equal(oldFile.status, 401, 'the old MAC over HTTPS: challenged');
  t.equal(oldFile.status, unknown.status, 'as an unregistered MAC is');
  t.equal(oldFile.text, unknown.text, 'with the same body');
  t.notOk(oldFile.text.includes(creds.password), 'no secret');
  const asOld = await fetchFile(server, 'https', `/${B}.cfg`, { userAgent: uaOf(A), from: '127.0.0.61' });
  t.notOk(asOld.text.includes(creds.password), "the old handset's address does not get the new handset's file");

  // The timeline stays with the device.
  const after = (await server.api('GET', `/devices/${B}/events`)).json as Array<{ file: string; address: string }>;
  t.ok(after.some((e) => e.file === `${A}.cfg` && e.address === '127.0.0.61' && (e as { status?: number }).status === 200), "the old handset's fetch is still there");
  t.ok(after.some((e) => e.file === `${B}.cfg` && e.address === '127.0.0.62'), "and the new handset's");
  t.equal((await server.api('GET', `/devices/${A}/events`)).status, 404, 'the old MAC has no timeline');
  t.match((await server.api('GET', `/devices/${B}`)).json.lastSeen, { address: '127.0.0.62' }, 'last seen: the new handset');
});
