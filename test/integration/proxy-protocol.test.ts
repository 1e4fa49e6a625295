import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { Command, IPv6Address, IPv6ProxyAddress, TransportProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { makeCa, makeDevice, vendorSubject } from '../helpers/device-certs.js';
import { exampleConfig, freePort, haveNginx, haveStreamModule, startNginx } from '../helpers/nginx.js';
import { fetchFile, type FetchOptions } from '../helpers/phone.js';
import { logged, startServer, type Running } from '../helpers/server.js';

/**
 * TLS passed through a real nginx (`stream`, configs/nginx-dialtone-passthrough.conf) that
 * sends the PROXY protocol: the phone's factory certificate reaches Dialtone, and every rule sees
 * the phone's address though the TCP peer is nginx (127.0.0.1, the only trusted proxy).
 */
const MAC = '805ec0000b01';
const FILE = `/${MAC}.cfg`;

interface Event {
  protocol: string;
  variant?: string;
  address: string;
  file: string;
  status: number;
  reason?: string;
}

/** The example, for 127.0.0.1: both upstream servers are the one instance. */
const example = (t: Test, listen: number, dialtone: number): Promise<string> =>
  exampleConfig(t, 'nginx-dialtone-passthrough.conf', [
    [/^(\s*)server 10\.0\.1\.1[12]:8443 /gm, `$1server 127.0.0.1:${dialtone} `, 2],
    [/^(\s*)listen 8443;/gm, `$1listen 127.0.0.1:${listen};`, 1],
  ]);

/** Whether a connection from `from` to `port` is closed by the server before it answers `hello`. */
const closedUnanswered = (port: number, from: string, hello: Buffer): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => socket.write(hello));
    let answered = false;
    socket.on('data', () => (answered = true));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(!answered));
  });

/**
 * A relay of our own sending a PROXY v2 header (which nginx does not send) in the same write as
 * the client's first bytes, stating `client` as the source.
 */
async function v2Relay(t: Test, upstream: number, client: string): Promise<number> {
  const bytes = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  bytes[15] = Number(client.split(':').at(-1));
  const header = Buffer.from(new V2ProxyProtocol(Command.PROXY, TransportProtocol.STREAM, new IPv6ProxyAddress(IPv6Address.createFrom(bytes), 40000, IPv6Address.createFrom(bytes), 8443)).build());
  const relay = createServer((down: Socket) => {
    const up = connect(upstream, '127.0.0.1');
    down.once('data', (first: Buffer) => {
      up.write(Buffer.concat([header, first]));
      down.pipe(up).pipe(down);
    });
    // Dialtone's side closing ends the relayed connection, as a TCP relay's would.
    for (const s of [up, down]) s.on('error', () => down.destroy());
    up.on('close', () => down.destroy());
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => relay.close(() => r())));
  return (relay.address() as { port: number }).port;
}

t.test('TLS passed through nginx with the PROXY protocol', { skip: !(await haveNginx()) ? 'nginx not installed (Debian package nginx-light)' : !(await haveStreamModule()) ? 'nginx has no stream module (Debian package libnginx-mod-stream)' : false }, async (t) => {
  const dir = t.testdir();
  await mkdir(join(dir, 'certs', 'vendors'), { recursive: true });
  const ca = makeCa('yealink test device CA');
  await writeFile(join(dir, 'certs', 'vendors', 'yealink.pem'), ca.cert);
  const server = await startServer(t, dir, { DIALTONE_TRUSTED_PROXIES: '127.0.0.1/32', DIALTONE_PROXY_PROTOCOL: 'https,http' });
  const nginxDir = await mkdtemp(join(tmpdir(), 'dialtone-nginx-'));
  t.teardown(() => rm(nginxDir, { recursive: true, force: true }));
  const port = await freePort();
  const nginx = await startNginx({ dir: nginxDir, stream: await example(t, port, server.ports.https as number), ports: [port] });
  t.teardown(() => nginx.stop());

  const device = await server.ok('POST', '/devices', { mac: MAC, model: 'yealink-t54w', requireDeviceCertificate: true });
  const password = device.credentials.provisioning.password as string;
  const own = makeDevice(ca, vendorSubject('yealink', MAC));
  const relayed = { ...server, ports: { https: port } } as Running;
  const viaNginx = (from: string, path = FILE, opts: FetchOptions = {}) => fetchFile(relayed, 'https', path, { from, ...opts });
  const last = async (address: string): Promise<Event | undefined> => ((await server.ok('GET', `/devices/${MAC}/events`)) as Event[]).filter((e) => e.address === address).at(-1);

  await t.test('the phone\'s certificate and address reach Dialtone', async (t) => {
    const r = await viaNginx('127.0.0.2', FILE, { clientCert: own });
    t.equal(r.status, 200, 'its factory certificate opens its file');
    t.ok(r.text.includes(password));
    t.match(await last('127.0.0.2'), { protocol: 'https', reason: 'certificate' }, 'recorded at the phone\'s address');
    const without = await viaNginx('127.0.0.3');
    t.equal(without.status, 401, 'without the certificate: refused');
    t.match(await last('127.0.0.3'), { protocol: 'https', status: 401, reason: 'certificate_required' });
  });

  await t.test('a v2 header in the same packet as the ClientHello', async (t) => {
    const relay = await v2Relay(t, server.ports.https as number, '2001:db8::7');
    const r = await fetchFile({ ...server, ports: { https: relay } }, 'https', FILE, { clientCert: own });
    t.equal(r.status, 200);
    t.match(await last('2001:db8::7'), { protocol: 'https', reason: 'certificate' }, 'the IPv6 address the header states');
  });

  await t.test('the plain HTTP listener too: a v2 header in the same packet as the request', async (t) => {
    const relay = await v2Relay(t, server.ports.http as number, '2001:db8::8');
    const r = await fetchFile({ ...server, ports: { http: relay } }, 'http', FILE);
    t.equal(r.status, 200, 'the bootstrap file');
    t.notOk(r.text.includes(password));
    t.match(await last('2001:db8::8'), { protocol: 'http', variant: 'bootstrap' });
  });

  await t.test('a prober behind nginx is banned alone', async (t) => {
    for (let i = 0; i < 40; i++) await viaNginx('127.0.0.4', `/probe-${i}.cfg`);
    const bans = ((await server.ok('GET', '/bans')).items as Array<{ address: string }>).map((b) => b.address);
    t.same(bans, ['127.0.0.4'], 'the prober, not nginx');
    t.equal((await viaNginx('127.0.0.2', FILE, { clientCert: own })).status, 200, 'the phone behind the same nginx is still served');
  });

  await t.test('the listener takes nothing but the PROXY protocol from a trusted proxy', async (t) => {
    const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x03]);
    t.ok(await closedUnanswered(server.ports.https as number, '127.0.0.5', hello), 'a phone reaching Dialtone directly is closed on');
    t.ok(await closedUnanswered(server.ports.https as number, '127.0.0.5', Buffer.from('PROXY TCP4 127.0.0.2 127.0.0.1 40000 8443\r\n')), 'even with a header: it is no trusted proxy');
    t.ok(await closedUnanswered(server.ports.https as number, '127.0.0.1', hello), 'the proxy without a header is closed on');
    const closed = (peer: string, why: string) => (line: string) => line.includes('expects the PROXY protocol') && line.includes(`"peer":"${peer}"`) && line.includes(why);
    t.ok(await logged(server, closed('127.0.0.5', 'not a trusted proxy')), 'logged: a stranger');
    t.ok(await logged(server, closed('127.0.0.1', 'does not start with a PROXY protocol header')), 'logged: no header');
  });

  t.equal((await nginx.errorLog()).match(/\[(emerg|alert|crit)\]/)?.[0], undefined, 'nginx logged nothing serious');
  await server.stop();
});
