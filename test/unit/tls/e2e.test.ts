import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, constants } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { connect } from 'node:tls';
import { loadOrCreateTls } from '../../../src/tls/index.js';

/** The first executable `name` on PATH, or null. */
async function onPath(name: string): Promise<string | null> {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    const file = join(folder, name);
    if (await access(file, constants.X_OK).then(() => true, () => false)) return file;
  }
  return null;
}

// Everything a test needs is settled before the first t.test, so no test is added after the
// others have finished.
const openssl = await onPath('openssl');

const dir = t.testdir();
const material = await loadOrCreateTls({ certsDir: dir, publicHost: 'pbx.example.com' });
const server = createServer({ key: material.key, cert: material.cert }, (_req, res) => res.end('ok'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
t.teardown(() => server.close());

/** Whether a TLS client that trusts only the Dialtone CA accepts the server. */
async function authorized(opts: { servername?: string }): Promise<{ authorized: boolean; error?: Error }> {
  const socket = connect({ host: '127.0.0.1', port, ca: material.caCert, ...opts });
  await once(socket, 'secureConnect');
  const result = { authorized: socket.authorized, error: socket.authorizationError };
  socket.end();
  return result;
}

t.test('node:tls trusts the server through the CA', async (t) => {
  t.same(await authorized({ servername: 'localhost' }), { authorized: true, error: null });
  t.same(await authorized({}), { authorized: true, error: null }, 'by IP 127.0.0.1');
  t.same(await authorized({ servername: 'pbx.example.com' }), { authorized: true, error: null });
  // The check can fail: a name that is not in the certificate is refused.
  await t.rejects(authorized({ servername: 'other.example.com' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

t.test('openssl s_client verifies the chain', { skip: openssl ? false : 'openssl not installed' }, async (t) => {
  if (!openssl) return;
  const caFile = join(dir, 'dialtone-ca.crt');
  const child = spawn(openssl, [
    's_client',
    '-connect', `127.0.0.1:${port}`,
    '-servername', 'localhost',
    '-CAfile', caFile,
    '-verify_return_error',
    '-verify_ip', '127.0.0.1',
  ]);
  child.stdin.end(); // s_client exits once its input ends
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  t.equal(code, 0, 's_client exits 0', { diagnostic: code !== 0, output: out });
  t.match(out, /Verify return code: 0 \(ok\)/);
});
