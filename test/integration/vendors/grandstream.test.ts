import t from 'tap';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { cases } from '../../helpers/cases/grandstream.js';
import { office, readConfig, readPhonebook } from '../../helpers/office/grandstream.js';
import { fetchFile } from '../../helpers/phone.js';
import { startServer } from '../../helpers/server.js';

for (const c of cases) t.test(`${c.name} boot sequence`, (t) => replayBoot(t, c));

// The phonebook through the real server: the name the phone makes from P331, over HTTPS only.
t.test('GRP2614 phonebook: P331 + /phonebook.xml is served over HTTPS, a miss over HTTP', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const site = await server.ok('POST', '/sites', { name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com', transport: 'tls' } });
  await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Ann & <Co>', lastName: "O'Zed", username: 'ann', extension: '1001', phoneNumber: '+12125550100', device: { mac: office.boot.mac, model: office.boot.model } });
  await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Bob', lastName: 'Young', username: 'bob', extension: '1002' });
  const cfg = await fetchFile(server, 'https', `/cfg${office.boot.mac}.xml`, { userAgent: office.boot.userAgent });
  t.equal(cfg.status, 200);
  const url = readConfig(t, cfg.text, { family: 'grp', fixed: 4 }).directoryUrl ?? '';
  t.equal(url, `${PUBLIC_URL}${office.directoryFile}`, 'the URL the phone makes');
  const path = new URL(url).pathname;
  const book = await fetchFile(server, 'https', path, { userAgent: office.boot.userAgent });
  t.equal(book.status, 200, 'HTTPS: the phonebook');
  t.same(readPhonebook(t, book.text), [
    { name: "Ann & <Co> O'Zed", extension: '1001', phoneNumber: '+12125550100' },
    { name: 'Bob Young', extension: '1002' },
  ]);
  const plain = await fetchFile(server, 'http', path, { userAgent: office.boot.userAgent });
  t.equal(plain.status, 404, 'plain HTTP: a miss');
  t.same((await server.ok('GET', '/bans')).items, [], 'no ban');
  await server.stop();
});
