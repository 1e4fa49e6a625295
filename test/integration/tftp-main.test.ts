import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { haveCurl } from '../helpers/phone.js';
import { startServer } from '../helpers/server.js';

const run = promisify(execFile);

async function phoneAt(t: Test, extra: Record<string, string>) {
  const server = await startServer(t, t.testdir(), { DIALTONE_TFTP_LISTEN: '127.0.0.1:0', ...extra });
  t.ok((server.ports.tftp ?? 0) > 0, 'the tftp listener says where it is');
  const site = await server.api('POST', '/sites', { body: { name: 'HQ', timeZone: 'UTC', sip: { registrar: 'sip.example.com' } } });
  const emp = await server.api('POST', '/employees', {
    body: { siteId: site.json.id, firstName: 'A', lastName: 'B', username: 'ab', extension: '100', device: { mac: '805ec0000042', model: 'yealink-t46s' } },
  });
  const get = (file: string) => run('curl', ['--silent', '--show-error', `tftp://127.0.0.1:${server.ports.tftp}/${file}`]).then((r) => ({ ok: true, text: r.stdout, code: 0 }), (e: { code: number; stderr: string }) => ({ ok: false, text: e.stderr, code: e.code }));
  return { server, password: emp.json.device.credentials.password as string, get };
}

t.test('the real server provisions over TFTP through the same policy', async (t) => {
  if (!(await haveCurl())) return t.skip('curl not installed: it is the TFTP client here', async () => {});
  const plain = await phoneAt(t, {});
  const boot = await plain.get('805ec0000042.cfg');
  t.ok(boot.ok, 'a known phone gets a file');
  t.match(boot.text, /static\.auto_provision\.server\.url = https:\/\/localhost:8443\//, 'the bootstrap, pointing at HTTPS');
  t.notOk(boot.text.includes(plain.password), 'no secret over plain TFTP');
  const stranger = await plain.get('805ec0ffffff.cfg');
  t.equal(stranger.text.replaceAll('805EC0FFFFFF', '<MAC>'), boot.text.replaceAll('805EC0000042', '<MAC>'), 'a MAC nobody registered gets the same bootstrap: TFTP tells no one which MACs exist');
  const miss = await plain.get('SEP001122334455.cnf.xml');
  t.notOk(miss.ok, 'a name Dialtone does not serve gets an error');
  t.equal(miss.code, 68, 'curl exit 68: TFTP error 1, file not found');
  const events = (await plain.server.api('GET', '/devices/805ec0000042/events')).json as Array<{ protocol: string; variant?: string }>;
  t.ok(events.some((e) => e.protocol === 'tftp' && e.variant === 'bootstrap'), 'the transfer is in the timeline');
  t.equal(await plain.server.stop(), 0, 'SIGTERM closes the tftp listener too');

  const trusted = await phoneAt(t, { DIALTONE_TRUSTED_NETWORKS: '127.0.0.0/8' });
  const full = await trusted.get('805ec0000042.cfg');
  t.ok(full.text.includes(`account.1.password = ${trusted.password}`), 'inside a trusted network, the full file');
  await trusted.server.stop();
});
