// The employees: list and search, create (username suggestion, number picker, a desk phone with it), change, delete.
import { api, query, showMac } from './api.js';
import { field, form, fullName, h, link, list, options, page, say } from './ui.js';

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
    patch: true,
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
