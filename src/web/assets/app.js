// The console's shell: sign-in, the navigation the operator's scope allows, and the hash router.
import { ApiError, api, parseMac, setCsrf, whenSignedOut } from './api.js';
import { auditView, bansView, exportView, importView, operatorsView, tokensView } from './admin.js';
import { deviceAdminView, devicesView } from './devices.js';
import { employeeView, employeesView } from './employees.js';
import { numberView, numbersView } from './numbers.js';
import { settingsView } from './settings.js';
import { siteView, sitesView } from './sites.js';
import { deviceView, findView, labelView } from './tech.js';
import { field, form, h, onRefresh, page } from './ui.js';

const RANK = { readonly: 0, technician: 1, admin: 2 };
let session;

/** Every page: its hash, the scope it needs, its title in the navigation (none: not listed). */
const ROUTES = [
  { path: /^#\/tech$/, scope: 'readonly', nav: ['#/tech', 'Find a device'], show: () => findView() },
  { path: /^#\/tech\/([0-9a-f]{12})$/, scope: 'readonly', show: (m) => deviceView(m[1], session) },
  { path: /^#\/label\/([0-9a-f]{12})$/, scope: 'readonly', show: (m) => labelView(m[1]) },
  { path: /^#\/sites$/, scope: 'admin', nav: ['#/sites', 'Sites'], show: () => sitesView() },
  { path: /^#\/sites\/([0-9a-f-]{36})$/, scope: 'admin', show: (m) => siteView(m[1]) },
  { path: /^#\/employees$/, scope: 'admin', nav: ['#/employees', 'Employees'], show: () => employeesView() },
  { path: /^#\/employees\/([0-9a-f-]{36})$/, scope: 'admin', show: (m) => employeeView(m[1]) },
  { path: /^#\/numbers$/, scope: 'admin', nav: ['#/numbers', 'Numbers'], show: () => numbersView() },
  { path: /^#\/numbers\/\+?([1-9][0-9]{1,14})$/, scope: 'admin', show: (m) => numberView(m[1]) },
  { path: /^#\/devices$/, scope: 'admin', nav: ['#/devices', 'Devices'], show: () => devicesView() },
  { path: /^#\/devices\/([0-9a-f]{12})$/, scope: 'admin', show: (m) => deviceAdminView(m[1]) },
  { path: /^#\/settings(\?model=[\w.-]+)?$/, scope: 'admin', nav: ['#/settings', 'Settings'], show: () => settingsView() },
  { path: /^#\/import$/, scope: 'admin', nav: ['#/import', 'Import'], show: () => importView() },
  { path: /^#\/export$/, scope: 'admin', nav: ['#/export', 'Export'], show: () => exportView() },
  { path: /^#\/tokens$/, scope: 'admin', nav: ['#/tokens', 'Tokens'], show: () => tokensView() },
  { path: /^#\/operators$/, scope: 'admin', nav: ['#/operators', 'Operators'], show: () => operatorsView() },
  { path: /^#\/audit$/, scope: 'admin', nav: ['#/audit', 'Audit log'], show: () => auditView() },
  { path: /^#\/bans$/, scope: 'admin', nav: ['#/bans', 'Bans'], show: () => bansView() },
];

const allowed = (scope) => session && RANK[session.scope] >= RANK[scope];

function chrome() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  if (!session) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  nav.replaceChildren(h('ul', {}, ROUTES.filter((r) => r.nav && allowed(r.scope)).map((r) => h('li', {}, h('a', { href: r.nav[0] }, r.nav[1])))));
  who.replaceChildren(h('span', {}, `${session.name} (${session.scope})`), ' ', h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'));
}

function markCurrent() {
  for (const a of document.querySelectorAll('#nav a')) {
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function signOut() {
  await api('DELETE', '/session').catch(() => undefined);
  session = undefined;
  setCsrf(undefined);
  chrome();
  location.hash = '#/signin';
}

function signInView() {
  const back = location.hash && location.hash !== '#/signin' ? location.hash : undefined;
  page(
    'Sign in',
    form({
      label: 'Sign in',
      fields: [field({ name: 'name', label: 'Name', required: true, autocomplete: 'username', autocapitalize: 'none' }), field({ name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'current-password' })],
      submit: 'Sign in',
      action: async (v) => {
        session = await api('POST', '/session', { name: v.name ?? '', password: v.password ?? '' });
        setCsrf(session.csrfToken);
        chrome();
        const target = back ?? (session.scope === 'admin' ? '#/employees' : '#/tech');
        // A new address is drawn by the hashchange; the same one (signed out on it) here.
        if (location.hash !== target) location.hash = target;
        else await route();
      },
    }),
  );
}

async function route() {
  if (!session) return signInView();
  const hash = location.hash || '#/tech';
  if (hash === '#/signin' || hash === '#/' || hash === '#') {
    location.replace(session.scope === 'admin' ? '#/employees' : '#/tech');
    return;
  }
  // A MAC typed into the address bar in any notation.
  const mac = /^#\/tech\/(.+)$/.exec(hash);
  if (mac && parseMac(decodeURIComponent(mac[1])) && parseMac(decodeURIComponent(mac[1])) !== mac[1]) return location.replace(`#/tech/${parseMac(decodeURIComponent(mac[1]))}`);
  markCurrent();
  for (const r of ROUTES) {
    const m = r.path.exec(hash);
    if (!m) continue;
    if (!allowed(r.scope)) return page('Not allowed', h('p', { role: 'alert' }, `This page needs the ${r.scope} scope; you are signed in with the ${session.scope} scope.`), h('p', {}, h('a', { href: '#/tech' }, 'Find a device')));
    try {
      await r.show(m);
    } catch (err) {
      page(err instanceof ApiError && err.status === 404 ? 'Not found' : 'Error', h('p', { role: 'alert' }, err.message));
    }
    return;
  }
  page('Not found', h('p', {}, 'No such page.'));
}

onRefresh(() => route());

whenSignedOut(() => {
  if (!session) return;
  session = undefined;
  setCsrf(undefined);
  chrome();
  signInView();
});

async function start() {
  try {
    session = await api('GET', '/session');
    setCsrf(session.csrfToken);
  } catch {
    session = undefined;
  }
  chrome();
  await route();
  window.addEventListener('hashchange', () => void route());
}

void start();
