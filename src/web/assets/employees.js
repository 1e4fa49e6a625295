// The employees: list and search, create (username suggestion, number picker, a desk phone with it), change every field, keys, delete.
import { ApiError, api, query, showMac } from './api.js';
import { keysForm } from './keys.js';
import { field, form, fullName, h, link, list, options, page, refresh, say } from './ui.js';

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
      else await refresh();
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

/** The fields of an emergency address, as `emergencyAddress.<name>`. */
const ADDRESS = [['line1', 'Address line 1'], ['line2', 'Address line 2'], ['city', 'City'], ['region', 'Region or state'], ['postalCode', 'Postal code'], ['country', 'Country (two letters)']];

/**
 * The employee's numbers as fields `numbers.<i>`, direct number first, and one more field to add
 * one (an unrouted number of the account, or typed): an error about `numbers.2` shows under the
 * third. Remove and "Make direct" rearrange the list; Save sends it. `value()` is the list.
 */
function numbersEditor(initial, free) {
  let numbers = [...initial];
  const rows = h('ol', { class: 'numbers' });
  const fieldset = h(
    'fieldset',
    {},
    h('legend', {}, 'Numbers'),
    h('p', { class: 'hint' }, 'The first is the direct number. Changes here are kept when you save.'),
    rows,
    h('datalist', { id: 'employee-free-numbers' }, free.map((n) => h('option', { value: n.number }, n.label ?? ''))),
  );
  const inputs = () => [...rows.querySelectorAll('input')];
  const render = (focus) => {
    const adding = inputs().at(-1)?.value ?? '';
    rows.replaceChildren(
      ...numbers.map((n, i) =>
        h(
          'li',
          {},
          field({ name: `numbers.${i}`, label: i === 0 ? 'Direct number' : `Number ${i + 1}`, value: n, readonly: true }),
          h(
            'div',
            { class: 'actions' },
            i > 0 ? h('button', { type: 'button', class: 'secondary', 'aria-label': `Make ${n} the direct number`, onclick: () => { numbers = [n, ...numbers.filter((_, j) => j !== i)]; render(0); } }, 'Make direct') : '',
            h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove ${n}`, onclick: () => { numbers = numbers.filter((_, j) => j !== i); render(numbers.length); } }, 'Remove'),
          ),
        ),
      ),
      h(
        'li',
        {},
        field({ name: `numbers.${numbers.length}`, label: 'Add a number', value: adding, list: 'employee-free-numbers', autocomplete: 'off', inputmode: 'tel', hint: 'An unrouted number of the account, or type one' }),
        h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: add }, 'Add number')),
      ),
    );
    if (focus !== undefined) inputs()[focus]?.focus();
  };
  function add() {
    const typed = inputs().at(-1).value.trim();
    if (!typed) return;
    inputs().at(-1).value = '';
    numbers = [...numbers, typed];
    render(numbers.length);
  }
  render();
  return { fieldset, value: () => inputs().map((i) => i.value.trim()).filter(Boolean) };
}

/** The employee's keys (they follow them to any phone): no gaps, so an empty row is left out. */
function employeeKeys(id, e, models) {
  const keys = e.keys ?? [];
  const most = Math.max(4, ...models.map((m) => m.keys));
  return keysForm({
    keys,
    types: [...new Set(models.flatMap((m) => m.keyTypes))],
    rows: Math.min(Math.max(keys.length + 2, 4), Math.max(most, keys.length)),
    none: '(none)',
    save: async (given) => {
      const rowOf = given.flatMap((k, i) => (k ? [i] : [])); // the form's row of each key sent
      try {
        await api('PATCH', `/employees/${id}`, { keys: rowOf.length ? rowOf.map((i) => given[i]) : null });
      } catch (err) {
        // The API numbers the keys sent: name the rows the operator sees instead.
        if (err instanceof ApiError) err.errors = err.errors.map((x) => ({ ...x, path: x.path?.replace(/^keys\.(\d+)/, (_, j) => `keys.${rowOf[j]}`) }));
        throw err;
      }
      await refresh();
      say(rowOf.length < given.length ? 'Keys saved; empty rows were left out and the keys after them moved up' : 'Keys saved');
    },
  });
}

/** `#/employees/<id>`: change every field (numbers, PIN, emergency address), their keys, devices, welcome email; delete them. */
export async function employeeView(id) {
  const here = location.hash;
  const [e, sites, models, free] = await Promise.all([
    api('GET', `/employees/${id}`),
    options('/sites', (s) => s.name),
    api('GET', '/models'),
    api('GET', `/numbers${query({ available: true, limit: 200 })}`).catch(() => ({ items: [] })),
  ]);
  const numbers = numbersEditor(e.numbers ?? [], free.items);
  const address = e.emergencyAddress ?? {};
  const edit = form({
    label: 'Change employee',
    patch: true,
    fields: [
      field({ name: 'siteId', label: 'Site', required: true, options: sites, value: e.siteId }),
      field({ name: 'firstName', label: 'First name', required: true, value: e.firstName }),
      field({ name: 'lastName', label: 'Last name', required: true, value: e.lastName }),
      field({ name: 'username', label: 'Username', required: true, value: e.username }),
      field({ name: 'extension', label: 'Extension', value: e.extension, inputmode: 'numeric', hint: 'Empty: the last four digits of the direct number' }),
      field({ name: 'email', label: 'Email', type: 'email', value: e.email }),
      field({ name: 'voicemailToEmail', label: 'Voicemail to email', type: 'checkbox', value: e.voicemailToEmail }),
      field({ name: 'timeZone', label: 'Time zone', value: e.timeZone, hint: 'An IANA zone, e.g. America/New_York; empty: the site’s' }),
      field({ name: 'unreachableForward', label: 'Forward when unreachable', value: e.unreachableForward, inputmode: 'tel', hint: 'A phone number calls go to when no phone of theirs answers' }),
      numbers.fieldset,
      h(
        'fieldset',
        {},
        h('legend', {}, 'Authorized user'),
        field({ name: 'authorizedUser', label: 'Authorized user', type: 'checkbox', value: e.authorizedUser }),
        field({ name: 'pin', label: 'PIN', type: 'password', autocomplete: 'new-password', inputmode: 'numeric', hint: `${e.hasPin ? 'A PIN is set' : 'No PIN is set'}. 4 to 12 digits; empty: unchanged.` }),
        e.hasPin ? field({ name: 'removePin', label: 'Remove the PIN (only when not an authorized user)', type: 'checkbox' }) : '',
      ),
      h('fieldset', {}, h('legend', {}, 'Emergency address (E911)'), ADDRESS.map(([k, label]) => field({ name: `emergencyAddress.${k}`, label, value: address[k] }))),
    ],
    submit: 'Save',
    action: async (v) => {
      // Not a field of the API: the PIN is write-only, so removing it is asked for, as null.
      if (v.removePin && v.pin === undefined) v.pin = null;
      delete v.removePin;
      // The address is replaced whole and its parts cannot be null: send the parts given, or null for none.
      const parts = Object.entries(v.emergencyAddress ?? {}).filter(([, x]) => x !== null);
      if (parts.length) v.emergencyAddress = Object.fromEntries(parts);
      else if (e.emergencyAddress) v.emergencyAddress = null;
      else delete v.emergencyAddress;
      const listed = numbers.value();
      if (listed.join() !== (e.numbers ?? []).join()) v.numbers = listed.length ? listed : null;
      else delete v.numbers;
      await api('PATCH', `/employees/${id}`, v);
      await refresh();
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
    h('section', { 'aria-labelledby': 'keys-h' }, h('h2', { id: 'keys-h' }, 'Keys'), h('p', { class: 'hint' }, 'Keys that follow them to any phone of theirs (a device’s own keys win there). Keys fill the positions in order: an empty row is left out and the keys after it move up.'), employeeKeys(id, e, models)),
    h('h2', {}, 'Devices (line 1)'),
    list({ label: 'Their devices', path: '/devices', params: { employeeId: id }, columns: [['MAC', (d) => link(`#/devices/${d.mac}`, showMac(d.mac))], ['Model', (d) => d.model], ['Label', (d) => d.label]] }),
    h('div', { class: 'actions' }, welcome, remove),
  );
}
