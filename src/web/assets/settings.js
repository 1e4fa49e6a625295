// Phone settings by scope: one editor for every scope (every phone, a model's phones, a site's, one
// device's), the settings page, and the device page's section (the merged view, then the editor).
import { ApiError, api } from './api.js';
import { field, form, h, page, refresh, say } from './ui.js';

/** As LANGUAGES in src/domain/settings.ts and CODECS in src/domain/types.ts (the console test compares them). */
export const LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'nl', 'pt', 'sv', 'da', 'nb', 'fi', 'pl', 'cs', 'tr', 'ru', 'ja', 'zh', 'ko', 'he', 'ar'];
export const CODECS = ['opus', 'G722', 'PCMU', 'PCMA', 'G729', 'iLBC'];

const languageName = new Intl.DisplayNames(['en'], { type: 'language' });

/** The neutral settings but codecs and the admin password: key → label, hint, options; `number`: sent as a number. */
const NEUTRAL = {
  language: { label: 'Language', options: LANGUAGES.map((l) => [l, `${languageName.of(l)} (${l})`]) },
  toneCountry: { label: 'Tone country', hint: 'Call-progress tones of this country: two letters, e.g. GB' },
  resyncMinutes: { label: 'Check for a new configuration every (minutes)', number: true, hint: '5 to 43200; 1440 when no scope sets it' },
  ntpServer: { label: 'NTP server', hint: 'pool.ntp.org when no scope (nor the site) sets one' },
  vlan: { label: 'Voice VLAN', number: true, hint: '1 to 4094' },
  syslog: { label: 'Syslog server', hint: 'host or host:port' },
  registerExpiry: { label: 'SIP registration expiry (seconds)', number: true, hint: '60 to 86400' },
  directory: { label: 'Company directory', options: [['site', 'the site’s employees'], ['all', 'every site’s employees'], ['off', 'none']] },
};
/** Every setting the merged view shows, in order. */
const LABELS = { ...Object.fromEntries(Object.entries(NEUTRAL).map(([k, f]) => [k, f.label])), codecs: 'Codecs', adminPassword: 'Phones’ admin password' };

/** The vendor ids whose phones take raw settings. */
const rawVendors = (models) => [...new Set(models.filter((m) => m.rawSettings).map((m) => m.vendor))];

let rows = 0;

/** Codecs in order of preference: a checkbox each, moved up and down with buttons (the focus stays on the button). */
function codecsField(name, chosen = []) {
  const id = `codecs-${++rows}`;
  const list = h('ol', { class: 'codecs' });
  const told = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const move = (li, codec, step) => {
    const other = step < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return;
    if (step < 0) li.after(other);
    else li.before(other);
    told.textContent = `${codec}: position ${[...list.children].indexOf(li) + 1}`;
  };
  const order = [...chosen, ...CODECS.filter((c) => !chosen.includes(c))];
  for (const codec of order) {
    const li = h('li', {}, h('input', { type: 'checkbox', id: `${id}-${codec}`, value: codec, checked: chosen.includes(codec) }), h('label', { for: `${id}-${codec}` }, codec));
    li.append(
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${codec} up`, onclick: () => move(li, codec, -1) }, '↑'),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Move ${codec} down`, onclick: () => move(li, codec, 1) }, '↓'),
    );
    list.append(li);
  }
  const set = h('fieldset', { id, name, 'aria-describedby': `${id}-error` }, h('legend', {}, 'Codecs, in order of preference'), h('p', { class: 'hint' }, 'None ticked: not set here'), list, told, h('p', { id: `${id}-error`, class: 'error', hidden: true }));
  set.chosen = () => [...list.querySelectorAll('input:checked')].map((box) => box.value);
  return set;
}

/**
 * The settings editor of one scope: `global`, `model` (PATCH of the scope's settings), `site` or
 * `device` (under the record's `settings`); a merge patch at every scope: what was shown and is
 * emptied is sent as null, and the write-only admin password is kept unless typed or removed. `current` is the scope's settings as the API shows them; `model` the model of a
 * model or device scope (whose raw settings are flat, in its vendor's keys); `models` GET /models
 * (the vendors a global or site raw setting may name). Each field is named by the path the API
 * names it in errors (`vlan`, `settings.codecs`, `raw.yealink.<key>`, `settings.raw.<key>`).
 */
export function settingsEditor({ scope, label, current = {}, model, models = [], save }) {
  const nested = scope === 'site' || scope === 'device';
  const shared = scope === 'global' || scope === 'site';
  const at = (key) => (nested ? `settings.${key}` : key);
  const vendors = shared ? rawVendors(models) : model?.rawSettings ? [model.vendor] : [];

  const inputs = {};
  const neutral = Object.entries(NEUTRAL).map(([key, f]) => {
    const el = field({ name: at(key), label: f.label, hint: f.hint, value: current[key] === undefined ? '' : String(current[key]), options: f.options && [['', 'Not set here'], ...f.options], inputmode: f.number ? 'numeric' : undefined, autocomplete: 'off' });
    inputs[key] = el.querySelector('input, select');
    return el;
  });
  const codecs = codecsField(at('codecs'), current.codecs);

  const set = current.adminPasswordSet === true;
  const fits = model ? `${model.vendor} phones take ${model.adminPassword}` : shared ? 'it must fit every vendor’s phones (set it per model otherwise)' : '';
  const password = field({
    name: at('adminPassword'),
    label: 'Phones’ admin password',
    type: 'password',
    autocomplete: 'new-password',
    hint: `${set ? 'One is set here: empty keeps it.' : 'None set here.'} Write-only${fits ? `; ${fits}` : ''}.`,
  });
  const remove = set ? field({ name: 'removeAdminPassword', label: 'Remove the admin password set here', type: 'checkbox' }) : '';

  // Raw vendor settings: rows of (vendor,) key and value; a row's key input takes the name of the
  // API's path for it when the form is sent, so that an error about that key shows under it.
  const raw = [];
  const rawList = h('div');
  const addRow = (vendor = vendors[0], key = '', value = '') => {
    const vendorField = shared ? field({ name: 'raw-vendor', label: 'Vendor', value: vendor, options: vendors.map((v) => [v, v]) }) : '';
    const keyField = field({ name: 'raw-key', label: 'Key', value: key, autocomplete: 'off', spellcheck: 'false' });
    const valueField = field({ name: 'raw-value', label: 'Value', value, autocomplete: 'off', spellcheck: 'false' });
    for (const el of [vendorField, keyField, valueField].filter(Boolean)) el.querySelector('input, select').removeAttribute('name');
    const row = { vendor: vendorField && vendorField.querySelector('select'), key: keyField.querySelector('input'), value: valueField.querySelector('input') };
    const removeRow = () => {
      row.el.remove();
      raw.splice(raw.indexOf(row), 1);
      raw.forEach((r, i) => (r.el.querySelector('legend').textContent = `Vendor setting ${i + 1}`));
      addButton.focus();
    };
    row.el = h('fieldset', { class: 'raw-row' }, h('legend', {}, `Vendor setting ${raw.length + 1}`), vendorField, keyField, valueField, h('button', { type: 'button', class: 'secondary', onclick: removeRow }, 'Remove'));
    raw.push(row);
    rawList.append(row.el);
    return row;
  };
  const rawId = `raw-${++rows}`;
  const addButton = h('button', { type: 'button', class: 'secondary', onclick: () => addRow().key.focus() }, 'Add a vendor setting');
  const shownRaw = vendors.length ? (current.raw ?? {}) : {};
  if (shared) for (const [vendor, entries] of Object.entries(shownRaw)) for (const [k, v] of Object.entries(entries)) addRow(vendor, k, v);
  else for (const [k, v] of Object.entries(shownRaw)) addRow(undefined, k, v);
  const rawSet = vendors.length
    ? h('fieldset', { id: rawId, name: at('raw'), 'aria-describedby': `${rawId}-error` }, h('legend', {}, 'Vendor settings'), h('p', { class: 'hint' }, shared ? 'Written as they are, in each vendor’s own keys, after everything else. A row without a value is removed.' : `Written as they are, in ${vendors[0]}’s own keys, after everything else. A row without a value is removed.`), rawList, h('p', { id: `${rawId}-error`, class: 'error', hidden: true }), addButton)
    : h('p', {}, model ? `${model.vendor} phones take no raw vendor settings.` : 'A generic device takes no raw vendor settings.');

  /** The settings as a merge patch, from what the form shows. */
  const body = () => {
    const out = {};
    for (const [key, input] of Object.entries(inputs)) {
      const v = input.value.trim();
      if (v !== '') out[key] = NEUTRAL[key].number && /^\d+$/.test(v) ? Number(v) : v;
    }
    if (codecs.chosen().length) out.codecs = codecs.chosen();
    const typed = password.querySelector('input').value;
    const removing = remove && remove.querySelector('input').checked;
    if (typed) out.adminPassword = typed;
    else if (removing) out.adminPassword = null;
    const given = Object.create(null);
    for (const row of raw) {
      const key = row.key.value.trim();
      const vendor = row.vendor?.value ?? vendors[0];
      const name = at(shared ? `raw.${vendor}.${key}` : `raw.${key}`);
      row.key.removeAttribute('name');
      if (key === '' || row.value.value.trim() === '') continue;
      const into = shared ? (given[vendor] ??= Object.create(null)) : given;
      if (Object.hasOwn(into, key)) throw new ApiError(400, { title: 'Not saved', detail: `the vendor setting ${key} is given twice` });
      into[key] = row.value.value;
      row.key.name = name;
    }
    if (Object.keys(given).length) out.raw = given;
    for (const key of Object.keys(current)) if (key !== 'adminPasswordSet' && !(key in out)) out[key] = null;
    return out;
  };

  // Raw keys hold dots, so `values` (which nests on them) cannot read this form: `body` does.
  return form({
    label,
    class: 'settings',
    fields: [h('p', { class: 'hint' }, 'An empty field is not set here: the phone takes a farther scope’s value, or the default.'), ...neutral, codecs, password, remove, rawSet],
    submit: 'Save settings',
    read: body,
    action: save,
  });
}

/** `#/settings`: the phone settings of every phone, or (`?model=`) of one model's phones. */
export async function settingsView() {
  const here = location.hash;
  const models = await api('GET', '/models');
  const id = new URLSearchParams(location.hash.split('?')[1] ?? '').get('model') ?? '';
  const model = models.find((m) => m.id === id);
  const path = id ? `/models/${encodeURIComponent(id)}/settings` : '/settings';
  const current = await api('GET', path);
  const picker = form({
    label: 'Scope',
    fields: [field({ name: 'model', label: 'Settings of', value: id, options: [['', 'every phone (global)'], ...models.map((m) => [m.id, `${m.vendor} ${m.name} phones`])] })],
    submit: 'Show',
    action: async (v) => {
      location.hash = v.model ? `#/settings?model=${encodeURIComponent(v.model)}` : '#/settings';
    },
  });
  const edit = settingsEditor({
    scope: id ? 'model' : 'global',
    label: 'Phone settings',
    current,
    model,
    models,
    save: async (body) => {
      await api('PATCH', path, body);
      await refresh();
      say('Settings saved');
    },
  });
  if (location.hash !== here) return;
  page('Phone settings', h('p', {}, 'By scope: every phone, then its site (on the site’s page), its model, the device itself (on the device’s page); the nearest wins.'), picker, h('h2', {}, id ? `${model?.vendor ?? ''} ${model?.name ?? id} phones` : 'Every phone'), edit);
}

const shown = (v) => (Array.isArray(v) ? v.join(', ') : String(v));

/**
 * The device page's settings section: what the phone ends up with, merged from the global, site,
 * model and device scopes with where each value comes from, the raw settings it gets and the keys
 * it does not; then the device's own settings (`device` and `models` as the page read them).
 */
export async function deviceSettings(mac, device, models) {
  const merged = await api('GET', `/devices/${mac}/settings`);
  const values = { ...merged.values, adminPassword: merged.values.adminPasswordSet ? 'set (write-only)' : undefined };
  const row = (...cells) => h('tr', {}, cells.map((c) => h('td', {}, c)));
  const head = (...titles) => h('thead', {}, h('tr', {}, titles.map((t) => h('th', { scope: 'col' }, t))));
  return h(
    'section',
    { 'aria-labelledby': 'settings-h' },
    h('h2', { id: 'settings-h' }, 'Settings'),
    h('p', {}, 'What the phone gets, merged from the global, site, model and device scopes: the nearest wins.'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, 'Merged settings'), head('Setting', 'Value', 'From'), h('tbody', {}, Object.entries(LABELS).filter(([k]) => values[k] !== undefined).map(([k, l]) => row(l, shown(values[k]), merged.sources[k] ?? ''))))),
    merged.raw.length ? h('div', { class: 'table-wrap' }, h('table', {}, h('caption', {}, 'Vendor settings the phone gets'), head('Key', 'Value', 'From'), h('tbody', {}, merged.raw.map((r) => row(r.key, r.value, r.scope))))) : '',
    merged.leftOut.length ? [h('h3', {}, 'Keys the phone does not get'), h('ul', {}, merged.leftOut.map((k) => h('li', {}, `Key ${k.position} (${k.key.type}${k.key.value ? ` ${k.key.value}` : ''}): ${k.reason}`)))] : '',
    h('h3', {}, 'This device’s own settings'),
    settingsEditor({
      scope: 'device',
      label: 'Device settings',
      current: device.settings,
      model: models.find((m) => m.id === device.model),
      save: async (body) => {
        await api('PATCH', `/devices/${mac}`, { settings: body });
        await refresh();
        say('Settings saved');
      },
    }),
  );
}
