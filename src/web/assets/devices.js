// The devices: list, create, and one device's page (line 1, lines 2..N, keys, settings, credentials).
import { api, showMac } from './api.js';
import { keysForm } from './keys.js';
import { deviceSettings } from './settings.js';
import { field, form, fullName, h, link, list, options, page, say, when } from './ui.js';

/** The device's own keys, up to the model's count: an empty position is left to the employee's keys. */
function deviceKeys(mac, device, model) {
  const keys = device.keys ?? [];
  return keysForm({
    keys,
    types: model?.keyTypes ?? [],
    rows: Math.min(model?.keys ?? 0, Math.max(keys.length + 2, 4)),
    none: '(the employee’s, or none)',
    save: async (given) => {
      await api('PATCH', `/devices/${mac}`, { keys: given.length ? given : null });
      await deviceAdminView(mac);
      say('Keys saved');
    },
  });
}

export async function devicesView() {
  const here = location.hash;
  const [models, employees] = await Promise.all([api('GET', '/models'), options('/employees', (e) => `${fullName(e)} (${e.username})`)]);
  const create = form({
    label: 'New device',
    fields: [
      h('h2', {}, 'New device'),
      field({ name: 'mac', label: 'MAC address', required: true, autocomplete: 'off', spellcheck: 'false' }),
      field({ name: 'model', label: 'Model', required: true, options: [['', 'Choose a model'], ...models.map((m) => [m.id, `${m.vendor} ${m.name}`]), ['generic', 'generic (no files)']] }),
      field({ name: 'employeeId', label: 'Line 1 (employee)', options: [['', 'Nobody yet'], ...employees] }),
      field({ name: 'label', label: 'Label' }),
    ],
    submit: 'Create device',
    action: async (v) => {
      const d = await api('POST', '/devices', v);
      location.hash = `#/devices/${d.mac}`;
    },
  });
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    'Devices',
    list({
      label: 'Devices',
      path: '/devices',
      filters: [{ name: 'q', label: 'MAC, label, model or employee' }, { name: 'model', label: 'Model', options: [['', 'Any model'], ...models.map((m) => [m.id, m.id])] }],
      columns: [['MAC', (d) => link(`#/devices/${d.mac}`, showMac(d.mac))], ['Model', (d) => d.model], ['Label', (d) => d.label], ['Last seen', (d) => when(d.lastSeen?.at)]],
    }),
    create,
  );
}

/** `#/devices/<mac>`: the device, its lines (add one), settings with where each comes from, credentials. */
export async function deviceAdminView(mac) {
  const here = location.hash;
  const [device, employees, models] = await Promise.all([api('GET', `/devices/${mac}`), options('/employees', (e) => `${fullName(e)} (${e.username})`), api('GET', '/models')]);
  const names = new Map(employees);
  const lines = device.lines ?? [];
  const n = lines.length;
  const addLine = form({
    label: 'Add a line',
    fields: [h('h3', {}, `Add line ${n + 2}`), field({ name: `lines.${n}.employeeId`, label: 'Employee', required: true, options: [['', 'Choose an employee'], ...employees] }), field({ name: `lines.${n}.label`, label: 'Line label' })],
    submit: 'Add line',
    action: async (v) => {
      const keep = lines.map((l) => ({ employeeId: l.employeeId, ...(l.label ? { label: l.label } : {}) }));
      await api('PATCH', `/devices/${mac}`, { lines: [...keep, ...(v.lines ?? []).filter(Boolean)] });
      await deviceAdminView(mac);
      say(`Line ${n + 2} added`);
    },
  });
  const credentials = h('div', { class: 'credentials' });
  const showCredentials = h('button', { type: 'button', class: 'secondary' }, 'Show credentials');
  showCredentials.addEventListener('click', async () => {
    const c = await api('GET', `/devices/${mac}/credentials`);
    credentials.replaceChildren(h('dl', { class: 'facts' }, h('dt', {}, 'SIP auth name'), h('dd', {}, c.authName), h('dt', {}, 'SIP password'), h('dd', {}, c.password), h('dt', {}, 'Provisioning user'), h('dd', {}, c.provisioning.username), h('dt', {}, 'Provisioning password'), h('dd', {}, c.provisioning.password)));
    say('Credentials shown (recorded in the audit log)');
  });
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    `Device ${showMac(mac)}`,
    h('p', {}, link(`#/tech/${mac}`, 'Technician view'), ' · ', link(`#/label/${mac}`, 'Printable label')),
    h('dl', { class: 'facts' }, h('dt', {}, 'Model'), h('dd', {}, device.model), h('dt', {}, 'Line 1'), h('dd', {}, device.employeeId ? names.get(device.employeeId) ?? device.employeeId : 'unassigned'), h('dt', {}, 'Configuration'), h('dd', {}, device.config?.state ?? '')),
    h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Keys'), deviceKeys(mac, device, models.find((m) => m.id === device.model))),
    h('section', { 'aria-labelledby': 'lines-h' }, h('h2', { id: 'lines-h' }, 'Lines'), h('ol', { class: 'lines' }, h('li', {}, device.employeeId ? names.get(device.employeeId) ?? device.employeeId : 'unassigned', ' (line 1)'), lines.map((l) => h('li', {}, names.get(l.employeeId) ?? l.employeeId, l.label ? ` · ${l.label}` : '', ` · auth name ${l.authName}`))), addLine),
    await deviceSettings(mac, () => deviceAdminView(mac)),
    h('section', { 'aria-labelledby': 'cred-h' }, h('h2', { id: 'cred-h' }, 'Credentials'), showCredentials, credentials),
  );
}
