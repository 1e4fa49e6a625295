/**
 * "Has this phone picked up its latest configuration?": GET /devices/{mac} says in_sync, pending
 * or never_fetched, from what the phone itself was last served and what it would get now.
 */
import t from 'tap';
import { fetchFile } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const MAC = '805ec0000c01';
const UA = 'Yealink SIP-T54W 96.86.0.100 80:5e:c0:00:0c:01';

t.test('config state follows the phone and the records', async (t) => {
  const server = await startServer(t, t.testdir());
  t.teardown(() => server.stop());
  const api = server.ok;
  const site = await api('POST', '/sites', { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } });
  const employee = await api('POST', '/employees', { siteId: site.id, firstName: 'Ada', lastName: 'L', username: 'ada', extension: '100', device: { mac: MAC, model: 'yealink-t54w' } });
  const config = async () => (await api('GET', `/devices/${MAC}`)).config;

  t.same(await config(), { state: 'never_fetched' }, 'before any fetch');
  await fetchFile(server, 'http', `/${MAC}.cfg`, { userAgent: UA });
  t.same(await config(), { state: 'never_fetched' }, 'a bootstrap over plain HTTP is not its configuration');
  const full = await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA });
  t.equal(full.status, 200);
  t.match(await config(), { state: 'in_sync', file: `${MAC}.cfg`, servedEtag: full.headers.etag, currentEtag: full.headers.etag }, 'served: in sync');

  await api('PATCH', `/employees/${employee.id}`, { lastName: 'Lovelace' });
  const pending = await config();
  t.match(pending, { state: 'pending', servedEtag: full.headers.etag }, 'a change to the records: pending');
  t.not(pending.currentEtag, full.headers.etag, 'the file it would get now differs');

  const again = await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA, headers: { 'if-none-match': String(full.headers.etag) } });
  t.equal(again.status, 200, 'its next fetch gets the new file');
  t.match(await config(), { state: 'in_sync', servedEtag: again.headers.etag }, 'and it is in sync again');
  const unchanged = await fetchFile(server, 'https', `/${MAC}.cfg`, { userAgent: UA, headers: { 'if-none-match': String(again.headers.etag) } });
  t.equal(unchanged.status, 304);
  t.match(await config(), { state: 'in_sync', servedEtag: again.headers.etag }, 'a 304 keeps it in sync');
  const listed = (await api('GET', '/devices')).items as Array<{ mac: string; config?: unknown }>;
  t.equal(listed.find((d) => d.mac === MAC)?.config, undefined, 'lists leave it out (it takes a render per device)');
});
