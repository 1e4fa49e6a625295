import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { copyFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../../../src/errors.js';
import { loadOrCreateTls } from '../../../src/tls/index.js';

const DAY = 86_400_000;
const GENERATED = ['dialtone-ca.crt', 'dialtone-ca.key', 'dialtone-server.crt', 'dialtone-server.key'];

/** loadOrCreateTls with a log that records messages and fields. */
async function load(certsDir: string, publicHost = 'pbx.example.com', now?: Date) {
  const logs: { msg: string; fields?: Record<string, unknown> }[] = [];
  const material = await loadOrCreateTls({ certsDir, publicHost, now, log: (msg, fields) => logs.push({ msg, fields }) });
  return { material, logs };
}

const read = (dir: string, name: string) => readFile(join(dir, name), 'utf8');

t.test('first start creates the CA and server pair, keys 0600', async (t) => {
  const dir = join(t.testdir(), 'certs'); // not there yet: created
  const { material, logs } = await load(dir);
  t.same((await readdir(dir)).sort(), GENERATED, 'exactly the four files, no temp files left');
  for (const key of ['dialtone-ca.key', 'dialtone-server.key']) {
    t.equal((await stat(join(dir, key))).mode & 0o777, 0o600, `${key} is 0600`);
  }
  t.equal(material.source, 'generated');
  t.equal(material.cert, await read(dir, 'dialtone-server.crt'));
  t.equal(material.key, await read(dir, 'dialtone-server.key'));
  t.equal(material.caCert, await read(dir, 'dialtone-ca.crt'));
  t.ok(logs.some((l) => l.msg.includes('created local CA')));
  t.ok(logs.some((l) => l.msg.includes('issued server certificate') && l.fields?.reason === 'first start'));
  t.notOk(JSON.stringify(logs).includes('PRIVATE KEY'), 'no key material in the log');
});

t.test('second start reuses everything byte for byte', async (t) => {
  const dir = t.testdir();
  const first = await load(dir);
  const before = await Promise.all(GENERATED.map((f) => read(dir, f)));
  const second = await load(dir);
  t.same(second.material, first.material);
  t.same(await Promise.all(GENERATED.map((f) => read(dir, f))), before);
  t.same(second.logs, [], 'nothing created, nothing to say');
});

t.test('certificate contents', async (t) => {
  const { material } = await load(t.testdir());
  const ca = new X509Certificate(material.caCert);
  const leaf = new X509Certificate(material.cert);

  t.equal(ca.ca, true);
  t.match(ca.subject, /^CN=Dialtone local CA [0-9a-f]{8}$/m);
  t.match(ca.subject, /^O=Dialtone$/m);
  t.ok(Date.parse(ca.validTo) - Date.now() > 9.9 * 365 * DAY, 'CA valid about 10 years');
  t.ok(Date.now() - Date.parse(ca.validFrom) >= 3_500_000, 'CA notBefore backdated an hour');
  t.ok(ca.verify(ca.publicKey), 'CA is self-signed');

  t.equal(leaf.ca, false);
  t.equal(leaf.subject, 'CN=pbx.example.com');
  t.equal(leaf.subjectAltName, 'DNS:pbx.example.com, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  t.same(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'extKeyUsage serverAuth');
  t.ok(leaf.verify(ca.publicKey), 'signed by the CA');
  t.ok(leaf.checkIssued(ca), 'issued by the CA');
  t.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 825 * DAY, 'valid 825 days');
  t.match(leaf.serialNumber, /^[0-7][0-9A-F]{31}$/i, '16 bytes, positive');
  t.ok(leaf.serialNumber !== ca.serialNumber);
});

t.test('IP literals as public host', async (t) => {
  const root = t.testdir(); // one testdir per test: sub-folders for each case
  const v4 = await load(join(root, 'v4'), '192.0.2.10');
  t.equal(
    new X509Certificate(v4.material.cert).subjectAltName,
    'IP Address:192.0.2.10, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  );
  const v6 = await load(join(root, 'v6'), '[2001:DB8::5]');
  t.equal(
    new X509Certificate(v6.material.cert).subjectAltName,
    'IP Address:2001:DB8:0:0:0:0:0:5, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
  );
  const mapped = await load(join(root, 'mapped'), '::ffff:10.0.0.1');
  t.ok(new X509Certificate(mapped.material.cert).checkIP('::ffff:10.0.0.1'), 'IPv4-mapped IPv6 encoded right');
  const loop = await load(join(root, 'loop'), '::1');
  t.equal(
    new X509Certificate(loop.material.cert).subjectAltName,
    'IP Address:0:0:0:0:0:0:0:1, DNS:localhost, IP Address:127.0.0.1',
    'duplicates dropped',
  );
});

t.test('a host name is normalised and checked', async (t) => {
  const root = t.testdir();
  const { material } = await load(join(root, 'a'), 'PBX.Example.COM.');
  t.equal(new X509Certificate(material.cert).subject, 'CN=pbx.example.com');
  await t.rejects(load(join(root, 'b'), 'bad host/name'), StartupError);
});

t.test('a new public host reissues the server certificate, keeps the CA', async (t) => {
  const dir = t.testdir();
  const first = await load(dir, 'old.example.com');
  const second = await load(dir, 'new.example.com');
  t.equal(second.material.caCert, first.material.caCert);
  t.not(second.material.key, first.material.key, 'new key');
  t.ok(new X509Certificate(second.material.cert).checkHost('new.example.com'));
  t.match(second.logs, [{ msg: /issued server certificate/, fields: { reason: 'does not name new.example.com' } }]);
});

t.test('a server certificate near expiry is reissued', async (t) => {
  const dir = t.testdir();
  const first = await load(dir);
  const later = new Date(Date.now() + 800 * DAY);
  const second = await load(dir, 'pbx.example.com', later);
  t.equal(second.material.caCert, first.material.caCert);
  t.not(second.material.cert, first.material.cert);
  t.match(second.logs, [{ fields: { reason: /^expires / } }]);
  t.ok(Date.parse(new X509Certificate(second.material.cert).validTo) > later.getTime() + 800 * DAY);
  const third = await load(dir, 'pbx.example.com', later);
  t.equal(third.material.cert, second.material.cert, 'and then reused');
});

t.test('a broken generated server pair is reissued', async (t) => {
  const dir = t.testdir();
  const first = await load(dir);

  await copyFile(join(dir, 'dialtone-ca.key'), join(dir, 'dialtone-server.key'));
  const mismatched = await load(dir);
  t.match(mismatched.logs, [{ fields: { reason: 'the key does not match the certificate' } }]);
  t.not(mismatched.material.cert, first.material.cert);

  await writeFile(join(dir, 'dialtone-server.crt'), 'garbage');
  t.match((await load(dir)).logs, [{ fields: { reason: /dialtone-server\.crt is not a valid PEM/ } }]);

  await rm(join(dir, 'dialtone-server.key'));
  t.match((await load(dir)).logs, [{ fields: { reason: 'dialtone-server.key is missing' } }]);
  t.equal((await stat(join(dir, 'dialtone-server.key'))).mode & 0o777, 0o600);
});

t.test('a server certificate from another CA is reissued', async (t) => {
  const dir = t.testdir();
  const first = await load(dir);
  await rm(join(dir, 'dialtone-ca.crt'));
  await rm(join(dir, 'dialtone-ca.key'));
  const second = await load(dir);
  t.not(second.material.caCert, first.material.caCert, 'a new CA');
  t.match(second.logs, [{ msg: /created local CA/ }, { fields: { reason: 'not signed by the current CA' } }]);
  t.ok(new X509Certificate(second.material.cert).verify(new X509Certificate(second.material.caCert).publicKey));
});

t.test('half-present or unreadable CA stops start-up', async (t) => {
  const root = t.testdir();
  for (const [missing, other] of [
    ['dialtone-ca.key', 'dialtone-ca.crt'],
    ['dialtone-ca.crt', 'dialtone-ca.key'],
  ] as const) {
    const dir = join(root, missing);
    await load(dir);
    const kept = await read(dir, other);
    await rm(join(dir, missing));
    await t.rejects(load(dir), { name: 'StartupError', message: new RegExp(`${missing} is missing`) }, `${missing} missing`);
    t.equal(await read(dir, other), kept, 'the remaining CA file is untouched');
  }

  const dir = join(root, 'garbage-cert');
  await load(dir);
  await writeFile(join(dir, 'dialtone-ca.crt'), '-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n');
  await t.rejects(load(dir), { name: 'StartupError', message: /dialtone-ca\.crt is not a valid PEM certificate/ });
  await writeFile(join(dir, 'dialtone-ca.crt'), await read(dir, 'dialtone-server.crt'));
  await t.rejects(load(dir), { name: 'StartupError', message: /dialtone-ca\.key does not match .*dialtone-ca\.crt/ });

  const garbageKey = join(root, 'garbage-key');
  await load(garbageKey);
  await writeFile(join(garbageKey, 'dialtone-ca.key'), 'garbage');
  await t.rejects(load(garbageKey), { name: 'StartupError', message: /dialtone-ca\.key is not a valid/ });
});

t.test('operator material', async (t) => {
  // Two independent generated pairs stand in for certificates an operator brings.
  const root = t.testdir();
  const a = join(root, 'a');
  const b = join(root, 'b');
  await load(a, 'operator.example.com');
  await load(b, 'operator.example.com');

  t.test('wins over the generated pair', async (t) => {
    const dir = t.testdir();
    await copyFile(join(a, 'dialtone-server.crt'), join(dir, 'server.crt'));
    await copyFile(join(a, 'dialtone-server.key'), join(dir, 'server.key'));
    const { material, logs } = await load(dir, 'pbx.example.com');
    t.equal(material.source, 'operator');
    t.equal(material.cert, await read(a, 'dialtone-server.crt'));
    t.equal(material.key, await read(a, 'dialtone-server.key'));
    t.equal(material.caCert, await read(dir, 'dialtone-ca.crt'), 'the Dialtone CA is still created');
    t.same((await readdir(dir)).sort(), ['dialtone-ca.crt', 'dialtone-ca.key', 'server.crt', 'server.key']);
    t.ok(logs.some((l) => /does not name the public host/.test(l.msg)), 'warned about the host');
    t.ok(logs.some((l) => /created local CA/.test(l.msg)));
    t.notOk(logs.some((l) => /issued server certificate/.test(l.msg)));
  });

  t.test('a mismatched pair names both files', async (t) => {
    const dir = t.testdir();
    await copyFile(join(a, 'dialtone-server.crt'), join(dir, 'server.crt'));
    await copyFile(join(b, 'dialtone-server.key'), join(dir, 'server.key'));
    const err = await load(dir).then(
      () => null,
      (e: unknown) => e,
    );
    t.type(err, StartupError);
    t.match((err as Error).message, /server\.key does not match the certificate in .*server\.crt/);
    t.same(await readdir(dir), ['server.crt', 'server.key'], 'nothing written');
  });

  t.test('only one of the two names the missing one', async (t) => {
    const dir = t.testdir();
    await copyFile(join(a, 'dialtone-server.key'), join(dir, 'server.key'));
    await t.rejects(load(dir), { name: 'StartupError', message: /server\.crt is missing/ });
    await rm(join(dir, 'server.key'));
    await copyFile(join(a, 'dialtone-server.crt'), join(dir, 'server.crt'));
    await t.rejects(load(dir), { name: 'StartupError', message: /server\.key is missing/ });
  });

  t.test('garbage PEM names the file', async (t) => {
    const dir = t.testdir({ 'server.crt': 'garbage', 'server.key': 'garbage' });
    await t.rejects(load(dir), { name: 'StartupError', message: /server\.crt is not a valid PEM certificate/ });
  });
});

t.test('clock edge cases', async (t) => {
  const root = t.testdir();
  const dir = join(root, 'certs');
  const first = await load(dir);
  const earlier = await load(dir, 'pbx.example.com', new Date(Date.now() - 2 * 3_600_000));
  t.match(earlier.logs, [{ fields: { reason: /^not valid before / } }], 'a certificate from the future is reissued');
  t.equal(earlier.material.caCert, first.material.caCert);

  const nearCaEnd = await load(dir, 'pbx.example.com', new Date(Date.now() + (3652 - 10) * DAY));
  t.ok(nearCaEnd.logs.some((l) => /local CA expires soon/.test(l.msg)), 'warns about the CA');
  const leaf = new X509Certificate(nearCaEnd.material.cert);
  const ca = new X509Certificate(nearCaEnd.material.caCert);
  t.ok(Date.parse(leaf.validTo) <= Date.parse(ca.validTo), 'never outlives its CA');
});

t.test('file system problems stop start-up', async (t) => {
  const root = t.testdir({ 'a-file': 'x', 'ca-is-dir': { 'dialtone-ca.crt': {} } });
  await t.rejects(load(join(root, 'a-file')), { name: 'StartupError', message: /cannot create .*a-file/ });
  await t.rejects(load(join(root, 'ca-is-dir')), { name: 'StartupError', message: /cannot read .*dialtone-ca\.crt/ });
});

t.test('a CA slot holding a leaf certificate stops start-up', async (t) => {
  const dir = t.testdir();
  await load(dir);
  await copyFile(join(dir, 'dialtone-server.crt'), join(dir, 'dialtone-ca.crt'));
  await copyFile(join(dir, 'dialtone-server.key'), join(dir, 'dialtone-ca.key'));
  await t.rejects(load(dir), { name: 'StartupError', message: /dialtone-ca\.crt is not a CA certificate/ });
});

t.test('an expiring operator certificate is used, with a warning', async (t) => {
  const root = t.testdir();
  const a = join(root, 'a');
  const dir = join(root, 'operator');
  await load(a);
  await load(dir); // the folder and a CA
  await copyFile(join(a, 'dialtone-server.crt'), join(dir, 'server.crt'));
  await copyFile(join(a, 'dialtone-server.key'), join(dir, 'server.key'));
  const { material, logs } = await load(dir, 'pbx.example.com', new Date(Date.now() + 820 * DAY));
  t.equal(material.source, 'operator');
  t.ok(logs.some((l) => /operator certificate expires soon/.test(l.msg)));
});
