import t from 'tap';
import { PUBLIC_URL, replayBoot } from '../../helpers/boot.js';
import { cases } from '../../helpers/cases/fanvil.js';
import { office } from '../../helpers/office/fanvil.js';
import { fetchFile } from '../../helpers/phone.js';
import { startServer } from '../../helpers/server.js';
for (const c of cases) t.test(`${c.name} boot sequence`, (t) => replayBoot(t, c));

// An older model whose common file has the `f0<model>hw1.100` spelling [W-FV-X], UA verbatim [W-FV].
const [v65] = cases;
if (v65) {
  t.test('Fanvil X4 boot sequence', (t) =>
    replayBoot(t, {
      ...v65,
      name: 'Fanvil X4',
      model: 'fanvil-x4',
      mac: '0c383e07e16c',
      userAgent: 'Fanvil X4 2.10.2.6887 0c383e07e16c',
      boot: ['f0X4hw1.100.cfg', '0c383e07e16c.cfg'],
      routine: [],
      deviceFiles: ['0c383e07e16c.cfg'],
    }),
  );
}

// The phonebook as the real server serves it: the device file points at it, it lists the site's
// people, and only a confidential channel gets it. (Lines 2..N, keys and settings come through the
// admin API with issue 14's routes; the unit test renders them, `replayOffice` will replay them.)
t.test('Fanvil X5U phonebook through the real server', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const api = server.ok;
  const c = office.boot;
  const site = await api('POST', '/sites', { name: 'Main', timeZone: 'America/New_York', sip: { registrar: 'sip.example.com', transport: 'udp' }, voicemailNumber: '*97' });
  const person = (username: string, firstName: string, lastName: string, extension: string, extra: object = {}) => api('POST', '/employees', { siteId: site.id, firstName, lastName, username, extension, ...extra });
  await person('bob', 'Bob', 'Young', '1002', { phoneNumber: '+1 212 736 5000' });
  await person('cy', 'Cy & <Co>', "O'Neil \"Jr\"", '1003');
  await person('ann', 'Ann', 'Zed', '1001', { device: { mac: c.mac, model: c.model } });

  const plain = await fetchFile(server, 'http', `/${office.directoryFile}`, { userAgent: c.userAgent });
  t.equal(plain.status, 404, 'the phonebook names people: never over plain HTTP');
  const cfg = await fetchFile(server, 'https', `/${c.deviceFiles[0]}`, { userAgent: c.userAgent });
  t.equal(cfg.status, 200);
  const facts = office.read(t, { [c.deviceFiles[0] as string]: cfg.text });
  t.same(facts.lines.map((l) => [l.index, l.user, l.label]), [[1, 'ann', '1001']]);
  t.same(facts.keys, [{ type: 'line', value: '1', label: '1001' }], 'the line key, labelled');
  t.equal(facts.directoryUrl, `${PUBLIC_URL}${office.directoryFile}`, 'the device file points at the phonebook');
  const book = await fetchFile(server, 'https', `/${office.directoryFile}`, { userAgent: c.userAgent });
  t.equal(book.status, 200);
  t.same(office.readDirectory(t, book.text), [
    { name: 'Cy & <Co> O\'Neil "Jr"', extension: '1003' },
    { name: 'Bob Young', extension: '1002', phoneNumber: '+12127365000' },
    { name: 'Ann Zed', extension: '1001' },
  ], 'by last name, names intact');
  t.same((await api('GET', '/bans')).items, [], 'no ban');
  await server.stop();
});
