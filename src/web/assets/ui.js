// DOM helpers: elements, labelled fields, API errors shown next to the field they name, paged lists.
import { ApiError, api, query } from './api.js';

/** An element: h('a', {href: '#/x'}, 'text', child...). `on*` attributes become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'value') el.value = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

let ids = 0;
const nextId = (name) => `f${++ids}-${name.replace(/[^\w-]/g, '-')}`;

/**
 * A labelled field. `name` is the API's field path (`device.mac`, `lines.1.employeeId`): an
 * error naming that path is shown under it. `options` makes a select ([value, label] pairs); its
 * `value` is always one of them (labelled `valueLabel`, else itself), so that saving the form
 * never changes what the operator did not touch. `find` ({path, label, find}: the list, a
 * record's label, the box's own label) adds a search box that fills the select from the API.
 */
export function field({ name, label, type = 'text', value, valueLabel, required, options, find, hint, ...rest }) {
  const id = nextId(name);
  const described = [`${id}-error`, hint ? `${id}-hint` : undefined].filter(Boolean).join(' ');
  let input;
  if (options) {
    const choices = value && !options.some(([v]) => v === value) ? [...options, [value, valueLabel ?? value]] : options;
    input = h('select', { id, name, required, 'aria-describedby': described, ...rest }, choices.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  } else if (type === 'textarea') {
    input = h('textarea', { id, name, required, 'aria-describedby': described, ...rest });
    if (value !== undefined) input.value = value;
  } else if (type === 'checkbox') {
    input = h('input', { id, name, type, checked: value === true, 'aria-describedby': described, ...rest });
  } else {
    input = h('input', { id, name, type, value, required, 'aria-describedby': described, ...rest });
  }
  // What the field showed at first: emptied, it is sent as null in a patch (see values).
  if (type !== 'checkbox' && value !== undefined && value !== null && value !== '') input.dataset.initial = '';
  return h(
    'div',
    { class: `field${type === 'checkbox' ? ' check' : ''}` },
    find && options ? finder(input, find) : '',
    h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : ''),
    input,
    hint ? h('p', { id: `${id}-hint`, class: 'hint' }, hint) : '',
    h('p', { id: `${id}-error`, class: 'error', hidden: true }),
  );
}

/**
 * A search box over a select of records, for lists too long to offer whole (100,000 employees):
 * what is typed asks the API (`path?q=`, the first 50 found) and the select then offers those,
 * keeping its empty choice and the one chosen. Enter in the box searches at once (not the form's
 * submit); typing searches after a pause.
 */
function finder(select, { path, label: describe, find }) {
  const box = h('input', { id: `${select.id}-find`, type: 'search', autocomplete: 'off', spellcheck: 'false', 'aria-controls': select.id, 'aria-describedby': `${select.id}-found` });
  const found = h('p', { id: `${select.id}-found`, class: 'hint', 'aria-live': 'polite' });
  let asked = 0;
  let timer;
  const look = async () => {
    const n = ++asked;
    const q = box.value.trim();
    try {
      const { items, nextCursor } = await api('GET', `${path}${query({ q: q || undefined, limit: 50 })}`);
      if (n !== asked) return; // a newer search is under way
      const kept = [...select.options].filter((o) => o.value === '' || o.selected);
      const more = items.filter((x) => !kept.some((o) => o.value === x.id)).map((x) => h('option', { value: x.id }, describe(x)));
      select.replaceChildren(...kept, ...more);
      found.textContent = `${items.length}${nextCursor ? ' or more' : ''} found${q ? ` for “${q}”` : ''}${items.length ? ': choose below' : ''}`;
    } catch (err) {
      if (n === asked) found.textContent = `Search failed: ${err.message}`;
    }
  };
  box.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(look, 300);
  });
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    clearTimeout(timer);
    void look();
  });
  return h('div', { class: 'find' }, h('label', { for: box.id }, find), box, found);
}

/**
 * A form whose submit runs `action(values, form)`; an ApiError's field errors are shown next to
 * their fields (the others, and the problem's detail, above the button). `read(form)` gives the
 * values when the fields' names are not the API's nested paths (default: `values`).
 */
export function form({ label, fields, submit, action, extra = [], patch = false, read = (f) => values(f, { patch }), class: className }) {
  const alert = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const f = h('form', { 'aria-label': label, novalidate: true, class: className }, fields, alert, h('div', { class: 'actions' }, h('button', { type: 'submit' }, submit), extra));
  f.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(f);
    const button = f.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await action(read(f), f);
    } catch (err) {
      showErrors(f, err);
    } finally {
      button.disabled = false;
    }
  });
  return f;
}

export function clearErrors(f) {
  for (const p of f.querySelectorAll('.error')) {
    p.hidden = true;
    p.textContent = '';
  }
  for (const el of f.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const alert = f.querySelector('.form-error');
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

/** Puts each error next to the input named by its path (or its nearest named parent path). */
export function showErrors(f, err) {
  const alert = f.querySelector('.form-error');
  const loose = [];
  const errors = err instanceof ApiError ? err.errors : [];
  let first;
  for (const e of errors) {
    let path = e.path ?? '';
    let input = null;
    while (path && !(input = f.elements.namedItem(path))) path = path.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
    if (input && input.id) {
      input.setAttribute('aria-invalid', 'true');
      const p = document.getElementById(`${input.id}-error`);
      p.textContent = p.textContent ? `${p.textContent}; ${e.message}` : e.message;
      p.hidden = false;
      first ??= input;
    } else loose.push(e);
  }
  if (loose.length > 0 || errors.length === 0) {
    alert.replaceChildren(h('p', {}, err instanceof ApiError ? `${err.title ?? 'Error'}: ${err.message}` : String(err.message ?? err)), loose.length ? h('ul', {}, loose.map((e) => h('li', {}, `${e.row !== undefined ? `row ${e.row}: ` : ''}${e.path || '(body)'}: ${e.message}`))) : '');
    alert.hidden = false;
  }
  if (first) first.focus();
  else {
    alert.setAttribute('tabindex', '-1');
    alert.focus();
  }
}

/**
 * The form's values as the API's nested object: `a.b` names; empty text left out; checkboxes as
 * booleans. With `patch` (a form for PATCH, a JSON merge patch), a field that showed a value and
 * was emptied is null: the API then removes what it held.
 */
export function values(f, { patch = false } = {}) {
  const out = {};
  for (const el of f.elements) {
    if (!el.name || el.disabled) continue;
    let v;
    if (el.type === 'checkbox') v = el.checked;
    else if (el.type === 'number') v = el.value === '' ? undefined : Number(el.value);
    else v = el.value.trim() === '' ? undefined : el.value.trim();
    if (v === undefined && patch && 'initial' in el.dataset) v = null;
    if (v === undefined) continue;
    const parts = el.name.split('.');
    let at = out;
    parts.slice(0, -1).forEach((p, i) => {
      at[p] ??= /^\d+$/.test(parts[i + 1]) ? [] : {};
      at = at[p];
    });
    at[parts.at(-1)] = v;
  }
  return out;
}

/**
 * Tells screen readers (and shows briefly) what just happened; outside the page, so that one said
 * just before a move to another page (a delete, then the list) is still seen there. A page drawn
 * after the operator acted again takes it away (see page).
 */
export function say(text) {
  const status = document.getElementById('status');
  status.textContent = text;
  const toast = h('p', { class: 'toast', 'data-acts': acts }, text);
  document.getElementById('toasts').prepend(toast);
  setTimeout(() => toast.remove(), 6000);
}

let showAgain = async () => {};
/** Pages drawn so far, and which of them the operator last clicked or submitted on. */
let drawings = 0;
let actedOn = 0;
/** How many times the operator has clicked or submitted. */
let acts = 0;
for (const type of ['click', 'submit'])
  document.addEventListener(
    type,
    () => {
      actedOn = drawings;
      acts++;
    },
    true,
  );
/**
 * Shows the page again after a change made from it, unless another page has been drawn since the
 * operator acted (they went elsewhere, or came back: that drawing is newer than the change, and
 * drawing again would replace a form they may be filling in). A view that awaits checks the
 * address again before it draws, for a move made while it loads.
 */
export const refresh = () => (drawings === actedOn ? showAgain() : undefined);
/** The router says how to show the current page (app.js). */
export const onRefresh = (show) => {
  showAgain = show;
};

/** A page's heading, focused so that keyboard and screen reader users start there. */
export function page(title, ...children) {
  const main = document.getElementById('main');
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...children);
  drawings++;
  known = new Map();
  // What was said before the operator's last act is old news; what their act led to stays.
  for (const toast of document.querySelectorAll('#toasts .toast')) if (Number(toast.dataset.acts) < acts) toast.remove();
  document.title = `${title} · Dialtone`;
  heading.focus();
  return main;
}

/**
 * A paged list of `path` (the API's `{items, nextCursor}`), searched with the filters the route
 * takes: a table of `columns` ([header, item => cell]) and a "More" button while there is more.
 */
export function list({ label, path, columns, filters = [], params = {} }) {
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'more', hidden: true }, 'Show more');
  const count = h('p', { class: 'count', 'aria-live': 'polite' });
  const alert = h('div', { class: 'form-error', role: 'alert', hidden: true });
  let cursor;
  let shown = 0;
  let filterValues = {};
  const load = async (fresh) => {
    if (fresh) {
      cursor = undefined;
      shown = 0;
      body.replaceChildren();
    }
    try {
      clearErrors(search);
      const page = await api('GET', `${path}${query({ ...params, ...filterValues, limit: 50, cursor })}`);
      for (const item of page.items) body.append(h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(item) ?? ''))));
      shown += page.items.length;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      count.textContent = `${shown} shown${cursor ? ', more available' : ''}`;
    } catch (err) {
      showErrors(search, err);
    }
  };
  more.addEventListener('click', () => load(false));
  const search = form({
    label: `Search ${label}`,
    fields: filters.map((f) => field({ ...f, name: `query.${f.name}` })),
    submit: 'Search',
    action: async (v) => {
      filterValues = v.query ?? {};
      await load(true);
    },
  });
  if (filters.length === 0) search.hidden = true;
  void load(true);
  return h(
    'section',
    { 'aria-label': label, class: 'list' },
    search,
    alert,
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'visually-hidden' }, label), h('thead', {}, h('tr', {}, columns.map(([title]) => h('th', { scope: 'col' }, title)))), body)),
    count,
    more,
  );
}

/** A short date and time in the browser's zone. */
export const when = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '');

export const link = (href, text) => h('a', { href }, text);
export const fullName = (e) => `${e.firstName} ${e.lastName}`;

/** `[id, label]` pairs of the first `limit` records of a list, for a select (a field's `find` reaches the rest). */
export async function options(path, label, limit = 1000) {
  const { items } = await api('GET', `${path}${query({ limit })}`);
  return items.map((x) => [x.id, label(x)]);
}

/** An employee as a choice, and where a select of employees searches for more (field's `find`). */
const employeeChoice = (e) => `${fullName(e)} (${e.username})`;
export const EMPLOYEES = { path: '/employees', label: employeeChoice, first: 100, find: 'Find by name, username or extension' };
/** The first of the employees, for a select that finds the rest. */
export const someEmployees = () => options(EMPLOYEES.path, EMPLOYEES.label, EMPLOYEES.first);

/** Employees by id, each asked once per page drawn (a list shows the same ones many times); undefined if gone. */
let known = new Map();
const employee = (id) => {
  if (!known.has(id)) known.set(id, api('GET', `/employees/${encodeURIComponent(id)}`).catch(() => undefined));
  return known.get(id);
};
/** An employee as a choice of a select (their id if they cannot be read). */
export const employeeChoiceOf = async (id) => {
  const e = await employee(id);
  return e ? employeeChoice(e) : id;
};
/** A link to an employee's page, showing their id until their name is known. */
export function employeeLink(id) {
  const a = link(`#/employees/${id}`, id);
  void employee(id).then((e) => e && (a.textContent = fullName(e)));
  return a;
}
