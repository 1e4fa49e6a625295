// The sites: list, create, change (every field, and the site's phone settings), resync every phone of one, delete.
import { api } from './api.js';
import { settingsEditor } from './settings.js';
import { field, form, h, link, list, page, refresh, say } from './ui.js';

const TRANSPORTS = [['udp', 'UDP'], ['tcp', 'TCP'], ['tls', 'TLS']];

/** Every field of a site, named as the API names it (`address.city`, `sip.port`), showing `site`'s values. */
function siteFields(site = {}) {
  const a = site.address ?? {};
  const sip = site.sip ?? {};
  return [
    field({ name: 'name', label: 'Name', required: true, value: site.name }),
    field({ name: 'timeZone', label: 'Time zone', required: true, value: site.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone, hint: 'An IANA zone, e.g. America/New_York' }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'SIP'),
      field({ name: 'sip.registrar', label: 'SIP registrar', required: true, value: sip.registrar, hint: 'Host name or address of the PBX' }),
      field({ name: 'sip.port', label: 'SIP port', type: 'number', min: 1, max: 65535, value: sip.port, hint: 'Empty: the transport’s usual port' }),
      field({ name: 'sip.transport', label: 'SIP transport', value: sip.transport, options: TRANSPORTS }),
      field({ name: 'sip.outboundProxy', label: 'Outbound proxy', value: sip.outboundProxy, hint: 'Host name or address; empty: none' }),
    ),
    field({ name: 'voicemailNumber', label: 'Voicemail number', value: site.voicemailNumber }),
    field({ name: 'ntpServer', label: 'NTP server', value: site.ntpServer, hint: 'For the site’s phones when their phone settings name none' }),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Address (for emergency calls)'),
      field({ name: 'address.line1', label: 'Street address', value: a.line1, autocomplete: 'address-line1' }),
      field({ name: 'address.line2', label: 'Address line 2', value: a.line2, autocomplete: 'address-line2' }),
      field({ name: 'address.city', label: 'City', value: a.city, autocomplete: 'address-level2' }),
      field({ name: 'address.region', label: 'State or region', value: a.region, autocomplete: 'address-level1' }),
      field({ name: 'address.postalCode', label: 'Postal code', value: a.postalCode, autocomplete: 'postal-code' }),
      field({ name: 'address.country', label: 'Country', value: a.country, hint: 'Two letters (ISO 3166-1), e.g. US', autocomplete: 'country' }),
    ),
    field({ name: 'networks', label: 'Networks', type: 'textarea', rows: 3, spellcheck: 'false', value: (site.networks ?? []).join('\n'), hint: 'The networks the site’s phones come from, one CIDR a line (e.g. 203.0.113.0/28); when set, enrollment windows serve only them' }),
    field({ name: 'requireDeviceCertificate', label: 'Require the phone’s factory certificate', type: 'checkbox', value: site.requireDeviceCertificate, hint: 'Secrets only to a phone presenting its vendor’s certificate (mutual TLS)' }),
  ];
}

/**
 * The form's values as the API takes a site: the address and SIP each one object, sent whole
 * without their emptied fields (an emptied address is null in a `patch`), networks a list.
 */
function siteBody(v, patch) {
  const gone = patch ? null : undefined;
  const whole = (o) => {
    const kept = Object.fromEntries(Object.entries(o ?? {}).filter(([, x]) => x !== null));
    return Object.keys(kept).length ? kept : gone;
  };
  const networks = (v.networks ?? '').split('\n').map((n) => n.trim()).filter(Boolean);
  return { ...v, address: whole(v.address), sip: whole(v.sip), networks: networks.length ? networks : gone, requireDeviceCertificate: v.requireDeviceCertificate || gone };
}

export async function sitesView() {
  const create = form({
    label: 'New site',
    fields: [h('h2', {}, 'New site'), ...siteFields()],
    submit: 'Create site',
    action: async (v) => {
      const site = await api('POST', '/sites', siteBody(v, false));
      await refresh();
      say(`Site ${site.name} created`);
    },
  });
  page('Sites', list({ label: 'Sites', path: '/sites', filters: [{ name: 'q', label: 'Name contains' }], columns: [['Name', (s) => link(`#/sites/${s.id}`, s.name)], ['Time zone', (s) => s.timeZone], ['Registrar', (s) => s.sip?.registrar]] }), create);
}

/** `#/sites/<id>`: change the site and its phone settings, resync its phones, or delete it (refused while it has employees). */
export async function siteView(id) {
  const here = location.hash;
  const [site, models] = await Promise.all([api('GET', `/sites/${id}`), api('GET', '/models')]);
  const edit = form({
    label: 'Change site',
    patch: true,
    fields: siteFields(site),
    submit: 'Save',
    action: async (v) => {
      await api('PATCH', `/sites/${id}`, siteBody(v, true));
      await refresh();
      say('Saved');
    },
  });
  const settings = settingsEditor({
    scope: 'site',
    label: 'Site phone settings',
    current: site.settings,
    models,
    save: async (body) => {
      await api('PATCH', `/sites/${id}`, { settings: body });
      await refresh();
      say('Settings saved');
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
  page(site.name, edit, h('section', { 'aria-labelledby': 'site-settings-h' }, h('h2', { id: 'site-settings-h' }, 'Phone settings of the site'), settings), h('div', { class: 'actions' }, resync, remove), out);
}
