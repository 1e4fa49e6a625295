import t from 'tap';
import { PUBLIC_URL } from '../../helpers/boot.js';
import { replayOffice } from '../../helpers/office.js';
import { office } from '../../helpers/office/cisco.js';
import { fetchFile } from '../../helpers/phone.js';
import { startServer } from '../../helpers/server.js';

t.test(`${office.boot.name} in an office: three lines, keys, the directory, raw settings by scope`, (t) => replayOffice(t, office));

t.test('a directory longer than one object: the phone pages through it by the soft keys’ URLs', async (t) => {
  const server = await startServer(t, t.testdir(), { DIALTONE_PUBLIC_URL: PUBLIC_URL });
  const site = await server.ok('POST', '/sites', { name: 'Main', timeZone: 'Europe/London', sip: { registrar: 'sip.example.com' } });
  const ids: string[] = [];
  for (let i = 0; i < 70; i++) ids.push((await server.ok('POST', '/employees', { siteId: site.id, firstName: 'Person', lastName: String(i).padStart(2, '0'), username: `p${i}`, extension: String(3000 + i) })).id);
  const { mac, model, userAgent } = office.boot;
  await server.ok('POST', '/devices', { mac, model, employeeId: ids[0] });
  const seen: string[] = [];
  let next: string | undefined = new URL(office.directoryFile, PUBLIC_URL).href;
  for (let pages = 0; next && pages < 10; pages++) {
    const r = await fetchFile(server, 'https', new URL(next).pathname, { userAgent });
    t.equal(r.status, 200, `${next}: served`);
    seen.push(...office.readDirectory(t, r.text).map((e) => e.extension));
    next = /<Name>Next<\/Name>\s*<URL>([^<]+)<\/URL>/.exec(r.text)?.[1];
    if (next) t.ok(next.startsWith(PUBLIC_URL), 'the next page on the provisioning server');
  }
  t.same(seen, ids.map((_, i) => String(3000 + i)), 'every person once, in order, over three pages');
  const past = await fetchFile(server, 'https', `/${office.directoryFile.replace('-1.xml', '-4.xml')}`, { userAgent });
  t.equal(past.status, 404, 'past the last page: a miss');
  t.same((await server.ok('GET', '/bans')).items, []);
  await server.stop();
});
