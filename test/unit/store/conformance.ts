import type { Test } from 'tap';
import type { AuditEntry, Device, Employee, Site } from '../../../src/domain/types.js';
import type { AuditFilter, DeviceFilter, EmployeeFilter, Page, Store } from '../../../src/store/store.js';
import { ChangedMeanwhile } from '../../../src/errors.js';
import { device, employee, site } from '../../helpers/records.js';

/**
 * What every Store backend must do. Each backend's test file calls this with a factory that
 * returns a fresh, opened store; `reopen` (where the backend persists) closes it and opens a new
 * one on the same data.
 */
export function conformance(
  t: Test,
  make: (t: Test) => Promise<Store>,
  reopen?: (t: Test, store: Store) => Promise<Store>,
): void {
  // Ids are plain strings to the store: one named like a member of Object.prototype must neither
  // find that member (a 500, or `{}` for `__proto__`) nor satisfy a reference to a site or employee.
  const PROTO_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
  const line = (employeeId: string, authName: string) => ({ employeeId, credentials: { authName, passwordSealed: 'v1.sealed' } });

  t.test('sites: insert, get, list, replace, delete', async (t) => {
    const store = await make(t);
    const s = site();
    t.same(await store.insertSite(s), s);
    t.same(await store.getSite(s.id), s);
    t.same(await store.listSites(), [s]);
    t.same(await store.replaceSite({ ...s, name: 'Renamed' }), { ...s, name: 'Renamed' });
    t.equal((await store.getSite(s.id))?.name, 'Renamed');
    t.equal(await store.replaceSite(site()), null, 'replacing an unknown site is null');
    t.equal(await store.deleteSite(s.id), true);
    t.equal(await store.deleteSite(s.id), false);
    t.equal(await store.getSite(s.id), null);
  });

  t.test('a replace given the record as read (`was`): refused once another write changed it, whatever the order of its keys', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const read = (await store.getSite(s.id)) as Site;
    const reordered = Object.fromEntries(Object.entries(read).reverse()) as Site;
    t.same(await store.replaceSite({ ...read, name: 'First' }, reordered), { ...read, name: 'First' }, 'unchanged since the read: written');
    const stale = await store.replaceSite({ ...read, name: 'Second' }, read).catch((err: unknown) => err);
    t.ok(stale instanceof ChangedMeanwhile, 'changed since: refused');
    t.match(stale, { code: 'conflict', status: 409, message: `site ${s.id} was changed by another request meanwhile; try again` });
    t.equal((await store.getSite(s.id))?.name, 'First', 'and nothing written');
    const e = employee(s.id);
    await store.insertEmployee(e);
    const before = (await store.getEmployee(e.id)) as Employee;
    await store.replaceEmployee({ ...before, firstName: 'Ann' });
    t.ok((await store.replaceEmployee({ ...before, lastName: 'Lee' }, before).catch((err: unknown) => err)) instanceof ChangedMeanwhile, 'so for employees');
    t.equal((await store.getEmployee(e.id))?.firstName, 'Ann', 'the other write kept');
    const at = '2026-12-06T00:00:00.000Z';
    t.same(await store.putSettings({ scope: 'global', settings: { vlan: 10 }, updatedAt: at }, null), { scope: 'global', settings: { vlan: 10 }, updatedAt: at }, 'settings where none were read: written while there are none');
    t.ok((await store.putSettings({ scope: 'global', settings: { vlan: 20 }, updatedAt: at }, null).catch((err: unknown) => err)) instanceof ChangedMeanwhile, 'refused once some are');
    t.same((await store.getSettings('global'))?.settings, { vlan: 10 });
    const d = device({ mac: '805ec00000f1', employeeId: e.id });
    await store.insertDevice(d);
    const seen = (await store.getDevice(d.mac)) as Device;
    await store.replaceDevice({ ...seen, label: 'Lobby' });
    const swap = { ...seen, mac: '805ec00000f2' };
    t.ok((await store.replaceDeviceMac(d.mac, swap, seen).catch((err: unknown) => err)) instanceof ChangedMeanwhile, 'a handset swap made from a stale read: refused');
    t.match(await store.getDevice(d.mac), { label: 'Lobby' }, 'the old record kept, with the change made since');
    t.equal(await store.getDevice(swap.mac), null, 'the new one not written');
  });

  t.test('returns copies, not its own records', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    s.name = 'changed outside';
    const got = await store.getSite(s.id);
    t.not(got?.name, 'changed outside');
    got!.name = 'changed again';
    t.not((await store.getSite(s.id))?.name, 'changed again');
  });

  t.test('username is unique without regard to case', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const a = employee(s.id, { username: 'Jo.Smith' });
    await store.insertEmployee(a);
    await t.rejects(store.insertEmployee(employee(s.id, { username: 'jo.SMITH' })), {
      status: 409,
      errors: [{ path: 'username' }],
    });
    t.same(await store.replaceEmployee({ ...a, username: 'JO.smith' }), { ...a, username: 'JO.smith' }, 'own name in other case');
    t.equal((await store.listEmployees()).length, 1);
  });

  t.test('extension is unique within a site, free across sites', async (t) => {
    const store = await make(t);
    const s1 = site();
    const s2 = site();
    await store.insertSite(s1);
    await store.insertSite(s2);
    await store.insertEmployee(employee(s1.id, { extension: '2001' }));
    await t.rejects(store.insertEmployee(employee(s1.id, { extension: '2001' })), { status: 409, errors: [{ path: 'extension' }] });
    await t.resolves(store.insertEmployee(employee(s2.id, { extension: '2001' })));
    t.same((await store.listEmployees({ siteId: s1.id })).map((e) => e.extension), ['2001']);
  });

  t.test('moving an employee keeps the extension rule', async (t) => {
    const store = await make(t);
    const s1 = site();
    const s2 = site();
    await store.insertSite(s1);
    await store.insertSite(s2);
    const a = employee(s1.id, { extension: '3000' });
    await store.insertEmployee(a);
    await store.insertEmployee(employee(s2.id, { extension: '3000' }));
    await t.rejects(store.replaceEmployee({ ...a, siteId: s2.id }), { name: 'DialtoneError', status: 409 });
    t.equal((await store.getEmployee(a.id))?.siteId, s1.id, 'unchanged after the refusal');
  });

  t.test('an employee needs an existing site; a site with staff cannot go', async (t) => {
    const store = await make(t);
    await t.rejects(store.insertEmployee(employee('no-such-site')), { status: 400, errors: [{ path: 'siteId' }] });
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id);
    await store.insertEmployee(e);
    await t.rejects(store.deleteSite(s.id), { name: 'DialtoneError', status: 409 });
    t.ok(await store.getSite(s.id));
    t.equal(await store.deleteEmployee(e.id), true);
    t.equal(await store.deleteSite(s.id), true);
  });

  t.test('devices: MAC and auth name unique, employee must exist', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id);
    await store.insertEmployee(e);
    const d = device({ employeeId: e.id });
    t.same(await store.insertDevice(d), d);
    t.same(await store.getDevice(d.mac), d);
    await t.rejects(store.insertDevice(device({ mac: d.mac })), { status: 409, errors: [{ path: 'mac' }] });
    const clash = device();
    clash.credentials.authName = d.credentials.authName;
    await t.rejects(store.insertDevice(clash), { status: 409, errors: [{ path: 'authName' }] });
    await t.rejects(store.insertDevice(device({ employeeId: 'nobody' })), { status: 400, errors: [{ path: 'employeeId' }] });
    t.same((await store.listDevices({ employeeId: e.id })).map((x) => x.mac), [d.mac]);
    t.equal(await store.replaceDevice({ ...device(), label: 'x' }), null);
    t.equal((await store.replaceDevice({ ...d, label: 'desk' }))?.label, 'desk');
    t.equal(await store.deleteDevice(d.mac), true);
    t.equal(await store.deleteDevice(d.mac), false);
    t.equal(await store.getDevice(d.mac), null);
  });

  t.test('a device keeps its auth name on replace; a freed auth name can be reused', async (t) => {
    const store = await make(t);
    const d = device();
    await store.insertDevice(d);
    const rotated = { ...d, credentials: { ...d.credentials, authName: 'rotated1' } };
    await store.replaceDevice(rotated);
    const reuse = device();
    reuse.credentials.authName = d.credentials.authName;
    await t.resolves(store.insertDevice(reuse), 'the old auth name is free again');
  });

  t.test('replaceDeviceMac: a handset swap, old record out and new in as one write', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id);
    await store.insertEmployee(e);
    const old = device({ employeeId: e.id, label: 'front desk' });
    await store.insertDevice(old);
    const other = device();
    await store.insertDevice(other);
    const fresh = device();
    const swapped = { ...old, mac: fresh.mac };

    let before = store.revision;
    t.equal(await store.replaceDeviceMac(device().mac, { ...swapped }), null, 'no device under the old MAC: null');
    await t.rejects(store.replaceDeviceMac(old.mac, { ...old, mac: other.mac }), { status: 409, errors: [{ path: 'mac' }] }, 'the new MAC is taken');
    await t.rejects(store.replaceDeviceMac(old.mac, { ...old }), { status: 409, errors: [{ path: 'mac' }] }, 'the same MAC');
    await t.rejects(
      store.replaceDeviceMac(old.mac, { ...swapped, credentials: { ...old.credentials, authName: other.credentials.authName } }),
      { status: 409, errors: [{ path: 'authName' }] },
      "another device's auth name",
    );
    await t.rejects(store.replaceDeviceMac(old.mac, { ...swapped, employeeId: 'nobody' }), { status: 400, errors: [{ path: 'employeeId' }] });
    t.equal(store.revision, before, 'refusals leave the revision alone');
    t.same(await store.getDevice(old.mac), old, 'the old record is untouched by the refusals');
    t.same(await store.getDevice(other.mac), other, 'so is the device whose MAC was asked for');
    t.equal(await store.getDevice(fresh.mac), null);

    t.same(await store.replaceDeviceMac(old.mac, swapped), swapped, 'returns the new record');
    t.not(store.revision, before, 'the swap changes the revision');
    t.equal(await store.getDevice(old.mac), null, 'the old MAC is gone');
    t.same(await store.getDevice(fresh.mac), swapped, 'the new MAC holds the device');
    t.same((await store.listDevices({ employeeId: e.id })).map((d) => d.mac), [fresh.mac], 'one device for the employee');
    t.equal((await store.listDevices()).length, 2);

    // The auth name now belongs to the new MAC: the new record may keep it, nobody else may take it.
    const clash = device();
    clash.credentials.authName = old.credentials.authName;
    await t.rejects(store.insertDevice(clash), { status: 409, errors: [{ path: 'authName' }] }, 'auth name still taken');
    await t.rejects(store.insertDevice({ ...old, label: 'the old handset again' }), { status: 409, errors: [{ path: 'authName' }] }, 'even under the old MAC');
    t.equal((await store.replaceDevice({ ...swapped, label: 'desk' }))?.label, 'desk', 'the new record keeps its auth name on replace');
    await t.resolves(store.insertDevice(device({ mac: old.mac })), 'the old MAC is free for another device');

    before = store.revision;
    t.equal(await store.replaceDeviceMac(old.mac + 'x', swapped), null);
    t.equal(store.revision, before);
  });

  t.test('replaceDeviceMac: MACs named like Object.prototype members', async (t) => {
    const store = await make(t);
    const d = device();
    await store.insertDevice(d);
    for (const id of PROTO_NAMES) {
      t.equal(await store.replaceDeviceMac(id, { ...d, mac: `${id}-new` }), null, `replaceDeviceMac(${id}) finds nothing`);
    }
    t.same(await store.replaceDeviceMac(d.mac, { ...d, mac: '__proto__' }), { ...d, mac: '__proto__' }, 'into __proto__');
    t.same(await store.getDevice('__proto__'), { ...d, mac: '__proto__' });
    t.same(await store.replaceDeviceMac('__proto__', { ...d, mac: 'constructor' }), { ...d, mac: 'constructor' }, 'out of __proto__');
    t.equal(await store.getDevice('__proto__'), null);
    t.same(await store.listDevices(), [{ ...d, mac: 'constructor' }]);
    const clash = device();
    clash.credentials.authName = d.credentials.authName;
    await t.rejects(store.insertDevice(clash), { status: 409, errors: [{ path: 'authName' }] }, 'auth name index follows the device');
    if (reopen) {
      const again = await reopen(t, store);
      t.same(await again.listDevices(), [{ ...d, mac: 'constructor' }], 'after a reopen: only the new MAC');
      await t.rejects(again.insertDevice(clash), { status: 409, errors: [{ path: 'authName' }] }, 'after a reopen: index rebuilt');
    }
  });

  t.test('employee with device: both or neither', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const taken = device();
    await store.insertDevice(taken);
    const e = employee(s.id);
    await t.rejects(store.insertEmployee(e, device({ mac: taken.mac, employeeId: e.id })), {
      status: 409,
      errors: [{ path: 'device.mac' }],
    });
    t.equal(await store.getEmployee(e.id), null, 'employee not stored when its device is refused');
    const d = device({ employeeId: e.id });
    await store.insertEmployee(e, d);
    t.equal((await store.getDevice(d.mac))?.employeeId, e.id);
  });

  t.test('deleting an employee unassigns their devices', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id);
    const d = device({ employeeId: e.id });
    await store.insertEmployee(e, d);
    await store.deleteEmployee(e.id);
    const left = await store.getDevice(d.mac);
    t.ok(left, 'device stays');
    t.equal(left?.employeeId, undefined);
  });

  t.test("lines 2..N: every auth name unique across devices and lines, employees must exist, a deleted employee's line goes", async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const [a, b] = [employee(s.id), employee(s.id)];
    await store.insertEmployee(a);
    await store.insertEmployee(b);
    const d = device({ employeeId: a.id, lines: [line(b.id, 'second-line')] });
    await store.insertDevice(d);
    const other = device();
    await t.rejects(store.insertDevice({ ...other, lines: [line(b.id, 'second-line')] }), { status: 409, errors: [{ path: 'lines.0.authName' }] }, "another device's line auth name");
    const taken = device();
    taken.credentials.authName = 'second-line';
    await t.rejects(store.insertDevice(taken), { status: 409, errors: [{ path: 'authName' }] }, 'a line auth name taken as a device auth name');
    await t.rejects(store.insertDevice({ ...other, lines: [line(b.id, other.credentials.authName)] }), { status: 409, errors: [{ path: 'lines.0.authName' }] }, "the device's own auth name again");
    await t.rejects(store.insertDevice({ ...other, lines: [line('nobody', 'x-line')] }), { status: 400, errors: [{ path: 'lines.0.employeeId' }] });
    await store.putSettings({ scope: 'global', settings: { vlan: 20, raw: { yealink: { 'a.b': '1' } } }, updatedAt: d.updatedAt });
    t.same((await store.getSettings('global'))?.settings, { vlan: 20, raw: { yealink: { 'a.b': '1' } } });
    t.equal(await store.getSettings('model:none'), null);
    await store.deleteEmployee(b.id);
    const left = await store.getDevice(d.mac);
    t.equal(left?.employeeId, a.id, 'line 1 stays');
    t.equal(left?.lines, undefined, "the deleted employee's line is gone");
    await store.insertDevice({ ...other, lines: [line(a.id, 'second-line')] });
    t.pass('and its auth name is free again');
  });

  t.test('holder: who holds each unique key, found without a scan', async (t) => {
    const store = await make(t);
    const s = site();
    const a = employee(s.id, { username: 'Ada.L', extension: '100', numbers: ['+12127365100'] });
    const b = employee(s.id, { username: 'bob', extension: '101' });
    const d = device({ employeeId: a.id, lines: [line(b.id, 'bob-line')] });
    await store.insertSite(s);
    await store.insertEmployee(b);
    await store.insertEmployee(a, d);
    t.equal(await store.holder('username', 'ada.l'), a.id, 'a username, in lower case');
    t.equal(await store.holder('username', 'Ada.L'), null, 'given as stored: not lower case, no match');
    t.equal(await store.holder('extension', `${s.id}\u0000101`), b.id);
    t.equal(await store.holder('extension', `other-site\u0000101`), null, 'an extension at another site');
    t.equal(await store.holder('number', '+12127365100'), a.id);
    t.equal(await store.holder('authName', d.credentials.authName), d.mac);
    t.equal(await store.holder('authName', 'bob-line'), d.mac, "a line's auth name: the device");
    t.equal(await store.holder('authName', 'nobody'), null);
    await store.deleteEmployee(b.id);
    t.equal(await store.holder('username', 'bob'), null, 'gone with the employee');
    t.equal(await store.holder('authName', 'bob-line'), null, 'and their line with them');
  });

  t.test('write: many changes as one unit, each checked against those before it', async (t) => {
    const store = await make(t);
    const s = site();
    const a = employee(s.id, { username: 'ada', extension: '100', numbers: ['+12127365000', '+12127365001'] });
    const b = employee(s.id, { username: 'bob', extension: '101' });
    const d = device({ employeeId: a.id, lines: [line(b.id, 'bob-line')] });
    const stamp = a.createdAt;
    await store.write([
      { table: 'sites', row: s },
      { table: 'employees', row: a },
      { table: 'employees', row: b },
      { table: 'devices', row: d },
      { table: 'numbers', row: { number: '+12127365009', label: 'spare', createdAt: stamp, updatedAt: stamp } },
      { table: 'settings', row: { scope: 'global', settings: { vlan: 20 }, updatedAt: stamp } },
    ]);
    t.same(await store.getDevice(d.mac), d, 'a device referring to employees written before it in the same write');
    t.same((await store.listNumbers()).map((n) => n.number), ['+12127365000', '+12127365001', '+12127365009'], "the employee's numbers joined the numbers table");
    t.equal(await store.holder('number', '+12127365001'), a.id);
    t.same((await store.listNumbers({ available: true })).map((n) => n.number), ['+12127365009']);

    const before = store.revision;
    const c = employee(s.id, { username: 'cy', extension: '102' });
    await t.rejects(
      store.write([
        { table: 'employees', row: c },
        { table: 'employees', row: { ...b, firstName: 'Robert' } },
        { table: 'employees', row: employee(s.id, { username: 'ADA', extension: '103' }) },
      ]),
      { status: 409, errors: [{ path: '2.username' }] },
      'the failing change is named by its index',
    );
    t.equal(store.revision, before, 'a refused write leaves the revision alone');
    t.equal(await store.getEmployee(c.id), null, 'nothing of it was written');
    t.equal((await store.getEmployee(b.id))?.firstName, b.firstName, 'not even a replacement before the failing change');
    await t.rejects(store.write([{ table: 'employees', row: employee(s.id, { username: 'dee', extension: '104', numbers: ['+12127365000'] }) }]), { status: 409, errors: [{ path: '0.numbers.0' }] }, 'a number routed to someone else');
    await t.rejects(store.write([{ table: 'devices', row: device({ employeeId: 'nobody' }) }]), { status: 400, errors: [{ path: '0.employeeId' }] });
    await t.rejects(store.deleteNumber('+12127365000'), { status: 409, errors: [{ path: 'number' }] }, 'a routed number cannot be deleted');
    await t.rejects(store.write([{ table: 'sites', row: s, must: 'insert' }]), { status: 409, errors: [{ path: '0.id' }] }, "must: 'insert' refuses a record that exists");
    await t.rejects(store.write([{ table: 'sites', row: site(), must: 'replace' }]), { status: 404, errors: [{ path: '0.id' }] }, "must: 'replace' refuses one that does not");
    await store.write([{ table: 'sites', row: { ...s, name: 'Again' }, must: 'replace' }, { table: 'sites', row: site({ id: 'site-new' }), must: 'insert' }]);
    t.equal((await store.getSite('site-new'))?.id, 'site-new');
    await store.write([{ table: 'employees', row: { ...a, numbers: ['+12127365001'] } }]);
    t.equal(await store.holder('number', '+12127365000'), null, 'a number taken from its employee is free');
    t.equal(await store.deleteNumber('+12127365000'), true);

    // Removals, in the same unit as the rest and under the same rules.
    await t.rejects(store.write([{ table: 'sites', remove: 'site-new' }, { table: 'sites', remove: 'site-new' }]), { status: 404, errors: [{ path: '1.id' }] }, 'a record removed twice');
    t.ok(await store.getSite('site-new'), 'and the first removal was undone');
    await t.rejects(store.write([{ table: 'numbers', remove: '+12127365001' }]), { status: 409, errors: [{ path: '0.number' }] }, 'a routed number');
    await t.rejects(store.write([{ table: 'sites', remove: s.id }]), { status: 409, errors: [{ path: '0.id' }] }, 'a site with employees');
    await store.write([
      { table: 'employees', remove: b.id },
      { table: 'employees', row: { ...a, numbers: [] } },
      { table: 'numbers', remove: '+12127365001' },
      { table: 'sites', remove: 'site-new' },
    ]);
    t.equal(await store.getEmployee(b.id), null);
    t.equal((await store.getDevice(d.mac))?.lines, undefined, "the removed employee's line left the device in the same write");
    t.equal(await store.getNumber('+12127365001'), null, 'a number removed once no one has it, in the same write');
    if (reopen) {
      const kept = await store.getDevice(d.mac);
      const again = await reopen(t, store);
      t.same(await again.getDevice(d.mac), kept, 'durable');
      t.equal(await again.getEmployee(b.id), null);
      t.equal(await again.getNumber('+12127365000'), null);
      t.equal(await again.getNumber('+12127365001'), null);
    }
  });

  // The account's numbers: the inventory (numbers table) and each number's route (employee.numbers).

  t.test('numbers: insert, get, list, replace, delete; a number is in the inventory once', async (t) => {
    const store = await make(t);
    const at = new Date().toISOString();
    const a = { number: '+12125550101', label: 'Sales', createdAt: at, updatedAt: at };
    const b = { number: '+12125550100', createdAt: at, updatedAt: at };
    t.same(await store.insertNumber(a), a);
    t.same(await store.insertNumber(b), b);
    await t.rejects(store.insertNumber({ ...a, label: 'again' }), { status: 409, errors: [{ path: 'number' }] }, 'already in the inventory');
    t.same(await store.getNumber(a.number), a, 'the refusal changed nothing');
    t.equal(await store.getNumber('+12125550199'), null);
    t.same(await store.listNumbers(), [b, a], 'in the order of the number');
    t.same(await store.replaceNumber({ ...a, label: 'Support' }), { ...a, label: 'Support' });
    t.equal(await store.replaceNumber({ ...a, number: '+12125550199' }), null, 'replacing an unknown number is null');
    t.equal(await store.deleteNumber(b.number), true);
    t.equal(await store.deleteNumber(b.number), false);
    t.same(await store.listNumbers(), [{ ...a, label: 'Support' }]);
    for (const id of PROTO_NAMES) t.equal(await store.getNumber(id), null, `getNumber(${id})`);
  });

  t.test("numbers: an employee's numbers join the inventory, each routed to one employee only", async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const at = new Date().toISOString();
    await store.insertNumber({ number: '+12125550102', label: 'Front desk', createdAt: at, updatedAt: at });
    const a = employee(s.id, { numbers: ['+12125550101', '+12125550102', '+12125550103'] });
    await store.insertEmployee(a);
    t.same((await store.listNumbers()).map((n) => [n.number, n.label]), [['+12125550101', undefined], ['+12125550102', 'Front desk'], ['+12125550103', undefined]], 'added when missing; a label stays');
    t.equal(await store.holder('number', '+12125550103'), a.id);
    t.equal(await store.holder('number', '+12125550199'), null);
    await t.rejects(store.insertEmployee(employee(s.id, { numbers: ['+12125550104', '+12125550102'] })), { status: 409, errors: [{ path: 'numbers.1' }] }, "another employee's number");
    t.equal(await store.getNumber('+12125550104'), null, 'a refused employee adds no number');
    await t.rejects(store.replaceEmployee({ ...a, numbers: ['+12125550101', '+12125550101'] }), { status: 409, errors: [{ path: 'numbers.1' }] }, 'one number twice');
    const b = employee(s.id);
    await store.insertEmployee(b);
    await t.rejects(store.replaceEmployee({ ...b, numbers: ['+12125550103'] }), { status: 409, errors: [{ path: 'numbers.0' }] });

    // Taken from one, given to the other.
    await store.replaceEmployee({ ...a, numbers: ['+12125550101', '+12125550102'] });
    t.equal(await store.holder('number', '+12125550103'), null, 'free once taken away');
    t.ok(await store.getNumber('+12125550103'), 'and still in the inventory');
    await store.replaceEmployee({ ...b, numbers: ['+12125550103'] });
    t.equal(await store.holder('number', '+12125550103'), b.id);

    await t.rejects(store.deleteNumber('+12125550103'), { status: 409, errors: [{ path: 'number', message: /take it from them first/ }] }, 'not while routed');
    t.ok(await store.getNumber('+12125550103'));
    await store.deleteEmployee(b.id);
    t.equal(await store.holder('number', '+12125550103'), null, "a deleted employee's numbers are free");
    t.equal(await store.deleteNumber('+12125550103'), true);
  });

  t.test('numbers: lists filter by route and text, and page by number', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const at = new Date().toISOString();
    for (let i = 0; i < 6; i++) await store.insertNumber({ number: `+1212555011${i}`, ...(i % 2 ? { label: `Fax ${i}` } : {}), createdAt: at, updatedAt: at });
    const a = employee(s.id, { numbers: ['+12125550113', '+12125550111'] });
    await store.insertEmployee(a);
    const numbers = async (filter: Parameters<Store['listNumbers']>[0]) => (await store.listNumbers(filter)).map((n) => n.number.slice(-2));
    t.same(await numbers({ available: true }), ['10', '12', '14', '15']);
    t.same(await numbers({ available: false }), ['11', '13'], 'in number order, not route order');
    t.same(await numbers({ employeeId: a.id }), ['11', '13']);
    t.same(await numbers({ employeeId: 'nobody' }), []);
    t.same(await numbers({ q: 'fax' }), ['11', '13', '15'], 'the label, any case');
    t.same(await numbers({ q: '0112' }), ['12'], 'the number');
    t.same(await numbers({ available: true, q: 'FAX' }), ['15'], 'filters together');
    t.same(await numbers({ available: true, limit: 2 }), ['10', '12']);
    t.same(await numbers({ available: true, after: '+12125550112', limit: 2 }), ['14', '15'], 'after the last key seen');
    t.same(await numbers({ after: '+12125550115' }), []);
  });

  t.test('numbers: an entry and an employee written as one unit, or neither', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const a = employee(s.id, { numbers: ['+12125550121'] });
    const b = employee(s.id);
    await store.insertEmployee(a);
    await store.insertEmployee(b);
    const at = new Date().toISOString();
    await t.rejects(
      store.write([
        { table: 'numbers', row: { number: '+12125550122', label: 'New', createdAt: at, updatedAt: at } },
        { table: 'employees', row: { ...b, numbers: ['+12125550122', '+12125550121'] } },
      ]),
      { status: 409, errors: [{ path: '1.numbers.1' }] },
    );
    t.equal(await store.getNumber('+12125550122'), null, 'nothing written: not the number');
    t.same(await store.getEmployee(b.id), b, 'nor the employee');
    await store.write([
      { table: 'numbers', row: { number: '+12125550122', label: 'New', createdAt: at, updatedAt: at } },
      { table: 'employees', row: { ...b, numbers: ['+12125550122'] } },
    ]);
    t.equal((await store.getNumber('+12125550122'))?.label, 'New', 'the label written with the route');
    t.equal(await store.holder('number', '+12125550122'), b.id);
    if (reopen) {
      const again = await reopen(t, store);
      t.same((await again.listNumbers()).map((n) => [n.number, n.label]), [['+12125550121', undefined], ['+12125550122', 'New']], 'after a reopen: the inventory');
      t.equal(await again.holder('number', '+12125550121'), a.id, 'after a reopen: the routes');
      await t.rejects(again.replaceEmployee({ ...a, numbers: ['+12125550121', '+12125550122'] }), { status: 409, errors: [{ path: 'numbers.1' }] }, 'after a reopen: index rebuilt');
      await t.rejects(again.deleteNumber('+12125550122'), { status: 409, errors: [{ path: 'number' }] });
    }
  });

  t.test('tokens', async (t) => {
    const store = await make(t);
    const tok = { id: 'tok1', hash: 'scrypt$x', label: 'first', createdAt: new Date().toISOString() };
    await store.insertToken(tok);
    t.same(await store.listTokens(), [tok]);
    await t.rejects(store.insertToken(tok), { name: 'DialtoneError', status: 409 });
    const scoped = { id: 'tok2', hash: 'h$y', label: 'field', scope: 'technician' as const, createdAt: tok.createdAt };
    await store.insertToken(scoped);
    t.same(await store.replaceToken({ ...scoped, label: 'field team' }), { ...scoped, label: 'field team' });
    t.equal(await store.deleteToken('tok1'), true);
    t.equal(await store.deleteToken('tok1'), false, 'a second time: no such token');
    t.same(await store.listTokens(), [{ ...scoped, label: 'field team' }]);
  });

  t.test('operators and sessions: kept by key, one operator per name', async (t) => {
    const store = await make(t);
    const at = new Date().toISOString();
    const op = { name: 'ada', passwordHash: 'scrypt$1$1$1$a$b', scope: 'technician' as const, createdAt: at, updatedAt: at };
    t.same(await store.insertOperator(op), op);
    await t.rejects(store.insertOperator({ ...op, scope: 'admin' }), { status: 409, errors: [{ path: 'name' }] }, 'a second ada');
    t.same(await store.getOperator('ada'), op);
    t.equal(await store.getOperator('__proto__'), null);
    t.same(await store.replaceOperator({ ...op, scope: 'admin' }), { ...op, scope: 'admin' });
    t.equal(await store.replaceOperator({ ...op, name: 'bob' }), null, 'replacing an unknown operator is null');
    const session = { id: 'hash-of-secret', operator: 'ada', csrf: 'c', createdAt: at, expiresAt: at };
    await store.insertSession(session);
    t.same(await store.getSession(session.id), session);
    t.same(await store.listSessions(), [session]);
    t.same(await store.listOperators({ limit: 1 }), [{ ...op, scope: 'admin' }]);
    t.equal(await store.deleteSession(session.id), true);
    t.equal(await store.deleteSession(session.id), false);
    t.equal(await store.deleteOperator('ada'), true);
    t.same(await store.listOperators(), []);
  });

  t.test('sessions: listed and deleted by operator and by their end, without touching the others', async (t) => {
    const store = await make(t);
    const at = (minute: number): string => new Date(Date.UTC(2026, 0, 1, 8, minute)).toISOString();
    const session = (id: string, operator: string, ends: number) => ({ id, operator, csrf: `csrf-${id}`, createdAt: at(0), expiresAt: at(ends) });
    const [s1, s2, s3, s4, s5] = [session('s1', 'ada', 10), session('s2', 'bob', 20), session('s3', 'ada', 30), session('s4', 'bob', 5), session('s5', 'ada.b', 1)];
    for (const s of [s3, s1, s5, s4, s2]) await store.insertSession(s);
    t.same(await store.listSessions({ operator: 'ada' }), [s1, s3], "ada's, by key; not ada.b's");
    t.same(await store.listSessions({ operator: 'ada', limit: 1 }), [s1], 'paged');
    t.same(await store.listSessions({ operator: 'ada', after: 's1' }), [s3], 'paged on');
    t.same(await store.listSessions({ expiredBy: at(10) }), [s1, s4, s5], 'ended at or before the time');
    t.same(await store.listSessions({ operator: 'bob', expiredBy: at(10) }), [s4], 'both conditions');
    t.same(await store.listSessions({ operator: 'ADA' }), [], 'names compare exactly');

    const last = store.revision;
    t.equal(await store.deleteSessions({ operator: 'nobody' }), 0, 'nothing to delete');
    t.equal(store.revision, last, 'and the revision stands');
    t.equal(await store.deleteSessions({ expiredBy: at(10) }), 3, 'the ended ones');
    t.not(store.revision, last, 'a deletion moves the revision');
    t.same(await store.listSessions(), [s2, s3]);
    t.equal(await store.deleteSessions({ operator: 'ada' }), 1, "ada's");
    t.same(await store.listSessions(), [s2], "bob's stays");
    t.equal(await store.getSession('s3'), null);
    if (reopen) {
      const again = await reopen(t, store);
      t.same(await again.listSessions({ operator: 'bob' }), [s2], 'what is left, after a reopen, found by operator');
      t.equal(await again.deleteSessions({ operator: 'bob', expiredBy: at(30) }), 1);
      t.same(await (await reopen(t, again)).listSessions(), [], 'and the deletion was durable');
    }
  });

  t.test('revision moves with every write and stands still for reads and refusals', async (t) => {
    const store = await make(t);
    let last = store.revision;
    const moved = async (what: string, write: () => Promise<unknown>): Promise<void> => {
      await write();
      t.not(store.revision, last, `${what} changes the revision`);
      last = store.revision;
    };
    const still = async (what: string, op: () => Promise<unknown>): Promise<void> => {
      await op().catch(() => undefined);
      t.equal(store.revision, last, `${what} leaves the revision alone`);
    };
    const s = site();
    const e = employee(s.id);
    const d = device({ employeeId: e.id });
    await moved('insertSite', () => store.insertSite(s));
    await moved('insertEmployee with a device', () => store.insertEmployee(e, d));
    await still('reads', async () => [await store.getSite(s.id), await store.getEmployee(e.id), await store.getDevice(d.mac), await store.listSites(), await store.listEmployees(), await store.listDevices(), await store.listTokens()]);
    await still('a refused duplicate', () => store.insertDevice(device({ mac: d.mac })));
    await still('replacing an unknown device', () => store.replaceDevice(device()));
    await moved('replaceSite', () => store.replaceSite({ ...s, name: 'Renamed' }));
    await moved('replaceEmployee', () => store.replaceEmployee({ ...e, firstName: 'Renamed' }));
    await moved('replaceDevice', () => store.replaceDevice({ ...d, label: 'desk' }));
    await moved('insertDevice', () => store.insertDevice(device()));
    await moved('insertToken', () => store.insertToken({ id: 'tok1', hash: 'scrypt$x', label: 'first', createdAt: new Date().toISOString() }));
    await moved('deleteToken', () => store.deleteToken('tok1'));
    await moved('deleteDevice', () => store.deleteDevice(d.mac));
    await moved('deleteEmployee', () => store.deleteEmployee(e.id));
    await moved('deleteSite', () => store.deleteSite(s.id));
  });

  t.test('concurrent inserts all land, conflicts refused exactly once', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => store.insertEmployee(employee(s.id, { username: `u${i % 20}`, extension: String(5000 + i) }))),
    );
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 20);
    t.equal(results.filter((r) => r.status === 'rejected').length, 20);
    t.equal((await store.listEmployees()).length, 20);
  });


  t.test('ids named like Object.prototype members find nothing and reference nothing', async (t) => {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const e = employee(s.id);
    await store.insertEmployee(e);
    const before = store.revision;
    for (const id of PROTO_NAMES) {
      t.equal(await store.getSite(id), null, `getSite(${id})`);
      t.equal(await store.getEmployee(id), null, `getEmployee(${id})`);
      t.equal(await store.getDevice(id), null, `getDevice(${id})`);
      t.equal(await store.replaceSite(site({ id })), null, `replaceSite(${id})`);
      t.equal(await store.replaceEmployee(employee(s.id, { id })), null, `replaceEmployee(${id})`);
      t.equal(await store.replaceDevice(device({ mac: id })), null, `replaceDevice(${id})`);
      t.equal(await store.deleteSite(id), false, `deleteSite(${id})`);
      t.equal(await store.deleteEmployee(id), false, `deleteEmployee(${id})`);
      t.equal(await store.deleteDevice(id), false, `deleteDevice(${id})`);
      t.equal(await store.replaceToken({ id, hash: 'scrypt$x', label: id, createdAt: new Date().toISOString() }), null, `replaceToken(${id})`);
      await t.rejects(store.insertEmployee(employee(id)), { status: 400, errors: [{ path: 'siteId' }] }, `insertEmployee into site ${id}`);
      await t.rejects(store.replaceEmployee({ ...e, siteId: id }), { status: 400, errors: [{ path: 'siteId' }] }, `moving an employee to site ${id}`);
      await t.rejects(store.insertDevice(device({ employeeId: id })), { status: 400, errors: [{ path: 'employeeId' }] }, `insertDevice for employee ${id}`);
      await t.rejects(
        store.insertEmployee(employee(s.id), device({ employeeId: id })),
        { status: 400, errors: [{ path: 'device.employeeId' }] },
        `insertEmployee with a device for employee ${id}`,
      );
      const d = device();
      await store.insertDevice(d);
      await t.rejects(store.replaceDevice({ ...d, employeeId: id }), { status: 400, errors: [{ path: 'employeeId' }] }, `assigning a device to ${id}`);
      await store.deleteDevice(d.mac);
    }
    t.same(await store.listSites(), [s], 'sites unchanged');
    t.same(await store.listEmployees(), [e], 'employees unchanged');
    t.same(await store.listEmployees({ siteId: '__proto__' }), [], 'no employees in site __proto__');
    t.same(await store.listDevices(), [], 'no devices left');
    t.same(await store.listDevices({ employeeId: 'constructor' }), [], 'no devices of employee constructor');
    t.ok(store.revision !== before, 'the device inserts moved the revision');
  });

  t.test('records may have ids named like Object.prototype members', async (t) => {
    const store = await make(t);
    const sites = PROTO_NAMES.map((id) => site({ id }));
    for (const s of sites) t.same(await store.insertSite(s), s, `insertSite(${s.id})`);
    for (const s of sites) {
      t.same(await store.getSite(s.id), s, `getSite(${s.id})`);
      await t.rejects(store.insertSite(site({ id: s.id })), { status: 409, errors: [{ path: 'id' }] }, `a second site ${s.id}`);
    }
    t.same((await store.listSites()).map((s) => s.id).sort(), [...PROTO_NAMES].sort(), 'listed');
    const staff = PROTO_NAMES.map((id, i) => employee(PROTO_NAMES[(i + 1) % PROTO_NAMES.length]!, { id, username: id }));
    for (const e of staff) t.same(await store.insertEmployee(e), e, `insertEmployee(${e.id}) in site ${e.siteId}`);
    const phones = PROTO_NAMES.map((mac, i) => {
      const d = device({ mac, employeeId: staff[i]!.id });
      d.credentials.authName = mac;
      return d;
    });
    for (const d of phones) t.same(await store.insertDevice(d), d, `insertDevice(${d.mac})`);
    for (const d of phones) {
      t.same(await store.getDevice(d.mac), d, `getDevice(${d.mac})`);
      t.same(await store.listDevices({ employeeId: d.employeeId! }), [d], `listDevices of ${d.employeeId}`);
    }
    const tokens = PROTO_NAMES.map((id) => ({ id, hash: 'scrypt$x', label: id, createdAt: new Date().toISOString() }));
    for (const tok of tokens) t.same(await store.insertToken(tok), tok, `insertToken(${tok.id})`);
    t.equal((await store.listTokens()).length, PROTO_NAMES.length);
    t.same(await store.replaceToken({ ...tokens[0]!, label: 'renamed' }), { ...tokens[0]!, label: 'renamed' }, 'replaceToken(__proto__)');
    tokens[0]!.label = 'renamed';

    if (reopen) {
      const again = await reopen(t, store);
      for (const s of sites) t.same(await again.getSite(s.id), s, `after a reopen: site ${s.id}`);
      for (const e of staff) t.same(await again.getEmployee(e.id), e, `after a reopen: employee ${e.id}`);
      for (const d of phones) t.same(await again.getDevice(d.mac), d, `after a reopen: device ${d.mac}`);
      t.same([...(await again.listTokens())].sort((a, b) => a.id.localeCompare(b.id)), [...tokens].sort((a, b) => a.id.localeCompare(b.id)), 'after a reopen: tokens');
      await t.rejects(again.insertEmployee(employee(sites[0]!.id, { username: 'TOSTRING' })), { status: 409, errors: [{ path: 'username' }] }, 'indexes rebuilt');
      return;
    }
    const [first] = staff;
    t.same(await store.replaceSite({ ...sites[0]!, name: 'Renamed' }), { ...sites[0]!, name: 'Renamed' }, 'replaceSite(__proto__)');
    t.equal((await store.replaceEmployee({ ...first!, firstName: 'Renamed' }))?.firstName, 'Renamed', 'replaceEmployee(__proto__)');
    t.equal((await store.replaceDevice({ ...phones[0]!, label: 'desk' }))?.label, 'desk', 'replaceDevice(__proto__)');
    await t.rejects(store.deleteSite(sites[1]!.id), { name: 'DialtoneError', status: 409 }, 'site constructor still has staff');
    t.equal(await store.deleteEmployee(first!.id), true, 'deleteEmployee(__proto__)');
    t.equal((await store.getDevice(phones[0]!.mac))?.employeeId, undefined, 'its device was unassigned');
    t.equal(await store.deleteSite(sites[1]!.id), true, 'deleteSite(constructor)');
    t.equal(await store.deleteDevice(phones[0]!.mac), true, 'deleteDevice(__proto__)');
    t.equal(await store.getSite('constructor'), null);
    t.equal(await store.getEmployee('__proto__'), null);
    t.equal(await store.getDevice('__proto__'), null);
  });

  // Paging and filters

  /** Every row of a list, `limit` at a time, following the last key; `between` runs after each page. */
  async function pages<R>(list: (page: Page) => Promise<R[]>, keyOf: (row: R) => string, limit: number, between: (n: number) => Promise<unknown> = async () => undefined, descending = false): Promise<R[]> {
    const out: R[] = [];
    let after: string | undefined;
    for (let n = 0; ; n++) {
      const page = await list({ limit, descending, ...(after === undefined ? {} : { after }) });
      out.push(...page);
      if (page.length < limit) return out;
      after = keyOf(page.at(-1) as R);
      await between(n);
    }
  }

  /** A store with a site of `n` employees. */
  async function staffed(t: Test, n: number): Promise<{ store: Store; s: Site; staff: Employee[] }> {
    const store = await make(t);
    const s = site();
    await store.insertSite(s);
    const staff = Array.from({ length: n }, () => employee(s.id));
    for (const e of staff) await store.insertEmployee(e);
    return { store, s, staff };
  }

  t.test('pages: key order from after a key, at most limit, ascending or descending', async (t) => {
    const { store, staff } = await staffed(t, 25);
    const ids = staff.map((e) => e.id).sort();
    t.same((await store.listEmployees()).map((e) => e.id), ids, 'no page: all, in key order');
    t.same((await store.listEmployees({ limit: 10 })).map((e) => e.id), ids.slice(0, 10));
    t.same((await store.listEmployees({ after: ids[9], limit: 10 })).map((e) => e.id), ids.slice(10, 20), 'after a key');
    t.same((await store.listEmployees({ after: `${ids[9]}0`, limit: 3 })).map((e) => e.id), ids.slice(10, 13), 'after a key no record has');
    t.same((await store.listEmployees({ after: ids[24] })).map((e) => e.id), [], 'after the last');
    t.same((await store.listEmployees({ limit: 0 })).map((e) => e.id), [], 'limit 0');
    t.same((await store.listEmployees({ descending: true, limit: 3 })).map((e) => e.id), ids.slice(-3).reverse(), 'descending');
    t.same((await store.listEmployees({ descending: true, after: ids[3] })).map((e) => e.id), ids.slice(0, 3).reverse(), 'descending, below a key');
    t.same((await store.listEmployees({ descending: true, after: '' })).map((e) => e.id), [], 'descending below the least key');
    t.same((await pages((p) => store.listEmployees(p), (e) => e.id, 4)).map((e) => e.id), ids, 'pages of 4 list each once');
    t.same((await pages((p) => store.listEmployees(p), (e) => e.id, 4, undefined, true)).map((e) => e.id), [...ids].reverse(), 'descending too');
    const before = store.revision;
    await store.listSites({ limit: 1 });
    await store.listTokens({ limit: 1 });
    await store.listAudit({ limit: 1, descending: true });
    t.equal(store.revision, before, 'pages are reads: the revision stays');
  });

  t.test('pages while records come and go: each one there throughout exactly once', async (t) => {
    const { store, s, staff: first } = await staffed(t, 60);
    const removed = new Set<string>();
    const seen = await pages(
      (p) => store.listEmployees(p),
      (e) => e.id,
      7,
      async (n) => {
        for (let i = 0; i < 3; i++) await store.insertEmployee(employee(s.id));
        const gone = first[(n * 17) % first.length] as Employee;
        if (removed.has(gone.id)) return;
        removed.add(gone.id);
        await store.deleteEmployee(gone.id);
      },
    );
    const ids = seen.map((e) => e.id);
    t.equal(new Set(ids).size, ids.length, 'none twice');
    t.same(ids, [...ids].sort(), 'in key order');
    t.same(first.filter((e) => !removed.has(e.id) && !ids.includes(e.id)).map((e) => e.id), [], 'none of those there throughout missed');
    t.ok(removed.size > 3, `${removed.size} deleted meanwhile`);
    if (reopen) {
      const again = await reopen(t, store);
      t.same((await pages((p) => again.listEmployees(p), (e) => e.id, 9)).map((e) => e.id).sort(), (await again.listEmployees()).map((e) => e.id), 'after a reopen: the order rebuilt');
    }
  });

  t.test('filters: sites by name, employees by site and text, devices by employee, site, model and text, a MAC in any form', async (t) => {
    const store = await make(t);
    const [hq, depot] = [site({ name: 'Headquarters' }), site({ name: 'North Depot' })];
    await store.insertSite(hq);
    await store.insertSite(depot);
    const ada = employee(hq.id, { firstName: 'Ada', lastName: 'Lovelace', username: 'ada', extension: '5000', numbers: ['+12127365000'] });
    const bob = employee(depot.id, { firstName: 'Bob', lastName: 'Stone', username: 'bob', extension: '2001' });
    await store.insertEmployee(ada, device({ mac: '001565aabb01', employeeId: ada.id, model: 'yealink-t46s', label: 'Front desk' }));
    await store.insertEmployee(bob, device({ mac: '805ec0112233', employeeId: bob.id }));
    await store.insertDevice(device({ mac: '001565ccddee', model: 'yealink-t46s', label: 'Spare' }));
    const who = async (filter: EmployeeFilter) => (await store.listEmployees(filter)).map((e) => e.username).sort();
    const macs = async (filter: DeviceFilter) => (await store.listDevices(filter)).map((d) => d.mac).sort();

    t.same((await store.listSites({ q: 'DEPOT' })).map((x) => x.id), [depot.id], 'sites by name, any case');
    t.equal((await store.listSites({ q: '' })).length, 2, 'an empty q keeps all');
    t.same(await who({ siteId: depot.id }), ['bob']);
    t.same(await who({ q: 'ada lovelace' }), ['ada'], 'first and last name');
    t.same(await who({ q: 'BOB' }), ['bob'], 'username, any case');
    t.same(await who({ q: '2001' }), ['bob'], 'extension');
    t.same(await who({ q: '7365000' }), ['ada'], 'numbers');
    for (const q of ['00:15:65:AA:BB:01', '00-15-65-aa-bb-01', '0015.65aa.bb01', 'aa:bb:01', 'AABB01', ' aabb ']) t.same(await who({ q }), ['ada'], `the MAC of their device as ${JSON.stringify(q)}`);
    t.same(await who({ q: 'ada', siteId: depot.id }), [], 'filters combine');
    t.same(await macs({ employeeId: bob.id }), ['805ec0112233']);
    t.same(await macs({ siteId: hq.id }), ['001565aabb01'], "by line 1's employee's site");
    t.same(await macs({ model: 'yealink-t46s' }), ['001565aabb01', '001565ccddee']);
    t.same(await macs({ q: 'spare' }), ['001565ccddee'], 'label');
    t.same(await macs({ q: 'stone' }), ['805ec0112233'], "line 1's employee");
    t.same(await macs({ q: '80-5E-C0' }), ['805ec0112233'], 'part of a MAC with separators');
    t.same(await macs({ q: '0015.65cc.ddee' }), ['001565ccddee'], 'a whole MAC, Cisco style');
    t.same(await macs({ q: 'zz:zz' }), [], 'not hex: no MAC matches');
    t.same(await macs({ q: '0015', limit: 1 }), ['001565aabb01'], 'a filtered page');
    t.same(await macs({ q: '0015', after: '001565aabb01' }), ['001565ccddee'], 'and the next');
  });

  t.test('audit: appended in id order, filtered by actor, action, target and time, newest first', async (t) => {
    const store = await make(t);
    const at = (minute: number) => `2026-12-05T13:${String(minute).padStart(2, '0')}:00.000Z`;
    const entries: AuditEntry[] = [
      { id: '1764939600000-0000', at: at(0), actor: 'ops', actorId: 't1', action: 'postSites', target: 'sites/s1', status: 201 },
      { id: '1764939660000-0000', at: at(1), actor: 'ops', actorId: 't1', action: 'postEmployees', target: 'employees/e1', status: 201, detail: 'with device 001565000001' },
      { id: '1764939720000-0000', at: at(2), actor: 'script', action: 'patchEmployeesById', target: 'employees/e1', status: 200 },
      { id: '1764939720000-0001', at: at(2), actor: 'script', action: 'putSettings', target: 'settings', status: 200 },
      { id: '1764939780000-0000', at: at(3), actor: 'ops', actorId: 't1', action: 'deleteEmployeesById', target: 'employees/e10', status: 204 },
    ];
    for (const e of entries) t.same(await store.appendAudit(e), e);
    const ids = async (filter: AuditFilter) => (await store.listAudit(filter)).map((e) => e.id);
    t.same(await store.listAudit(), entries, 'in the order written');
    t.same(await ids({ descending: true, limit: 2 }), [entries[4]!.id, entries[3]!.id], 'newest first');
    t.same(await ids({ descending: true, after: entries[3]!.id, limit: 2 }), [entries[2]!.id, entries[1]!.id], 'and on below a cursor');
    t.same(await ids({ actor: 'script' }), [entries[2]!.id, entries[3]!.id]);
    t.same(await ids({ action: 'postSites' }), [entries[0]!.id]);
    t.same(await ids({ target: 'employees/e1' }), [entries[1]!.id, entries[2]!.id], 'a target, not e10');
    t.same(await ids({ target: 'employees' }), [entries[1]!.id, entries[2]!.id, entries[4]!.id], 'and what is under one');
    t.same(await ids({ since: at(2) }), [entries[2]!.id, entries[3]!.id, entries[4]!.id], 'since: at or after');
    t.same(await ids({ since: at(2), actor: 'ops', descending: true }), [entries[4]!.id], 'filters combine');
    if (reopen) {
      const again = await reopen(t, store);
      t.same(await again.listAudit(), entries, 'after a reopen: every entry');
      t.same((await again.listAudit({ descending: true, limit: 1 }))[0], entries[4], 'newest still last in key order');
    }
  });

  t.test('audit: entries before a time are trimmed, the rest kept', async (t) => {
    let store = await make(t);
    const at = (minute: number) => `2026-12-05T13:${String(minute).padStart(2, '0')}:00.000Z`;
    const entries: AuditEntry[] = [0, 1, 2, 3].map((m) => ({ id: `176493${960 + m * 6}0000-0000`, at: at(m), actor: 'ops', action: 'postSites', target: `sites/s${m}`, status: 201 }));
    for (const e of entries) await store.appendAudit(e);
    t.equal(await store.trimAudit(at(0)), 0, 'nothing before the first');
    t.equal(await store.trimAudit(at(2)), 2, 'before 13:02: two');
    t.same(await store.listAudit(), entries.slice(2), 'the rest, in order');
    const later: AuditEntry = { id: '1764939900000-0000', at: at(5), actor: 'ops', action: 'postSites', status: 201 };
    await store.appendAudit(later);
    t.same((await store.listAudit()).map((e) => e.id), [entries[2]!.id, entries[3]!.id, later.id], 'appended after a trim');
    if (reopen) {
      store = await reopen(t, store);
      t.same((await store.listAudit()).map((e) => e.id), [entries[2]!.id, entries[3]!.id, later.id], 'after a reopen: what was kept, and what came after');
    }
    t.equal(await store.trimAudit(at(59)), 3, 'everything');
    t.same(await store.listAudit(), []);
  });

  if (reopen) {
    t.test('everything survives a reopen', async (t) => {
      const store = await make(t);
      const s = site();
      await store.insertSite(s);
      const e = employee(s.id, { username: 'Keep.Me' });
      const d = device({ employeeId: e.id });
      await store.insertEmployee(e, d);
      const again = await reopen(t, store);
      t.same(await again.getSite(s.id), s);
      t.same(await again.getEmployee(e.id), e);
      t.same(await again.getDevice(d.mac), d);
      const at = new Date().toISOString();
      const op = { name: 'keeper', passwordHash: 'scrypt$1$1$1$a$b', scope: 'admin' as const, createdAt: at, updatedAt: at };
      const session = { id: 'sid', operator: 'keeper', csrf: 'c', createdAt: at, expiresAt: at };
      await again.insertOperator(op);
      await again.insertSession(session);
      const third = await reopen(t, again);
      t.same(await third.getOperator('keeper'), op, 'operators survive');
      t.same(await third.getSession('sid'), session, 'sessions survive');
      await t.rejects(third.insertEmployee(employee(s.id, { username: 'keep.me' })), { name: 'DialtoneError', status: 409 }, 'indexes rebuilt');
    });
  }
}
