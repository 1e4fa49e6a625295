import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { loadSettings, publicUrlOf, type Settings } from '../../src/config.js';
import { StartupError } from '../../src/errors.js';

const DEFAULTS = fileURLToPath(new URL('../../configs/default.json', import.meta.url));
const CWD = '/srv/dialtone';

const load = (env: Record<string, string | undefined>, cwd = CWD): Settings => loadSettings({ defaultsFile: DEFAULTS, env, cwd });

/** `fn` throws a StartupError whose message contains every fragment; returns the message. */
function refuses(t: Test, fn: () => unknown, fragments: string[], name: string): string {
  try {
    const got = fn();
    t.fail(`${name}: accepted`, { found: got });
    return '';
  } catch (err) {
    t.ok(err instanceof StartupError, `${name}: throws a StartupError`);
    if (!(err instanceof Error)) throw err;
    t.equal(err.name, 'StartupError', `${name}: name`);
    for (const f of fragments) t.ok(err.message.includes(f), `${name}: message names ${JSON.stringify(f)}`, { found: err.message });
    return err.message;
  }
}

/** Writes `text` to `name` in a fresh test folder; returns the folder. */
function folderWith(t: Test, files: Record<string, string>): string {
  return t.testdir(files);
}

t.test('defaults come from configs/default.json', async (t) => {
  const s = load({});
  t.same(s, {
    store: 'json',
    workers: 1,
    dataDir: '/srv/dialtone/data',
    certsDir: '/srv/dialtone/certs',
    adminListen: { host: '127.0.0.1', port: 9443 },
    httpsListen: { host: '0.0.0.0', port: 8443 },
    httpListen: { host: '0.0.0.0', port: 8080 },
    tftpListen: { host: '0.0.0.0', port: 6969 },
    enrollmentSeconds: 86400,
    digestNonceSeconds: 300,
    sessionHours: 8,
    trustedNetworks: [],
    trustedProxies: [],
    proxyProtocol: [],
    logLevel: 'info',
    logFormat: 'json',
    tftpMaxBlockSize: 1468,
    tftpMaxTransfers: 256,
    tftpMaxPerAddress: 32,
    tlsExtraCiphers: [],
    resyncSender: 'direct',
    resyncSipPort: 5060,
    resyncConfirmSeconds: 300,
    resyncSiteGapMs: 1000,
    resyncConcurrency: 8,
    resyncAmiEndpoint: 'authName',
    mailFrom: 'Dialtone <dialtone@localhost>',
    mailRetryMs: 30000,
    usernameCompany: '',
    usernamePattern: '{company}{f}{last}',
    auditDays: 400,
  });
  t.strictSame(s.trustedNetworks, []);
  t.equal(s.publicUrl, undefined);
  t.equal(s.adminToken, undefined);
  t.equal(s.secretKeyFile, undefined);
  t.equal(load({}, '/other').dataDir, '/other/data', 'dataDir resolves against cwd');
  t.equal(load({ DIALTONE_DATA_DIR: '/abs/data' }).dataDir, '/abs/data', 'an absolute dataDir stays as is');
  t.equal(load({ DIALTONE_CERTS_DIR: 'c' }).certsDir, '/srv/dialtone/c');
  t.equal(load({ DIALTONE_SECRET_KEY_FILE: 'keys/k' }).secretKeyFile, '/srv/dialtone/keys/k');
  t.equal(load({ DIALTONE_STORE: 'memory' }).store, 'memory');
  refuses(t, () => load({ DIALTONE_STORE: 'sqlite' }), ['DIALTONE_STORE'], 'store sqlite');
  t.same(load({ PATH: '/bin', HOME: '/root', DIALTONEX: 'y', dialtone_admin_listen: 'x' }), load({}), 'other variables are ignored');
});

t.test('precedence: defaults < DIALTONE_CONFIG file < DIALTONE_* variable', async (t) => {
  const dir = folderWith(t, {
    'site.json': JSON.stringify({ adminListen: '10.1.1.1:1000', logLevel: 'debug', enrollmentSeconds: 60, dataDir: 'var/data' }),
  });
  const fromFile = load({ DIALTONE_CONFIG: 'site.json' }, dir);
  t.same(fromFile.adminListen, { host: '10.1.1.1', port: 1000 }, 'file beats default');
  t.equal(fromFile.logLevel, 'debug');
  t.equal(fromFile.enrollmentSeconds, 60);
  t.equal(fromFile.dataDir, join(dir, 'var/data'), 'relative path from the file resolves against cwd');
  t.same(fromFile.httpsListen, { host: '0.0.0.0', port: 8443 }, 'keys not in the file keep their default');

  const both = load({ DIALTONE_CONFIG: 'site.json', DIALTONE_ADMIN_LISTEN: '10.2.2.2:2000', DIALTONE_LOG_LEVEL: 'warn' }, dir);
  t.same(both.adminListen, { host: '10.2.2.2', port: 2000 }, 'variable beats file');
  t.equal(both.logLevel, 'warn');
  t.equal(both.enrollmentSeconds, 60, 'file value stays where no variable is set');

  t.same(load({ DIALTONE_CONFIG: join(dir, 'site.json') }, '/elsewhere').adminListen, { host: '10.1.1.1', port: 1000 }, 'absolute DIALTONE_CONFIG');
  t.same(load({ DIALTONE_CONFIG: '' }).adminListen, { host: '127.0.0.1', port: 9443 }, 'empty DIALTONE_CONFIG reads no file');
});

t.test('listen values', async (t) => {
  const listen = (v: string) => load({ DIALTONE_ADMIN_LISTEN: v }).adminListen;
  t.same(listen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 }, 'port 0');
  t.same(listen('0.0.0.0:65535'), { host: '0.0.0.0', port: 65535 });
  t.same(listen('[::1]:9443'), { host: '::1', port: 9443 }, 'bracketed IPv6');
  t.same(listen('[::]:80'), { host: '::', port: 80 });
  t.same(listen('localhost:8080'), { host: 'localhost', port: 8080 });
  t.equal(listen('off'), 'off');
  for (const [name, key] of [
    ['DIALTONE_HTTPS_LISTEN', 'httpsListen'],
    ['DIALTONE_HTTP_LISTEN', 'httpListen'],
    ['DIALTONE_TFTP_LISTEN', 'tftpListen'],
  ] as const) {
    t.equal(load({ [name]: 'off' })[key], 'off', `${name}=off`);
    t.same(load({ [name]: '127.0.0.1:0' })[key], { host: '127.0.0.1', port: 0 });
  }

  for (const bad of ['9443', 'host:70000', '::1:9443', 'nonsense', ':9443', 'host:', 'host:-1', 'host:123456', 'OFF', '[::1]9443', 'a:b']) {
    refuses(t, () => listen(bad), ['DIALTONE_ADMIN_LISTEN', `"${bad}"`], `listen ${JSON.stringify(bad)}`);
  }
  refuses(t, () => load({ DIALTONE_HTTPS_LISTEN: '8443' }), ['DIALTONE_HTTPS_LISTEN:'], 'https listen names its own variable');

  // An empty variable counts as unset: the default (or the file's value) applies.
  t.same(listen(''), { host: '127.0.0.1', port: 9443 }, 'empty variable: default');
  const dir = folderWith(t, { 'c.json': JSON.stringify({ adminListen: '10.0.0.1:1' }) });
  t.same(load({ DIALTONE_CONFIG: 'c.json', DIALTONE_ADMIN_LISTEN: '' }, dir).adminListen, { host: '10.0.0.1', port: 1 }, 'empty variable: file value');
  // In a file, an empty string is a value, and a wrong one.
  const dir2 = folderWith(t, { 'c.json': JSON.stringify({ adminListen: '' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir2), ['adminListen in c.json'], 'empty listen in a file');
  const dir3 = folderWith(t, { 'c.json': JSON.stringify({ httpListen: 8080 }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir3), ['httpListen in c.json'], 'listen as a number in a file');
});

t.test('enrollmentSeconds', async (t) => {
  t.equal(load({ DIALTONE_ENROLLMENT_SECONDS: '3600' }).enrollmentSeconds, 3600);
  t.equal(load({ DIALTONE_ENROLLMENT_SECONDS: '0' }).enrollmentSeconds, 0);
  t.equal(load({ DIALTONE_ENROLLMENT_SECONDS: String(365 * 86400) }).enrollmentSeconds, 365 * 86400, 'one year is the maximum');
  for (const bad of ['abc', '-1', '1.5', String(365 * 86400 + 1), '12s']) {
    refuses(t, () => load({ DIALTONE_ENROLLMENT_SECONDS: bad }), ['DIALTONE_ENROLLMENT_SECONDS:'], `enrollment ${JSON.stringify(bad)}`);
  }
  const dir = folderWith(t, { 'c.json': JSON.stringify({ enrollmentSeconds: 'abc' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['enrollmentSeconds in c.json'], 'enrollment abc in a file');
});

t.test('enrollmentSeconds: values that are not numbers are not zero', async (t) => {
  refuses(t, () => load({ DIALTONE_ENROLLMENT_SECONDS: ' ' }), ['DIALTONE_ENROLLMENT_SECONDS'], 'blank variable');
  for (const v of [null, true, '', []]) {
    const dir = folderWith(t, { 'c.json': JSON.stringify({ enrollmentSeconds: v }) });
    refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['enrollmentSeconds in c.json'], `enrollmentSeconds ${JSON.stringify(v)} in a file`);
  }
});

t.test('trustedNetworks', async (t) => {
  t.same(load({ DIALTONE_TRUSTED_NETWORKS: '10.0.0.0/8, 192.168.1.0/24,::1/128' }).trustedNetworks, ['10.0.0.0/8', '192.168.1.0/24', '::1/128']);
  t.same(load({ DIALTONE_TRUSTED_NETWORKS: '10.1.2.3' }).trustedNetworks, ['10.1.2.3'], 'a bare address');
  t.same(load({ DIALTONE_TRUSTED_NETWORKS: 'fd00::/8,0.0.0.0/0' }).trustedNetworks, ['fd00::/8', '0.0.0.0/0']);
  for (const bad of ['10.0.0.0/33', 'banana', '10.0.0.0/', '10.0.0.0/8/8', '::1/129', '10.0.0.256/8', '10.0.0.0/08x']) {
    refuses(t, () => load({ DIALTONE_TRUSTED_NETWORKS: `192.168.1.0/24,${bad}` }), ['DIALTONE_TRUSTED_NETWORKS:'], `trusted ${bad}`);
  }
  const dir = folderWith(t, { 'c.json': JSON.stringify({ trustedNetworks: ['10.0.0.0/8', 'banana'] }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['trustedNetworks in c.json'], 'bad CIDR in a file');
  const dir2 = folderWith(t, { 'c.json': JSON.stringify({ trustedNetworks: '10.0.0.0/8' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir2), ['trustedNetworks in c.json'], 'a string instead of an array in a file');
  const dir3 = folderWith(t, { 'c.json': JSON.stringify({ trustedNetworks: ['10.0.0.0/8'] }) });
  t.same(load({ DIALTONE_CONFIG: 'c.json' }, dir3).trustedNetworks, ['10.0.0.0/8'], 'an array in a file');
});

t.test('trustedProxies', async (t) => {
  t.same(load({ DIALTONE_TRUSTED_PROXIES: '10.0.0.0/24, 2001:db8::/64,192.0.2.7' }).trustedProxies, ['10.0.0.0/24', '2001:db8::/64', '192.0.2.7'], 'IPv4 and IPv6, comma-separated');
  const message = refuses(t, () => load({ DIALTONE_TRUSTED_PROXIES: '10.0.0.0/24,10.0.0.300/32' }), ['DIALTONE_TRUSTED_PROXIES:', '"10.0.0.300/32"'], 'a bad CIDR');
  t.notMatch(message, 'DIALTONE_TRUSTED_NETWORKS', 'names that setting only');
  const dir = folderWith(t, { 'c.json': JSON.stringify({ trustedProxies: ['fd00::/129'] }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['trustedProxies in c.json', '"fd00::/129"'], 'a bad CIDR in a file');
});

t.test('proxyProtocol', async (t) => {
  t.same(load({ DIALTONE_PROXY_PROTOCOL: 'https, http', DIALTONE_TRUSTED_PROXIES: '10.0.0.0/24' }).proxyProtocol, ['https', 'http']);
  refuses(t, () => load({ DIALTONE_PROXY_PROTOCOL: 'https,tftp', DIALTONE_TRUSTED_PROXIES: '10.0.0.0/24' }), ['DIALTONE_PROXY_PROTOCOL:', 'must be https or http'], 'a listener that cannot take it');
  refuses(t, () => load({ DIALTONE_PROXY_PROTOCOL: 'https' }), ['DIALTONE_PROXY_PROTOCOL: needs DIALTONE_TRUSTED_PROXIES'], 'without trusted proxies');
});

t.test('trustedNetworks: a file entry with spaces', async (t) => {
  const dir = folderWith(t, { 'c.json': JSON.stringify({ trustedNetworks: [' 10.0.0.0/8 '] }) });
  t.same(load({ DIALTONE_CONFIG: 'c.json' }, dir).trustedNetworks, ['10.0.0.0/8'], 'stored trimmed');
});

t.test('tlsExtraCiphers', async (t) => {
  t.same(load({ DIALTONE_TLS_EXTRA_CIPHERS: 'AES128-SHA, aes256-sha' }).tlsExtraCiphers, ['AES128-SHA', 'AES256-SHA'], 'comma-separated, any case');
  t.same(load({ DIALTONE_TLS_EXTRA_CIPHERS: 'AES128-SHA:AES256-SHA' }).tlsExtraCiphers, ['AES128-SHA', 'AES256-SHA'], 'or OpenSSL-style, colon-separated');
  const dir = folderWith(t, { 'c.json': JSON.stringify({ tlsExtraCiphers: ['ECDHE-RSA-AES128-SHA'] }) });
  t.same(load({ DIALTONE_CONFIG: 'c.json' }, dir).tlsExtraCiphers, ['ECDHE-RSA-AES128-SHA'], 'an array in a file');
  refuses(t, () => load({ DIALTONE_TLS_EXTRA_CIPHERS: 'AES128-SHA,NOT-A-CIPHER' }), ['DIALTONE_TLS_EXTRA_CIPHERS', '"NOT-A-CIPHER"'], 'an unknown name');
  refuses(t, () => load({ DIALTONE_TLS_EXTRA_CIPHERS: 'HIGH' }), ['DIALTONE_TLS_EXTRA_CIPHERS', '"HIGH"'], 'an OpenSSL keyword');
  refuses(t, () => load({ DIALTONE_TLS_EXTRA_CIPHERS: '!ECDHE-RSA-AES128-GCM-SHA256' }), ['DIALTONE_TLS_EXTRA_CIPHERS'], 'a removal');
  refuses(t, () => load({ DIALTONE_TLS_EXTRA_CIPHERS: 'TLS_AES_128_CCM_SHA256' }), ['DIALTONE_TLS_EXTRA_CIPHERS', 'TLS 1.3'], 'a TLS 1.3 suite');
  const dir2 = folderWith(t, { 'c.json': JSON.stringify({ tlsExtraCiphers: 'AES128-SHA' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir2), ['tlsExtraCiphers in c.json'], 'a string instead of an array in a file');
});

t.test('publicUrl', async (t) => {
  refuses(t, () => load({ DIALTONE_PUBLIC_URL: 'http://x' }), ['DIALTONE_PUBLIC_URL:', 'https'], 'http URL');
  refuses(t, () => load({ DIALTONE_PUBLIC_URL: 'not a url' }), ['DIALTONE_PUBLIC_URL:'], 'not a URL');
  refuses(t, () => load({ DIALTONE_PUBLIC_URL: 'ftp://x' }), ['DIALTONE_PUBLIC_URL:'], 'ftp URL');
  t.equal(load({ DIALTONE_PUBLIC_URL: 'https://prov.example.com:8443' }).publicUrl, 'https://prov.example.com:8443');
  const dir = folderWith(t, { 'c.json': JSON.stringify({ publicUrl: 'http://prov.example.com' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['publicUrl in c.json'], 'http URL in a file');
});

t.test('adminToken', async (t) => {
  const ok = 'x'.repeat(32);
  t.equal(load({ DIALTONE_ADMIN_TOKEN: ok }).adminToken, ok, '32 characters');
  refuses(t, () => load({ DIALTONE_ADMIN_TOKEN: 'x'.repeat(31) }), ['DIALTONE_ADMIN_TOKEN:', '32'], '31 characters');
  const msg = refuses(t, () => load({ DIALTONE_ADMIN_TOKEN: 'secret-but-short' }), ['DIALTONE_ADMIN_TOKEN:'], 'short token');
  t.notOk(msg.includes('secret-but-short'), 'the refusal does not repeat the token');
});

t.test('logLevel', async (t) => {
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) t.equal(load({ DIALTONE_LOG_LEVEL: level }).logLevel, level);
  refuses(t, () => load({ DIALTONE_LOG_LEVEL: 'loud' }), ['DIALTONE_LOG_LEVEL:'], 'loud');
});

t.test('unknown settings', async (t) => {
  const msg = refuses(t, () => load({ DIALTONE_ADMIN_LISTENN: '127.0.0.1:1' }), ['DIALTONE_ADMIN_LISTENN'], 'misspelt variable');
  t.match(msg, /unknown setting DIALTONE_ADMIN_LISTENN\b/);
  refuses(t, () => load({ DIALTONE_FOO: 'x', DIALTONE_BAR: 'y' }), ['DIALTONE_FOO', 'DIALTONE_BAR'], 'both unknown variables');
  refuses(t, () => load({ DIALTONE_FOO: '' }), ['DIALTONE_FOO'], 'an unknown variable, even empty');

  const dir = folderWith(t, { 'c.json': JSON.stringify({ adminListenn: '127.0.0.1:1' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['adminListenn'], 'unknown key in a file');
});

t.test('an unknown key in a file is named with its file', async (t) => {
  const dir = folderWith(t, { 'c.json': JSON.stringify({ adminListenn: '127.0.0.1:1' }) });
  refuses(t, () => load({ DIALTONE_CONFIG: 'c.json' }, dir), ['adminListenn in c.json'], 'unknown key in a file');
});

t.test('an unknown variable is listed with the other wrong settings in one message', async (t) => {
  refuses(t, () => load({ DIALTONE_ADMIN_LISTENN: 'x', DIALTONE_LOG_LEVEL: 'loud' }), ['unknown setting DIALTONE_ADMIN_LISTENN', 'DIALTONE_LOG_LEVEL:'], 'unknown + wrong');
});

t.test('a DIALTONE_CONFIG file that cannot be used', async (t) => {
  const dir = folderWith(t, { 'bad.json': '{"adminListen": ', 'list.json': '["adminListen"]', 'null.json': 'null', 'num.json': '42' });
  refuses(t, () => load({ DIALTONE_CONFIG: 'missing.json' }, dir), [join(dir, 'missing.json'), 'ENOENT'], 'missing file');
  refuses(t, () => load({ DIALTONE_CONFIG: 'bad.json' }, dir), [join(dir, 'bad.json'), 'not a JSON object'], 'not JSON');
  refuses(t, () => load({ DIALTONE_CONFIG: 'list.json' }, dir), [join(dir, 'list.json'), 'not a JSON object'], 'a JSON array');
  refuses(t, () => load({ DIALTONE_CONFIG: 'null.json' }, dir), [join(dir, 'null.json'), 'not a JSON object'], 'JSON null');
  refuses(t, () => load({ DIALTONE_CONFIG: 'num.json' }, dir), [join(dir, 'num.json'), 'not a JSON object'], 'a JSON number');
  refuses(t, () => load({ DIALTONE_CONFIG: '.' }, dir), [dir], 'a folder');
  refuses(t, () => loadSettings({ defaultsFile: join(dir, 'nope.json'), env: {}, cwd: dir }), [join(dir, 'nope.json')], 'missing defaults file');
});

t.test('every wrong setting is listed in one message, each by where it came from', async (t) => {
  const dir = folderWith(t, { 'c.json': JSON.stringify({ logLevel: 'loud', httpListen: '8080', enrollmentSeconds: -5 }) });
  const msg = refuses(
    t,
    () =>
      load(
        {
          DIALTONE_CONFIG: 'c.json',
          DIALTONE_ADMIN_LISTEN: '::1:9443',
          DIALTONE_ADMIN_TOKEN: 'short',
          DIALTONE_PUBLIC_URL: 'http://x',
          DIALTONE_ENROLLMENT_SECONDS: 'abc',
        },
        dir,
      ),
    ['DIALTONE_ADMIN_LISTEN:', 'DIALTONE_ADMIN_TOKEN:', 'DIALTONE_PUBLIC_URL:', 'DIALTONE_ENROLLMENT_SECONDS:', 'logLevel in c.json:', 'httpListen in c.json:'],
    'several at once',
  );
  t.notOk(msg.includes('enrollmentSeconds in c.json'), 'the file value overridden by a variable is not blamed');
  t.equal(msg.split('\n').length, 7, 'a heading and one line per wrong setting');

  // A wrong default is named with the defaults file.
  const d2 = folderWith(t, { 'defaults.json': JSON.stringify({ ...JSON.parse(readFileSync(DEFAULTS, 'utf8')), adminListen: 'x' }) });
  refuses(t, () => loadSettings({ defaultsFile: join(d2, 'defaults.json'), env: {}, cwd: d2 }), [`adminListen in ${join(d2, 'defaults.json')}`], 'wrong default');
  // A setting missing everywhere is named as missing.
  const d3 = folderWith(t, { 'defaults.json': JSON.stringify({ store: 'json' }) });
  refuses(t, () => loadSettings({ defaultsFile: join(d3, 'defaults.json'), env: {}, cwd: d3 }), ['dataDir (missing)', 'adminListen (missing)'], 'missing settings');
});

t.test('publicUrlOf', async (t) => {
  const base = load({});
  t.equal(publicUrlOf(base, 18443).href, `https://${hostname()}:18443/`.toLowerCase(), 'host name and the bound https port');
  t.equal(publicUrlOf(base, undefined).href, `https://${hostname()}:8443/`.toLowerCase(), 'https off: port 8443');
  const set = load({ DIALTONE_PUBLIC_URL: 'https://prov.example.com:8443' });
  t.equal(publicUrlOf(set, 18443).href, 'https://prov.example.com:8443/', 'the setting wins over the bound port');
  t.ok(publicUrlOf(set, 1) instanceof URL);
  t.equal(publicUrlOf(load({ DIALTONE_PUBLIC_URL: 'https://p.example.com' }), 1).port, '', 'default https port');
});

t.test('resync settings', async (t) => {
  const s = load({ DIALTONE_RESYNC_SIP_PORT: '5062', DIALTONE_RESYNC_CONFIRM_SECONDS: '30', DIALTONE_RESYNC_SITE_GAP_MS: '0', DIALTONE_RESYNC_CONCURRENCY: '2' });
  t.match(s, { resyncSender: 'direct', resyncSipPort: 5062, resyncConfirmSeconds: 30, resyncSiteGapMs: 0, resyncConcurrency: 2 });
  refuses(t, () => load({ DIALTONE_RESYNC_SIP_PORT: '0' }), ['DIALTONE_RESYNC_SIP_PORT', 'port'], 'SIP port 0');
  refuses(t, () => load({ DIALTONE_RESYNC_SIP_PORT: 'sip' }), ['DIALTONE_RESYNC_SIP_PORT'], 'SIP port not a number');
  refuses(t, () => load({ DIALTONE_RESYNC_CONFIRM_SECONDS: '0' }), ['DIALTONE_RESYNC_CONFIRM_SECONDS', 'at least 1'], 'no confirmation time');
  refuses(t, () => load({ DIALTONE_RESYNC_CONCURRENCY: '0' }), ['DIALTONE_RESYNC_CONCURRENCY'], 'concurrency 0');
  refuses(t, () => load({ DIALTONE_RESYNC_SITE_GAP_MS: '-1' }), ['DIALTONE_RESYNC_SITE_GAP_MS'], 'negative gap');
  refuses(t, () => load({ DIALTONE_RESYNC_SENDER: 'sofia' }), ['DIALTONE_RESYNC_SENDER'], 'unknown sender');
  refuses(t, () => load({ DIALTONE_RESYNC_SENDER: 'ami' }), ['DIALTONE_RESYNC_AMI ', 'DIALTONE_RESYNC_AMI_USERNAME', 'DIALTONE_RESYNC_AMI_SECRET'], 'ami without its connection');
  refuses(t, () => load({ DIALTONE_RESYNC_AMI: 'pbx' }), ['DIALTONE_RESYNC_AMI', 'host:port'], 'AMI without a port');
  const ami = load({ DIALTONE_RESYNC_SENDER: 'ami', DIALTONE_RESYNC_AMI: '[::1]:5038', DIALTONE_RESYNC_AMI_USERNAME: 'dialtone', DIALTONE_RESYNC_AMI_SECRET: 's', DIALTONE_RESYNC_AMI_ENDPOINT: 'user' });
  t.match(ami, { resyncSender: 'ami', resyncAmi: '[::1]:5038', resyncAmiEndpoint: 'user' });
});

t.test('store postgres: databaseUrl required, a postgres:// URL, its password never in a message', async (t) => {
  refuses(t, () => load({ DIALTONE_STORE: 'postgres' }), ['DIALTONE_DATABASE_URL', 'required when store is postgres'], 'postgres without a URL');
  const message = refuses(t, () => load({ DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: 'mysql://u:hunter2@db/x' }), ['DIALTONE_DATABASE_URL', 'postgres://'], 'another scheme');
  t.notMatch(message, 'hunter2', 'the password is not repeated');
  t.match(load({ DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/dialtone' }), { store: 'postgres', databaseUrl: 'postgresql://u:p@127.0.0.1:5432/dialtone' });
  t.equal(load({}).databaseUrl, undefined, 'none by default');
});

t.test('workers: a whole number 1..64, more than 1 only on the PostgreSQL store', async (t) => {
  t.equal(load({ DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: 'postgres://127.0.0.1/d', DIALTONE_WORKERS: '4' }).workers, 4);
  refuses(t, () => load({ DIALTONE_WORKERS: '2' }), ['DIALTONE_WORKERS', '2 workers need store postgres', 'json store is one process by design'], 'the JSON store');
  refuses(t, () => load({ DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: 'postgres://127.0.0.1/d', DIALTONE_WORKERS: '0' }), ['DIALTONE_WORKERS', 'at least 1'], 'none');
  refuses(t, () => load({ DIALTONE_STORE: 'postgres', DIALTONE_DATABASE_URL: 'postgres://127.0.0.1/d', DIALTONE_WORKERS: '1.5' }), ['DIALTONE_WORKERS', 'whole number'], 'a fraction');
});

t.test('digestNonceSeconds', async (t) => {
  t.equal(load({ DIALTONE_DIGEST_NONCE_SECONDS: '60' }).digestNonceSeconds, 60);
  t.throws(() => load({ DIALTONE_DIGEST_NONCE_SECONDS: '0' }), /DIALTONE_DIGEST_NONCE_SECONDS.*at least 1/);
  t.throws(() => load({ DIALTONE_DIGEST_NONCE_SECONDS: 'soon' }), /DIALTONE_DIGEST_NONCE_SECONDS/);
});

t.test('logFormat: json or pretty, from DIALTONE_LOG_FORMAT', async (t) => {
  t.equal(load({ DIALTONE_LOG_FORMAT: 'pretty' }).logFormat, 'pretty');
  t.throws(() => load({ DIALTONE_LOG_FORMAT: 'text' }), /DIALTONE_LOG_FORMAT/, 'anything else is refused, naming the variable');
});

t.test('mail settings', async (t) => {
  const s = load({ DIALTONE_SMTP_URL: 'smtp://user:pass@mail.example.com:587', DIALTONE_MAIL_FROM: 'IT <it@example.com>', DIALTONE_MAIL_RETRY_MS: '500' });
  t.same([s.smtpUrl, s.mailFrom, s.mailRetryMs], ['smtp://user:pass@mail.example.com:587', 'IT <it@example.com>', 500]);
  t.equal(load({}).smtpUrl, undefined, 'no SMTP by default: the outbox folder');
  const message = refuses(t, () => load({ DIALTONE_SMTP_URL: 'http://user:hunter22@mail.example.com' }), ['DIALTONE_SMTP_URL', 'smtp://'], 'an http URL');
  t.notOk(message.includes('hunter22'), 'the refusal does not repeat the password');
  refuses(t, () => load({ DIALTONE_MAIL_FROM: 'nobody' }), ['DIALTONE_MAIL_FROM', 'email address'], 'a From without @');
  refuses(t, () => load({ DIALTONE_MAIL_RETRY_MS: '1' }), ['DIALTONE_MAIL_RETRY_MS', 'at least 10'], 'a retry too quick');
});

t.test('user name convention: DIALTONE_USERNAME_COMPANY and DIALTONE_USERNAME_PATTERN, checked at start-up', async (t) => {
  const s = load({ DIALTONE_USERNAME_COMPANY: 'Acme', DIALTONE_USERNAME_PATTERN: '{first}.{last}' });
  t.same([s.usernameCompany, s.usernamePattern], ['Acme', '{first}.{last}']);
  const dir = folderWith(t, { 'site.json': JSON.stringify({ usernameCompany: 'Initech', usernamePattern: '{company}-{f}{l}' }) });
  const fromFile = load({ DIALTONE_CONFIG: 'site.json' }, dir);
  t.same([fromFile.usernameCompany, fromFile.usernamePattern], ['Initech', '{company}-{f}{l}'], 'config-file keys');
  refuses(t, () => load({ DIALTONE_USERNAME_PATTERN: '{company}{initial}{last}' }), ['DIALTONE_USERNAME_PATTERN', 'unknown placeholder {initial}', '{company}, {site}, {first}, {f}, {last}, {l}'], 'an unknown placeholder');
  refuses(t, () => load({ DIALTONE_USERNAME_PATTERN: '{first} {last}' }), ['DIALTONE_USERNAME_PATTERN', 'found " "'], 'a character a user name cannot hold');
  refuses(t, () => load({ DIALTONE_USERNAME_PATTERN: '{company}' }), ['DIALTONE_USERNAME_PATTERN', "the person's name"], 'no part of the name');
  refuses(t, () => loadSettings({ defaultsFile: join(folderWith(t, { 'd.json': JSON.stringify({ ...JSON.parse(readFileSync(DEFAULTS, 'utf8')), usernamePattern: '{last' }) }), 'd.json'), env: {}, cwd: CWD }), ['usernamePattern in', 'brace'], 'in a file, named by key');
});

t.test('audit retention: DIALTONE_AUDIT_DAYS, 0 for ever', async (t) => {
  t.equal(load({ DIALTONE_AUDIT_DAYS: '90' }).auditDays, 90);
  t.equal(load({ DIALTONE_AUDIT_DAYS: '0' }).auditDays, 0);
  refuses(t, () => load({ DIALTONE_AUDIT_DAYS: '-1' }), ['DIALTONE_AUDIT_DAYS', 'must not be negative'], 'negative');
  refuses(t, () => load({ DIALTONE_AUDIT_DAYS: '1.5' }), ['DIALTONE_AUDIT_DAYS', 'whole number of days'], 'a fraction');
});

t.test('console sessions: DIALTONE_SESSION_HOURS, whole hours from 1 to a week', async (t) => {
  t.equal(load({ DIALTONE_SESSION_HOURS: '12' }).sessionHours, 12);
  t.equal(load({ DIALTONE_SESSION_HOURS: '1' }).sessionHours, 1, 'an hour is the least');
  t.equal(load({ DIALTONE_SESSION_HOURS: '168' }).sessionHours, 168, 'a week is the most');
  refuses(t, () => load({ DIALTONE_SESSION_HOURS: '0' }), ['DIALTONE_SESSION_HOURS: must be at least 1'], 'none');
  refuses(t, () => load({ DIALTONE_SESSION_HOURS: '169' }), ['DIALTONE_SESSION_HOURS: must be at most a week (168)'], 'past a week');
  refuses(t, () => load({ DIALTONE_SESSION_HOURS: '0.5' }), ['DIALTONE_SESSION_HOURS: must be a whole number of hours'], 'a fraction');
  refuses(t, () => load({ DIALTONE_SESSION_HOURS: '8h' }), ['DIALTONE_SESSION_HOURS: must be a whole number of hours'], 'a unit');
  const dir = folderWith(t, { 'c.json': JSON.stringify({ sessionHours: 24 }) });
  t.equal(load({ DIALTONE_CONFIG: 'c.json' }, dir).sessionHours, 24, 'from a file');
});
