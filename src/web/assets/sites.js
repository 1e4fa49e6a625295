// The sites: list, create, change, resync every phone of one, delete.
import { api } from './api.js';
import { field, form, h, link, list, page, say } from './ui.js';

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
    patch: true,
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
