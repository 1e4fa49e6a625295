// The account's other admin pages: import with a dry run, export, tokens, operators, audit log, bans and misses.
import { api, query } from './api.js';
import { field, form, h, list, page, refresh, say, when } from './ui.js';

const SCOPES = [['admin', 'admin'], ['technician', 'technician'], ['readonly', 'readonly']];

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
      await refresh();
      document.querySelector('.new-token')?.replaceChildren(h('p', {}, `Token for ${t.name} (shown once, copy it now): `), h('code', {}, t.token));
    },
  });
  const revoke = (t) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Revoke ${t.name}`, onclick: async () => { if (!confirm(`Revoke ${t.name}?`)) return; try { await api('DELETE', `/tokens/${t.id}`); await refresh(); say(`Revoked ${t.name}`); } catch (err) { say(err.message); } } }, 'Revoke');
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
      await refresh();
      say(`Operator ${o.name} created`);
    },
  });
  const remove = (o) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Delete ${o.name}`, onclick: async () => { if (!confirm(`Delete ${o.name}?`)) return; try { await api('DELETE', `/operators/${o.name}`); await refresh(); say(`Deleted ${o.name}`); } catch (err) { say(err.message); } } }, 'Delete');
  page('Operators', list({ label: 'Operators', path: '/operators', columns: [['Name', (o) => o.name], ['Scope', (o) => o.scope], ['Password', (o) => (o.passwordSet ? 'set' : 'none: cannot sign in')], ['Since', (o) => when(o.createdAt)], ['', remove]] }), create);
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
  const lift = (b) => h('button', { type: 'button', class: 'secondary', 'aria-label': `Lift the ban on ${b.address}`, onclick: async () => { try { await api('DELETE', `/bans/${b.address}`); await refresh(); say(`Lifted the ban on ${b.address}`); } catch (err) { say(err.message); } } }, 'Lift');
  if (location.hash !== here) return; // the operator went elsewhere meanwhile
  page(
    'Bans and misses',
    list({ label: 'Bans', path: '/bans', columns: [['Address', (b) => b.address], ['Since', (b) => when(b.since)], ['Until', (b) => when(b.until)], ['Why', (b) => b.reason], ['', lift]] }),
    h('h2', {}, 'Recent misses'),
    misses.length === 0 ? h('p', {}, 'None.') : h('ol', { class: 'timeline', reversed: true }, [...misses].reverse().slice(0, 100).map((e) => h('li', {}, `${when(e.at)} ${e.status} ${e.file} over ${e.protocol} from ${e.address}${e.reason ? ` (${e.reason})` : ''}`))),
  );
}
