/**
 * The TLS policy of every HTTPS listener of the real server (admin and provisioning): TLS 1.2
 * only with ECDHE and AEAD suites, TLS 1.3 as Node ships it, and an operator setting that adds
 * suites for old phones without removing or outranking ours. Checked with openssl s_client
 * (skipped, naming it, when missing) and with node:tls.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type ConnectionOptions } from 'node:tls';
import t from 'tap';
import { startServer, type Running } from '../helpers/server.js';
import { onPath } from '../helpers/tftp.js';

const openssl = onPath('openssl');

interface Handshake {
  /** The suite agreed, or null when there was no session. */
  cipher: string | null;
  output: string;
}

/** One `openssl s_client` handshake with these options; input closed so it exits at once. */
async function sClient(port: number, args: string[]): Promise<Handshake> {
  const child = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args]);
  child.stdin.end();
  const kill = setTimeout(() => child.kill('SIGKILL'), 10_000); // a hung client fails the test, not the run
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(kill);
  // "New, SSLv3, Cipher is AES128-SHA": the version there is the suite's, not the one negotiated
  // (the version is what -tls1_2 / -tls1_3 allowed; TLS 1.3 suites are named TLS_*).
  const cipher = /^New, .*, Cipher is (\S+)$/m.exec(output)?.[1];
  const ok = code === 0 && cipher !== undefined && cipher !== '(NONE)';
  return { cipher: ok ? cipher : null, output };
}

/** The suite node:tls agrees with these client options, or the handshake error. */
async function nodeHandshake(server: Running, port: number, opts: ConnectionOptions): Promise<{ cipher?: string; protocol?: string; error?: string }> {
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: server.ca, ...opts });
  try {
    await once(socket, 'secureConnect');
    return { cipher: socket.getCipher().standardName, protocol: socket.getProtocol() ?? undefined };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    socket.destroy();
  }
}

const server = await startServer(t, t.testdir());
const listeners = { admin: server.ports.admin!, provisioning: server.ports.https! };

t.test('openssl s_client: only ECDHE with AEAD on TLS 1.2, TLS 1.3 kept', { skip: openssl ? false : 'openssl not installed' }, async (t) => {
  for (const [name, port] of Object.entries(listeners)) {
    const refused = async (cipher: string) => {
      const h = await sClient(port, ['-tls1_2', '-cipher', cipher]);
      t.equal(h.cipher, null, `${name}: TLS 1.2 ${cipher} refused`, { output: h.cipher ? h.output : undefined });
    };
    await refused('AES128-SHA'); // RSA key exchange (no forward secrecy), CBC, SHA-1
    await refused('AES256-GCM-SHA384'); // AEAD but RSA key exchange
    await refused('ECDHE-RSA-AES128-SHA'); // forward secrecy but CBC with SHA-1
    await refused('ECDHE-RSA-AES256-SHA384'); // CBC
    await refused('DHE-RSA-AES128-GCM-SHA256'); // finite-field DHE
    for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-RSA-CHACHA20-POLY1305']) {
      const h = await sClient(port, ['-tls1_2', '-cipher', cipher]);
      t.equal(h.cipher, cipher, `${name}: TLS 1.2 ${cipher} accepted`, { output: h.cipher ? undefined : h.output });
    }
    const all = await sClient(port, ['-tls1_2', '-cipher', 'ALL']);
    t.equal(all.cipher, 'ECDHE-RSA-AES128-GCM-SHA256', `${name}: offered everything, the server picks by its own order`);
    const v13 = await sClient(port, ['-tls1_3']);
    t.match(v13.cipher, /^TLS_/, `${name}: TLS 1.3 accepted (${v13.cipher})`, { output: v13.cipher ? undefined : v13.output });
  }
});

t.test('node:tls sees the same policy', async (t) => {
  for (const [name, port] of Object.entries(listeners)) {
    t.ok((await nodeHandshake(server, port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' })).error, `${name}: AES128-SHA refused`);
    t.ok((await nodeHandshake(server, port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' })).error, `${name}: ECDHE-RSA-AES128-SHA refused`);
    t.same(await nodeHandshake(server, port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }), { cipher: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2' }, `${name}: ECDHE-RSA-AES128-GCM-SHA256 accepted`);
    t.equal((await nodeHandshake(server, port, {})).protocol, 'TLSv1.3', `${name}: TLS 1.3 by default`);
  }
});

t.test('tlsExtraCiphers widens TLS 1.2 for old phones, after our own suites', async (t) => {
  const widened = await startServer(t, t.testdir(), { DIALTONE_TLS_EXTRA_CIPHERS: 'AES128-SHA,AES256-SHA' });
  for (const [name, port] of Object.entries({ admin: widened.ports.admin!, provisioning: widened.ports.https! })) {
    t.same(await nodeHandshake(widened, port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' }), { cipher: 'TLS_RSA_WITH_AES_128_CBC_SHA', protocol: 'TLSv1.2' }, `${name}: AES128-SHA now accepted`);
    t.ok((await nodeHandshake(widened, port, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' })).error, `${name}: a suite not added stays refused`);
    const both = await nodeHandshake(widened, port, { maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256' });
    t.equal(both.cipher, 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', `${name}: a client that knows both gets ours`);
    t.equal((await nodeHandshake(widened, port, {})).protocol, 'TLSv1.3', `${name}: TLS 1.3 unchanged`);
  }
});
