// The admin's pages: sites, employees, devices (lines, settings by scope), import with a dry run,
// export, tokens, operators, audit log, bans and misses. Every list pages and searches as the API does.
import { ApiError, api, query, showMac } from './api.js';
import { field, form, h, list, page, say, when } from './ui.js';

const link = (href, text) => h('a', { href }, text);
const fullName = (e) => `${e.firstName} ${e.lastName}`;
const SCOPES = [['admin', 'admin'], ['technician', 'technician'], ['readonly', 'readonly']];

export async function sitesView() {
  const create = form({
    label: 'New site',
    fields: [
      h('h2', {}, 'New site'),
      field({ name: 'name', label: 'Name', required: true }),
      field({ name: 'timeZone', label: 'Time zone', required: true, value: Intl.DateTimeFormat().resolvedOptions().timeZone, hint: 'An IANA zone, e.g. America/New_York' }),
      field({ name: 'sip.registrar', label: 'SIP registrar', required: true, hint: 'Host name or address of the PBX' }),
      field({ name: 'sip.transport', label: 'SIP transport', options: [['udp', 'UDP'], ['tcp', 'TCP'], ['tls', 'TLS']] }),
      field({ name: 'voicemailNumber', label: 'Voicemail number' }),
    ],
    submit: 'Create site',
    action: async (v) => {
      const site = await api('POST', '/sites', v);
      await sitesView();
      say(`Site ${site.name} created`);
    },
  });
  page('Sites', list({ label: 'Sites', path: '/sites', filters: [{ name: 'q', label: 'Name contains' }], columns: [['Name', (s) => link(`#/sites/${s.id}`, s.name)], ['Time zone', (s) => s.timeZone], ['Registrar', (s) => s.sip?.registrar]] }), create);
}

/** `#/sites/<id>`: change the site, resync its phones, or delete it (refused while it has employees). */
export async function siteView(id) {
  const here = location.hash;
  const site = await api('GET', `/sites/${id}`);
  const edit = form({
    label: 'Change site',
    fields: [
      field({ name: 'name', label: 'Name', required: true, value: site.name }),
      field({ name: 'timeZone', label: 'Time zone', required: true, value: site.timeZone }),
      field({ name: 'sip.registrar', label: 'SIP registrar', required: true, value: site.sip.registrar }),
      field({ name: 'sip.transport', label: 'SIP transport', value: site.sip.transport, options: [['udp', 'UDP'], ['tcp', 'TCP'], ['tls', 'TLS']] }),
      field({ name: 'voicemailNumber', label: 'Voicemail number', value: site.voicemailNumber }),
    ],
    submit: 'Save',
    action: async (v) => {
      await api('PATCH', `/sites/${id}`, v);
      await siteView(id);
      say('Saved');
    },
  });
  const out = h('p', { 'aria-live': 'polite' });
  const act = (label, run) => h('button', { type: 'button', class: 'secondary', onclick: async () => { try { out.textContent = await run(); } catch (err) { out.textContent = err.message; } } }, label);
  const resync = act('Resync every phone of the site', async () => {
    const r = await api('POST', `/sites/${id}/resync`);
    return `${r.resyncs.length} resync${r.resyncs.length === 1 ? '' : 's'} sent, ${r.skipped.length} skipped (generic models, or phones not seen since start-up)`;
  });
  const remove = act('Delete site', async () => {
    if (!confirm(`Delete ${site.name}?`)) return '';
    await api('DELETE', `/sites/${id}`);
    location.hash = '#/sites';
    return 'Deleted';
  });
  if (location.hash !== here) return;
  page(site.name, edit, h('div', { class: 'actions' }, resync, remove), out);
}

async function options(path, label) {
  const { items } = await api('GET', `${path}${query({ limit: 1000 })}`);
  return items.map((x) => [x.id, label(x)]);
}

export async function employeesView() {
  const here = location.hash;
  const [sites, models, numbers] = await Promise.all([options('/sites', (s) => s.name), api('GET', '/models'), api('GET', `/numbers${query({ available: true, limit: 200 })}`).catch(() => ({ items: [] }))]);
  const numberList = h('datalist', { id: 'free-numbers' }, numbers.items.map((n) => h('option', { value: n.number }, n.label ?? '')));
  const suggestions = h('datalist', { id: 'username-suggestions' });
  const suggest = h('button', { type: 'button', class: 'secondary' }, 'Suggest usernames');
  const create = form({
    label: 'New employee',
    fields: [
      h('h2', {}, 'New employee'),
      field({ name: 'siteId', label: 'Site', required: true, options: [['', 'Choose a site'], ...sites] }),
      field({ name: 'firstName', label: 'First name', required: true }),
      field({ name: 'lastName', label: 'Last name', required: true }),
      field({ name: 'username', label: 'Username', required: true, list: 'username-suggestions', autocomplete: 'off', hint: 'Suggest fills in the naming convention’s choice' }),
      suggestions,
      field({ name: 'extension', label: 'Extension', inputmode: 'numeric', hint: 'Defaults to the last four digits of the direct number' }),
      field({ name: 'phoneNumber', label: 'Direct number', list: 'free-numbers', hint: 'Choose an unrouted number of the account, or type one' }),
      numberList,
      field({ name: 'email', label: 'Email', type: 'email' }),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Desk phone (optional)'),
        field({ name: 'device.mac', label: 'MAC address', autocomplete: 'off', spellcheck: 'false' }),
        field({ name: 'device.model', label: 'Model', options: [['', 'Choose a model'], ...models.map((m) => [m.id, `${m.vendor} ${m.name}`])] }),
        field({ name: 'device.label', label: 'Device label' }),
      ),
    ],
    submit: 'Create employee',
    action: async (v) => {
      if (v.device && !v.device.mac && !v.device.model && !v.device.label) delete v.device;
      const e = await api('POST', '/employees', v);
      if (e.device) location.hash = `#/devices/${e.device.mac}`;
      else await employeesView();
      say(`Employee ${fullName(e)} created${e.device ? ` with device ${showMac(e.device.mac)}` : ''}`);
    },
  });
  suggest.addEventListener('click', async () => {
    const v = { firstName: create.elements.namedItem('firstName').value, lastName: create.elements.namedItem('lastName').value, siteId: create.elements.namedItem('siteId').value };
    try {
      const { suggestions: names } = await api('GET', `/usernames/suggest${query(v)}`);
      suggestions.replaceChildren(...names.map((n) => h('option', { value: n })));
      if (names[0]) create.elements.namedItem('username').value = names[0];
      say(names.length ? `Suggested ${names.join(', ')}` : 'No suggestion');
    } catch (err) {
      say(`No suggestion: ${err.message}`);
    }
  });
  create.elements.namedItem('username').closest('.field').append(suggest);
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    'Employees',
    list({
      label: 'Employees',
      path: '/employees',
      filters: [{ name: 'q', label: 'Name, username, extension, number or MAC' }, { name: 'siteId', label: 'Site', options: [['', 'Any site'], ...sites] }],
      columns: [['Name', (e) => link(`#/employees/${e.id}`, fullName(e))], ['Username', (e) => e.username], ['Extension', (e) => e.extension], ['Numbers', (e) => (e.numbers ?? []).join(', ')]],
    }),
    create,
  );
}

/** `#/employees/<id>`: change the employee, resend the welcome email, see their devices, delete them. */
export async function employeeView(id) {
  const here = location.hash;
  const [e, sites] = await Promise.all([api('GET', `/employees/${id}`), options('/sites', (s) => s.name)]);
  const edit = form({
    label: 'Change employee',
    fields: [
      field({ name: 'siteId', label: 'Site', required: true, options: sites, value: e.siteId }),
      field({ name: 'firstName', label: 'First name', required: true, value: e.firstName }),
      field({ name: 'lastName', label: 'Last name', required: true, value: e.lastName }),
      field({ name: 'username', label: 'Username', required: true, value: e.username }),
      field({ name: 'extension', label: 'Extension', required: true, value: e.extension, inputmode: 'numeric' }),
      field({ name: 'email', label: 'Email', type: 'email', value: e.email }),
    ],
    submit: 'Save',
    action: async (v) => {
      await api('PATCH', `/employees/${id}`, v);
      await employeeView(id);
      say('Saved');
    },
  });
  const welcome = h('button', { type: 'button', class: 'secondary' }, 'Send the welcome email');
  welcome.addEventListener('click', async () => {
    try {
      await api('POST', `/employees/${id}/welcome-email`);
      say('Welcome email queued');
    } catch (err) {
      say(err.message);
    }
  });
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Delete employee');
  remove.addEventListener('click', async () => {
    if (!confirm(`Delete ${fullName(e)}? Their phones stay, unassigned.`)) return;
    try {
      await api('DELETE', `/employees/${id}`);
      location.hash = '#/employees';
    } catch (err) {
      say(err.message);
    }
  });
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    fullName(e),
    h('p', {}, e.welcomeEmail ? `Welcome email: ${e.welcomeEmail.status}` : 'No welcome email asked for yet.'),
    edit,
    h('h2', {}, 'Devices (line 1)'),
    list({ label: 'Their devices', path: '/devices', params: { employeeId: id }, columns: [['MAC', (d) => link(`#/devices/${d.mac}`, showMac(d.mac))], ['Model', (d) => d.model], ['Label', (d) => d.label]] }),
    h('div', { class: 'actions' }, welcome, remove),
  );
}

/** The device's own programmable keys by position: each row's fields are named `keys.<i>.…` as the API names them. */
function keysForm(mac, device, model) {
  const keys = device.keys ?? [];
  const rows = Math.min(model?.keys ?? 0, Math.max(keys.length + 2, 4));
  const types = [['', '(the employee’s, or none)'], ...(model?.keyTypes ?? []).map((k) => [k, k])];
  return form({
    label: 'Programmable keys',
    fields: [
      h('h3', {}, 'Programmable keys'),
      ...Array.from({ length: rows }, (_, i) =>
        h('fieldset', { class: 'key' }, h('legend', {}, `Key ${i + 1}`), field({ name: `keys.${i}.type`, label: 'Type', options: types, value: keys[i]?.type ?? '' }), field({ name: `keys.${i}.value`, label: 'Value', value: keys[i]?.value }), field({ name: `keys.${i}.label`, label: 'Label', value: keys[i]?.label })),
      ),
    ],
    submit: 'Save keys',
    action: async (v) => {
      const given = Array.from({ length: rows }, (_, i) => (v.keys?.[i]?.type ? v.keys[i] : null));
      while (given.length && given.at(-1) === null) given.pop();
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
  const [device, settings, employees, models] = await Promise.all([api('GET', `/devices/${mac}`), api('GET', `/devices/${mac}/settings`), options('/employees', (e) => `${fullName(e)} (${e.username})`), api('GET', '/models')]);
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
    h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Keys'), keysForm(mac, device, models.find((m) => m.id === device.model))),
    h('section', { 'aria-labelledby': 'lines-h' }, h('h2', { id: 'lines-h' }, 'Lines'), h('ol', { class: 'lines' }, h('li', {}, device.employeeId ? names.get(device.employeeId) ?? device.employeeId : 'unassigned', ' (line 1)'), lines.map((l) => h('li', {}, names.get(l.employeeId) ?? l.employeeId, l.label ? ` · ${l.label}` : '', ` · auth name ${l.authName}`))), addLine),
    h(
      'section',
      { 'aria-labelledby': 'settings-h' },
      h('h2', { id: 'settings-h' }, 'Settings'),
      h('p', {}, 'Merged from the global, site, model and device scopes: the nearest wins.'),
      h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'From'))), h('tbody', {}, Object.entries(settings.values).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)), h('td', {}, settings.sources[k] ?? '')))))),
    ),
    h('section', { 'aria-labelledby': 'cred-h' }, h('h2', { id: 'cred-h' }, 'Credentials'), showCredentials, credentials),
  );
}

/**
 * `#/settings`: the phone settings of every phone, or of one model's phones, as the API's JSON
 * (the device page shows what each phone ends up with, and from where). The admin password is
 * write-only: given again here, or left out and so removed, as PUT says.
 */
export async function settingsView() {
  const here = location.hash;
  const models = await api('GET', '/models');
  const scope = new URLSearchParams(location.hash.split('?')[1] ?? '').get('model') ?? '';
  const path = scope ? `/models/${encodeURIComponent(scope)}/settings` : '/settings';
  const { adminPasswordSet, ...current } = await api('GET', path);
  const picker = form({
    label: 'Scope',
    fields: [field({ name: 'model', label: 'Settings of', value: scope, options: [['', 'every phone (global)'], ...models.map((m) => [m.id, `${m.vendor} ${m.name} phones`])] })],
    submit: 'Show',
    action: async (v) => {
      location.hash = v.model ? `#/settings?model=${encodeURIComponent(v.model)}` : '#/settings';
    },
  });
  const edit = form({
    label: 'Phone settings',
    fields: [
      field({ name: 'json', label: 'Settings (JSON)', type: 'textarea', rows: 14, spellcheck: 'false', value: JSON.stringify(current, null, 2), hint: scope ? 'Raw settings are flat, in the vendor’s own keys' : 'Raw settings by vendor: {"raw": {"yealink": {...}}}' }),
      field({ name: 'adminPassword', label: 'Phones’ admin password', type: 'password', autocomplete: 'new-password', hint: adminPasswordSet ? 'One is set: give it again to keep it, or it is removed' : 'None set at this scope' }),
    ],
    submit: 'Save settings',
    action: async (v) => {
      let body;
      try {
        body = JSON.parse(v.json ?? '{}');
      } catch (err) {
        throw new ApiError(400, { title: 'Invalid input', detail: 'not JSON', errors: [{ path: 'json', message: err.message }] });
      }
      if (v.adminPassword) body.adminPassword = v.adminPassword;
      await api('PUT', path, body);
      await settingsView();
      say('Settings saved');
    },
  });
  if (location.hash !== here) return;
  page('Phone settings', h('p', {}, 'By scope: every phone, then its site (on the site), its model, the device itself; the nearest wins.'), picker, edit);
}

export function importView() {
  const result = h('section', { 'aria-live': 'polite', class: 'import-result' });
  let dryRun = true;
  const dry = h('button', { type: 'submit', class: 'secondary', onclick: () => (dryRun = true) }, 'Dry run');
  const f = form({
    label: 'Import',
    fields: [
      field({ name: 'file', label: 'CSV or JSON file', type: 'file', accept: '.csv,.json,text/csv,application/json' }),
      field({ name: 'text', label: 'Or paste it here', type: 'textarea', rows: 8, spellcheck: 'false' }),
      field({ name: 'mode', label: 'Mode', options: [['create', 'create: refuse what exists'], ['upsert', 'upsert: update what exists']] }),
    ],
    submit: 'Import',
    extra: [dry],
    action: async (v, form) => {
      const file = form.elements.namedItem('file').files[0];
      const text = file ? await file.text() : (form.elements.namedItem('text').value ?? '');
      const json = /^\s*[[{]/.test(text);
      const run = dryRun;
      result.replaceChildren();
      try {
        const r = await api('POST', `/import${query({ dryRun: run || undefined, mode: v.mode })}`, json ? JSON.parse(text) : text);
        result.replaceChildren(h('h2', {}, run ? 'Dry run: no problems' : 'Imported'), h('ul', {}, Object.entries(r.counts).map(([k, c]) => h('li', {}, `${k}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`))));
      } catch (err) {
        if (!err.errors?.length) throw err;
        result.replaceChildren(
          h('h2', {}, `${run ? 'Dry run' : 'Import'}: ${err.errors.length} problem${err.errors.length === 1 ? '' : 's'}, nothing written`),
          h('div', { class: 'table-wrap' }, h('table', { class: 'import-errors' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Row'), h('th', { scope: 'col' }, 'Field'), h('th', { scope: 'col' }, 'Problem'))), h('tbody', {}, err.errors.map((e) => h('tr', {}, h('td', {}, e.row ?? ''), h('td', {}, e.path), h('td', {}, e.message)))))),
        );
      }
    },
  });
  f.querySelector('button[type=submit]').addEventListener('click', () => (dryRun = false));
  f.querySelector('.actions').prepend(dry);
  page('Import', h('p', {}, 'A CSV file (one row per employee with their device) or a JSON export. A dry run checks every row and writes nothing.'), f, result);
}

export function exportView() {
  page(
    'Export',
    h('p', {}, 'Everything needed to rebuild the account, in the import’s format (no secrets).'),
    h('ul', {}, h('li', {}, h('a', { href: '/api/v1/export?format=csv', download: 'dialtone.csv' }, 'Employees and devices as CSV')), h('li', {}, h('a', { href: '/api/v1/export?format=json', download: 'dialtone.json' }, 'Everything as JSON'))),
  );
}

export function tokensView() {
  const shown = h('div', { 'aria-live': 'polite' });
  const create = form({
    label: 'New token',
    fields: [h('h2', {}, 'New API token'), field({ name: 'name', label: 'Name', required: true }), field({ name: 'scope', label: 'Scope', options: SCOPES })],
    submit: 'Create token',
    action: async (v) => {
      const t = await api('POST', '/tokens', v);
      await tokensView();
      document.querySelector('.new-token')?.replaceChildren(h('p', {}, `Token for ${t.name} (shown once, copy it now): `), h('code', {}, t.token));
    },
  });
  const revoke = (t) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Revoke ${t.name}`, onclick: async () => { if (!confirm(`Revoke ${t.name}?`)) return; try { await api('DELETE', `/tokens/${t.id}`); say(`Revoked ${t.name}`); await tokensView(); } catch (err) { say(err.message); } } }, 'Revoke');
  shown.className = 'new-token';
  page('API tokens', shown, list({ label: 'Tokens', path: '/tokens', columns: [['Name', (t) => t.name], ['Scope', (t) => t.scope], ['Created', (t) => when(t.createdAt)], ['Last used', (t) => when(t.lastUsed)], ['', revoke]] }), create);
}

export function operatorsView() {
  const create = form({
    label: 'New operator',
    fields: [h('h2', {}, 'New operator'), field({ name: 'name', label: 'Name', required: true, autocomplete: 'off' }), field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password', hint: 'At least 12 characters' }), field({ name: 'scope', label: 'Scope', options: SCOPES })],
    submit: 'Create operator',
    action: async (v) => {
      const o = await api('POST', '/operators', v);
      operatorsView();
      say(`Operator ${o.name} created`);
    },
  });
  const remove = (o) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete ${o.name}`, onclick: async () => { if (!confirm(`Delete ${o.name}?`)) return; try { await api('DELETE', `/operators/${o.name}`); say(`Deleted ${o.name}`); operatorsView(); } catch (err) { say(err.message); } } }, 'Delete');
  page('Operators', list({ label: 'Operators', path: '/operators', columns: [['Name', (o) => o.name], ['Scope', (o) => o.scope], ['Since', (o) => when(o.createdAt)], ['', remove]] }), create);
}

export function auditView() {
  page(
    'Audit log',
    list({
      label: 'Audit entries',
      path: '/audit',
      filters: [{ name: 'actor', label: 'Actor' }, { name: 'action', label: 'Action' }, { name: 'target', label: 'Target' }],
      columns: [['When', (a) => when(a.at)], ['Actor', (a) => a.actor], ['Action', (a) => a.action], ['Target', (a) => a.target], ['Status', (a) => a.status], ['Detail', (a) => a.detail]],
    }),
  );
}

export async function bansView() {
  const here = location.hash;
  const misses = await api('GET', '/misses');
  const lift = (b) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Lift the ban on ${b.address}`, onclick: async () => { try { await api('DELETE', `/bans/${b.address}`); say(`Lifted the ban on ${b.address}`); await bansView(); } catch (err) { say(err.message); } } }, 'Lift');
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    'Bans and misses',
    list({ label: 'Bans', path: '/bans', columns: [['Address', (b) => b.address], ['Since', (b) => when(b.since)], ['Until', (b) => when(b.until)], ['Why', (b) => b.reason], ['', lift]] }),
    h('h2', {}, 'Recent misses'),
    misses.length === 0 ? h('p', {}, 'None.') : h('ol', { class: 'timeline', reversed: true }, [...misses].reverse().slice(0, 100).map((e) => h('li', {}, `${when(e.at)} ${e.status} ${e.file} over ${e.protocol} from ${e.address}${e.reason ? ` (${e.reason})` : ''}`))),
  );
}
