// The devices: list, create, and one device's page (the device, its lines, keys, settings,
// credentials, reprovisioning, file previews, deletion).
import { ApiError, api, showMac } from './api.js';
import { keysForm } from './keys.js';
import { deviceSettings } from './settings.js';
import { EMPLOYEES, employeeChoiceOf, field, form, h, link, list, page, refresh, say, someEmployees, when } from './ui.js';

/** Credentials just made, `{mac, credentials}`: shown by the device page's next drawing only. */
let fresh;
/** Draws the page at the address again, showing `credentials` of `mac` there if it is that device's. */
async function showWith(mac, credentials) {
  fresh = credentials ? { mac, credentials } : undefined;
  try {
    await refresh();
  } finally {
    fresh = undefined;
  }
}

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
      await refresh();
      say('Keys saved');
    },
  });
}

export async function devicesView() {
  const here = location.hash;
  const [models, employees] = await Promise.all([api('GET', '/models'), someEmployees()]);
  const create = form({
    label: 'New device',
    fields: [
      h('h2', {}, 'New device'),
      field({ name: 'mac', label: 'MAC address', required: true, autocomplete: 'off', spellcheck: 'false' }),
      field({ name: 'model', label: 'Model', required: true, options: [['', 'Choose a model'], ...models.map((m) => [m.id, `${m.vendor} ${m.name}`]), ['generic', 'generic (no files)']] }),
      field({ name: 'employeeId', label: 'Line 1 (employee)', options: [['', 'Nobody yet'], ...employees], find: EMPLOYEES }),
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

/** Model, label, line 1 and the certificate rule, as a merge patch (an emptied field is removed). */
function deviceForm(mac, device, models, employees, names) {
  const known = [...models.map((m) => [m.id, `${m.vendor} ${m.name}`]), ['generic', 'generic (no files)']];
  if (!known.some(([id]) => id === device.model)) known.unshift([device.model, device.model]);
  return form({
    label: 'Change device',
    patch: true,
    fields: [
      field({ name: 'model', label: 'Model', required: true, options: known, value: device.model }),
      field({ name: 'label', label: 'Label', value: device.label }),
      field({ name: 'employeeId', label: 'Line 1 (employee)', options: [['', 'Unassigned'], ...employees], value: device.employeeId ?? '', valueLabel: names.get(device.employeeId), find: EMPLOYEES }),
      // Not a checkbox: "not required" on the device overrides a site that requires certificates.
      field({ name: 'requireDeviceCertificate', label: 'Device certificate', options: [['', 'As its site says'], ['true', 'Required'], ['false', 'Not required']], value: String(device.requireDeviceCertificate ?? ''), hint: 'Secrets only to a phone presenting its factory certificate (mutual TLS)' }),
    ],
    submit: 'Save device',
    action: async (v) => {
      if (typeof v.requireDeviceCertificate === 'string') v.requireDeviceCertificate = v.requireDeviceCertificate === 'true';
      await api('PATCH', `/devices/${mac}`, v);
      await refresh();
      say('Device saved');
    },
  });
}

/**
 * Lines 2..N, edited in place: each row's fields are named `lines.<i>.…` by its current position
 * (moving or removing a row renumbers them), so an error about `lines.1.employeeId` shows under
 * that row. Saving sends the whole list; a line keeps its credentials while its employee stays.
 */
function linesForm(mac, lines, employees, names) {
  const rows = h('div', { class: 'line-rows' });
  const renumber = () => {
    const all = [...rows.children];
    all.forEach((row, i) => {
      row.querySelector('legend').textContent = `Line ${i + 2}`;
      row.querySelector('select').name = `lines.${i}.employeeId`;
      row.querySelector('input[name$=".label"]').name = `lines.${i}.label`;
      const [up, down, remove] = row.querySelectorAll('.line-actions button');
      up.setAttribute('aria-label', `Move line ${i + 2} up`);
      down.setAttribute('aria-label', `Move line ${i + 2} down`);
      remove.setAttribute('aria-label', `Remove line ${i + 2}`);
      up.disabled = i === 0;
      down.disabled = i === all.length - 1;
    });
    empty.hidden = all.length > 0;
  };
  const move = (row, by, button) => {
    const other = by < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!other) return;
    if (by < 0) other.before(row);
    else other.after(row);
    renumber();
    const [up, down] = row.querySelectorAll('.line-actions button');
    (button.disabled ? (button === up ? down : up) : button).focus();
    say(`Now line ${[...rows.children].indexOf(row) + 2}; save the lines to keep the order`);
  };
  const row = (line) => {
    const up = h('button', { type: 'button', class: 'secondary' }, 'Move up');
    const down = h('button', { type: 'button', class: 'secondary' }, 'Move down');
    const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove');
    const el = h(
      'fieldset',
      { class: 'line' },
      h('legend', {}),
      h('p', { class: 'hint' }, `Auth name ${line.authName}`),
      field({ name: 'lines.x.employeeId', label: 'Employee', required: true, options: [['', 'Choose an employee'], ...employees], value: line.employeeId, valueLabel: names.get(line.employeeId), find: EMPLOYEES }),
      field({ name: 'lines.x.label', label: 'Line label', value: line.label }),
      h('div', { class: 'actions line-actions' }, up, down, remove),
    );
    up.addEventListener('click', () => move(el, -1, up));
    down.addEventListener('click', () => move(el, 1, down));
    remove.addEventListener('click', () => {
      const next = el.nextElementSibling ?? el.previousElementSibling;
      el.remove();
      renumber();
      (next?.querySelector('select') ?? save).focus();
      say('Line removed; save the lines to keep it so');
    });
    return el;
  };
  const empty = h('p', { hidden: true }, 'No lines besides line 1.');
  rows.append(...lines.map(row));
  const f = form({
    label: 'Change lines',
    fields: [h('h3', {}, 'Change lines'), rows, empty],
    submit: 'Save lines',
    action: async (v) => {
      const given = Array.from({ length: rows.children.length }, (_, i) => v.lines?.[i] ?? {});
      await api('PATCH', `/devices/${mac}`, { lines: given.length ? given : null });
      await refresh();
      say('Lines saved');
    },
  });
  const save = f.querySelector('button[type=submit]');
  renumber();
  return f;
}

/** A form adding line N+1, or why there is no room for one. */
function addLineForm(mac, lines, employees, model) {
  const n = lines.length;
  const most = model?.lines ?? 1;
  if (n + 1 >= most) return h('p', {}, `The ${model ? `${model.vendor} ${model.name}` : 'generic device'} takes ${most} line${most === 1 ? '' : 's'}: no more can be added.`);
  return form({
    label: 'Add a line',
    fields: [h('h3', {}, `Add line ${n + 2}`), field({ name: `lines.${n}.employeeId`, label: 'Employee', required: true, options: [['', 'Choose an employee'], ...employees], find: EMPLOYEES }), field({ name: `lines.${n}.label`, label: 'Line label' })],
    submit: 'Add line',
    action: async (v) => {
      const keep = lines.map((l) => ({ employeeId: l.employeeId, ...(l.label ? { label: l.label } : {}) }));
      await api('PATCH', `/devices/${mac}`, { lines: [...keep, ...(v.lines ?? []).filter(Boolean)] });
      await refresh();
      say(`Line ${n + 2} added`);
    },
  });
}

/** A device's secrets as a list: line 1's, provisioning, then each further line's. */
const secretsList = (c) =>
  h(
    'dl',
    { class: 'facts' },
    [['SIP auth name', c.authName], ['SIP password', c.password], ['Provisioning user', c.provisioning.username], ['Provisioning password', c.provisioning.password], ...(c.lines ?? []).slice(1).map((l) => [`Line ${l.line} auth name and password`, `${l.authName} / ${l.password}`])].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );

/** Show (audited) or regenerate the credentials; `made`, new ones just made, shown this once. */
function credentialsSection(mac, made) {
  const out = h('div', { class: 'credentials' }, made ? [h('p', {}, 'The new credentials (shown this once; “Show credentials” reads them again, recorded in the audit log):'), secretsList(made)] : []);
  const problem = h('p', { class: 'error', role: 'alert', hidden: true });
  const act = (label, run) =>
    h('button', {
      type: 'button',
      class: 'secondary',
      onclick: async () => {
        problem.hidden = true;
        try {
          await run();
        } catch (err) {
          problem.textContent = err.message;
          problem.hidden = false;
        }
      },
    }, label);
  const show = act('Show credentials', async () => {
    out.replaceChildren(secretsList(await api('GET', `/devices/${mac}/credentials`)));
    say('Credentials shown (recorded in the audit log)');
  });
  const regenerate = act('Regenerate credentials', async () => {
    if (!confirm('Regenerate the SIP and provisioning credentials? The phone stops registering until it fetches its file again.')) return;
    const c = await api('POST', `/devices/${mac}/credentials`);
    await showWith(mac, c);
    say('Credentials regenerated');
  });
  return h('section', { 'aria-labelledby': 'cred-h' }, h('h2', { id: 'cred-h' }, 'Credentials'), h('div', { class: 'actions' }, show, regenerate), problem, out);
}

/** A new enrollment window, optionally with new credentials (then shown once). */
function reprovisionForm(mac) {
  return form({
    label: 'Reprovision',
    fields: [
      h('h2', {}, 'Reprovision'),
      field({ name: 'windowSeconds', label: 'Enrollment window', options: [['', 'The server’s default'], ['900', '15 minutes'], ['3600', '1 hour'], ['86400', '1 day'], ['604800', '7 days'], ['0', 'None (close the window)']] }),
      field({ name: 'rotateCredentials', label: 'Also regenerate the credentials', type: 'checkbox' }),
    ],
    submit: 'Reprovision',
    action: async (v) => {
      const d = await api('POST', `/devices/${mac}/reprovision`, { rotateCredentials: v.rotateCredentials, ...(v.windowSeconds ? { windowSeconds: Number(v.windowSeconds) } : {}) });
      await showWith(mac, d.credentials);
      say(d.enrollmentUntil ? `Enrollment window open until ${when(d.enrollmentUntil)}` : 'Enrollment window closed');
    },
  });
}

/** The file as the phone gets it, as text (api() reads JSON only). */
async function fileText(mac, name) {
  const res = await fetch(`/api/v1/devices/${mac}/files/${encodeURIComponent(name)}`, { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({ title: res.statusText })));
  return res.text();
}

/** The files the model asks for, each shown on demand (buttons: the name stays out of the address bar). */
function filesSection(mac, model) {
  const out = h('div', { class: 'preview' });
  const names = (model?.files ?? []).map((f) => f.replaceAll('<mac>', mac).replaceAll('<MAC>', mac.toUpperCase()).replaceAll('<page>', '1'));
  const show = async (name) => {
    try {
      const text = await fileText(mac, name);
      const pre = h('pre', { tabindex: '0', 'aria-label': `Contents of ${name}` }, text);
      out.replaceChildren(h('h3', {}, name), h('p', { class: 'hint' }, 'What the phone gets over HTTPS in its enrollment window, secrets included. This preview is recorded in the audit log.'), pre);
      pre.focus();
      say(`${name} shown (recorded in the audit log)`);
    } catch (err) {
      out.replaceChildren(h('p', { class: 'error', role: 'alert' }, `${name}: ${err.message}`));
    }
  };
  return h(
    'section',
    { 'aria-labelledby': 'files-h' },
    h('h2', { id: 'files-h' }, 'Files'),
    names.length ? h('ul', { class: 'files' }, names.map((name) => h('li', {}, h('button', { type: 'button', class: 'secondary', onclick: () => show(name) }, `Preview ${name}`)))) : h('p', {}, 'This model asks for no files.'),
    out,
  );
}

/**
 * `#/devices/<mac>`: the device (change it), its lines (change, reorder, remove, add), keys,
 * settings, credentials, reprovisioning, file previews, deletion.
 */
export async function deviceAdminView(mac) {
  const here = location.hash;
  const shown = fresh?.mac === mac ? fresh.credentials : undefined;
  const [device, employees, models] = await Promise.all([api('GET', `/devices/${mac}`), someEmployees(), api('GET', '/models')]);
  const lines = device.lines ?? [];
  // Whom its lines name, as choices: read for those past the first employees listed.
  const listed = new Map(employees);
  const named = [device.employeeId, ...lines.map((l) => l.employeeId)].filter(Boolean);
  const names = new Map(await Promise.all(named.map(async (id) => [id, listed.get(id) ?? (await employeeChoiceOf(id))])));
  const settings = await deviceSettings(mac, device, models);
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  const model = models.find((m) => m.id === device.model);
  const line1 = device.employeeId ? names.get(device.employeeId) : 'unassigned';
  const open = device.enrollmentUntil && new Date(device.enrollmentUntil) > new Date();
  const remove = h('button', { type: 'button', class: 'secondary' }, 'Delete device');
  const removeProblem = h('p', { class: 'error', role: 'alert', hidden: true });
  remove.addEventListener('click', async () => {
    if (!confirm(`Delete the device ${showMac(mac)}? Its phone gets no file any more.`)) return;
    try {
      await api('DELETE', `/devices/${mac}`);
      location.hash = '#/devices';
      say(`Device ${showMac(mac)} deleted`);
    } catch (err) {
      removeProblem.textContent = err.message;
      removeProblem.hidden = false;
    }
  });
  page(
    `Device ${showMac(mac)}`,
    h('p', {}, link(`#/tech/${mac}`, 'Technician view'), ' · ', link(`#/label/${mac}`, 'Printable label')),
    h('dl', { class: 'facts' }, [['Model', device.model], ['Label', device.label ?? ''], ['Line 1', line1], ['Enrollment window', open ? `open until ${when(device.enrollmentUntil)}` : 'closed'], ['Configuration', device.config?.state ?? '']].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('section', { 'aria-labelledby': 'device-h' }, h('h2', { id: 'device-h' }, 'Change device'), deviceForm(mac, device, models, employees, names)),
    h(
      'section',
      { 'aria-labelledby': 'lines-h' },
      h('h2', { id: 'lines-h' }, 'Lines'),
      h('ol', { class: 'lines' }, h('li', {}, line1, ` (line 1) · auth name ${device.authName}`), lines.map((l) => h('li', {}, names.get(l.employeeId), l.label ? ` · ${l.label}` : '', ` · auth name ${l.authName}`))),
      lines.length ? linesForm(mac, lines, employees, names) : '',
      addLineForm(mac, lines, employees, model),
    ),
    h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Keys'), deviceKeys(mac, device, model)),
    settings,
    credentialsSection(mac, shown),
    reprovisionForm(mac),
    filesSection(mac, model),
    h('section', { 'aria-labelledby': 'delete-h' }, h('h2', { id: 'delete-h' }, 'Delete'), remove, removeProblem),
  );
}
