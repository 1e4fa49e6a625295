// Phone settings by scope.
import { ApiError, api } from './api.js';
import { field, form, h, page, say } from './ui.js';

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

/**
 * The device page's settings section: what the phone ends up with, merged from the global, site,
 * model and device scopes, with where each value comes from. `reload` shows the page again.
 */
export async function deviceSettings(mac) {
  const settings = await api('GET', `/devices/${mac}/settings`);
  return h(
    'section',
    { 'aria-labelledby': 'settings-h' },
    h('h2', { id: 'settings-h' }, 'Settings'),
    h('p', {}, 'Merged from the global, site, model and device scopes: the nearest wins.'),
    h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'From'))), h('tbody', {}, Object.entries(settings.values).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, typeof v === 'object' ? JSON.stringify(v) : String(v)), h('td', {}, settings.sources[k] ?? '')))))),
  );
}
