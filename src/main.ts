#!/usr/bin/env -S node --max-semi-space-size=32
/**
 * The command line: `dialtone serve` (the default) starts every configured listener. The only
 * module that reads process.env and argv and that calls listen.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { lookup } from 'node:dns/promises';
import { isIP, type AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli/index.js';
import { createAdminApp } from './admin/app.js';
import { createAuditLog, keepAuditFor } from './admin/audit.js';
import { createTokenCheck, ensureAdminToken } from './admin/auth.js';
import { openapiDocument } from './admin/openapi.js';
import { createRecords } from './admin/records.js';
import { adminRoutes } from './admin/routes.js';
import { resyncRoutes } from './admin/resync-routes.js';
import { operatorRoutes } from './admin/operators.js';
import { createSessions } from './admin/sessions.js';
import { consolePages } from './web/console.js';
import { loadSettings, publicUrlOf, type Listen, type Settings } from './config.js';
import { createSealer, deriveSealedProfileSecret, deriveTokenKey, isTokenHash } from './domain/secrets.js';
import { StartupError, isUnavailable } from './errors.js';
import { createLogger, type Logger } from './log.js';
import { MailQueue } from './mail/queue.js';
import { outboxSender, smtpSender } from './mail/transport.js';
import { createWelcomeMail } from './mail/welcome.js';
import { createPhonesHandler } from './phones/app.js';
import { clientAddressOf, forwardedReader } from './phones/forwarded.js';
import { expectProxyHeader } from './phones/proxy-protocol.js';
import { TIMELINE_FILE, TimelineJournal } from './provision/journal.js';
import { plainAddress } from './provision/networks.js';
import { amiSender } from './resync/ami.js';
import { ResyncRegistry } from './resync/registry.js';
import { directSender } from './resync/sender.js';
import { systemClock } from './sip/transaction.js';
import { createResyncService } from './resync/service.js';
import { CHANNELS, createProvisioning, type Channel } from './provision/index.js';
import type { Timeline, TimelineReads } from './provision/events.js';
import { createStore, type Store } from './store/index.js';
import { checkSecretKey, loadSecretKey } from './store/secret-key.js';
import { createTftpServer, resolverLookup, type TftpServer } from './tftp/index.js';
import { CA_CERT_FILE, loadOrCreateTls, OPERATOR_CERT_FILE, OPERATOR_KEY_FILE, SERVER_CERT_FILE, SERVER_KEY_FILE } from './tls/index.js';
import { DATA_FILE } from './store/json.js';
import { redactUrl, type PostgresStore } from './store/postgres.js';
import { openSharedState, type SharedState } from './store/shared-postgres.js';
import { deviceCertificateReader, loadVendorCas } from './tls/device-certs.js';
import { tlsPolicy } from './tls/policy.js';
import { modelList, type FileIndex } from './vendors/index.js';
import { runPrimary, workerReady, WORKER_INDEX } from './workers.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/** How long shutdown waits for in-flight requests before cutting connections. */
const DRAIN_MS = 10_000;

async function listen(server: Server, at: Listen, service: string, log: Logger): Promise<number | undefined> {
  if (at === 'off') return undefined;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new StartupError(`cannot listen for ${service} on ${at.host}:${at.port}: ${err.code ?? err.message}`);
  });
  const { port } = server.address() as AddressInfo;
  log.info({ service, host: at.host, port }, 'listening');
  return port;
}

/** Stops accepting, lets in-flight requests finish (closing idle keep-alive connections), then resolves. */
function drain(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** How long start-up's check of the public URL's host name may take before it counts as not resolving. */
const PUBLIC_HOST_LOOKUP_MS = 2_000;

/**
 * Warns when phones would be sent to a host name that does not resolve here (a typo in
 * DIALTONE_PUBLIC_URL, or a machine name only this machine knows). Never throws, never holds
 * start-up: the caller does not wait for it.
 */
async function checkPublicHost(url: URL, configured: boolean, log: Logger): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!configured) log.warn({ publicUrl: url.href }, 'DIALTONE_PUBLIC_URL is not set: phones are sent to this machine\'s host name; set it to the HTTPS address phones can reach');
  if (isIP(host)) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${PUBLIC_HOST_LOOKUP_MS} ms`), PUBLIC_HOST_LOOKUP_MS);
    timer.unref();
  });
  const why = await Promise.race([lookup(host).then(() => null, (err: NodeJS.ErrnoException) => err.code ?? err.message), late]);
  clearTimeout(timer);
  if (why !== null) log.warn({ publicUrl: url.href, host, why }, 'the public URL\'s host does not resolve: phones will not find this server (set DIALTONE_PUBLIC_URL)');
}

const resyncOptions = (settings: Settings) => ({ confirmMs: settings.resyncConfirmSeconds * 1000 });

/** Resync by SIP NOTIFY: the configured sender, the registry the phones' fetches confirm. */
function createResyncFor(settings: Settings, deps: { store: Store; sealer: ReturnType<typeof createSealer>; provisioning: { timeline: Timeline; reads: TimelineReads; files: FileIndex }; registry: ResyncRegistry | undefined; log: Logger }) {
  const registry = deps.registry ?? new ResyncRegistry(resyncOptions(settings));
  deps.provisioning.timeline.onDeviceEvent = (mac, at, unproven) => registry.deviceEvent(mac, at, unproven);
  let sender = directSender({ userAgent: `Dialtone/${version}` });
  if (settings.resyncSender === 'ami') {
    const m = /^\[?(.*?)\]?:(\d+)$/.exec(settings.resyncAmi ?? '') as RegExpExecArray; // checked by the settings schema
    sender = amiSender({ host: m[1] as string, port: Number(m[2]), username: settings.resyncAmiUsername ?? '', secret: settings.resyncAmiSecret ?? '', endpoint: settings.resyncAmiEndpoint });
  }
  const service = createResyncService({
    ...deps,
    timeline: deps.provisioning.reads,
    files: deps.provisioning.files,
    sender,
    registry,
    sipPort: settings.resyncSipPort,
    gapMs: settings.resyncSiteGapMs,
    concurrency: settings.resyncConcurrency,
    log: deps.log.child({ service: 'resync' }),
  });
  return { registry, service };
}

/**
 * Serves everything: alone, or as worker `worker` of `dialtone serve --workers N` (see workers.ts).
 * Workers share the data folder: what each keeps in files of its own there (the timeline journal,
 * the mail queue) is named after its index, and only worker 0 serves TFTP (a transfer's packets
 * must all reach the process that holds it; see README "All cores").
 */
async function serve(settings: Settings, rootLog: Logger, worker?: number): Promise<void> {
  const log = worker === undefined ? rootLog : rootLog.child({ worker });
  const own = (name: string): string => (worker ? `${name}.worker-${worker}` : name);
  await mkdir(settings.dataDir, { recursive: true, mode: 0o700 });
  const storeLog = log.child({ service: 'store' });
  const store: Store = createStore(settings.store, { dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, postgres: { onEvent: (message, err) => (err ? storeLog.warn({ err }, message) : storeLog.info(message)) } });
  const opening = performance.now();
  await store.open();
  log.info({ store: settings.store, ...(settings.databaseUrl && settings.store === 'postgres' ? { database: redactUrl(settings.databaseUrl) } : {}), ms: Math.round(performance.now() - opening) }, 'store opened');
  const servers: Server[] = [];
  let tftp: TftpServer | undefined;
  let journal: TimelineJournal | undefined;
  let mailQueue: MailQueue | undefined;
  let shared: SharedState | undefined;
  const stopRetention = settings.auditDays > 0 ? keepAuditFor(store, settings.auditDays, log.child({ service: 'admin' })) : undefined;
  // The journal last: the requests that drain still record their events.
  const closeAll = async () => {
    stopRetention?.();
    await Promise.all([...servers.map(drain), tftp?.close()]);
    await Promise.all([journal?.close(), mailQueue?.close(), shared?.close()]);
  };
  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await closeAll();
    await store.close();
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    // API tokens stored as keyed hashes need the key as much as sealed passwords do.
    const devices = await store.listDevices();
    const hasSealed = devices.length > 0 || (await store.listTokens()).some((token) => isTokenHash(token.hash));
    const secretKeyFile = settings.secretKeyFile ?? join(settings.dataDir, 'secret.key');
    const secretKey = await loadSecretKey(secretKeyFile, !hasSealed);
    const sealer = createSealer(secretKey);
    await checkSecretKey(devices, sealer, secretKeyFile); // a key that cannot open what is stored stops start-up
    const tokenKey = deriveTokenKey(secretKey);
    const sealedProfileSecret = deriveSealedProfileSecret(secretKey);
    // Instances on one database share nonces, bans, rate limits, the timeline and resyncs (README: Several instances).
    // The database away is logged once by the store; what could not be written then is tried again.
    const sharedError = (err: unknown, what: string) => (isUnavailable(err) ? log.debug({ err }, what) : log.error({ err }, what));
    if (settings.store === 'postgres') {
      shared = await openSharedState(store as PostgresStore, secretKey, { keyFile: secretKeyFile, resync: resyncOptions(settings), onError: sharedError });
    }
    const publicHost = settings.publicUrl ? new URL(settings.publicUrl).hostname.replace(/^\[|\]$/g, '') : publicUrlOf(settings, undefined).hostname;
    const tls = await loadOrCreateTls({ certsDir: settings.certsDir, publicHost, log: (msg, fields) => log.info(fields ?? {}, msg) });
    await ensureAdminToken({ store, dataDir: settings.dataDir, configured: settings.adminToken, log, tokenKey });
    // Where things are, for whoever must back them up or replace them (never what they hold).
    const certsIn = (file: string) => join(settings.certsDir, file);
    log.info(
      {
        dataFile: settings.store === 'json' ? join(settings.dataDir, DATA_FILE) : null,
        secretKeyFile,
        caCertFile: certsIn(CA_CERT_FILE),
        serverCertFile: certsIn(tls.source === 'operator' ? OPERATOR_CERT_FILE : SERVER_CERT_FILE),
        serverKeyFile: certsIn(tls.source === 'operator' ? OPERATOR_KEY_FILE : SERVER_KEY_FILE),
      },
      'files',
    );

    // Known once the listeners are bound (a port of 0 is chosen then).
    let publicUrl = publicUrlOf(settings, undefined);
    let caUrl = new URL('ca.crt', publicUrl).href;
    const provisioning = await createProvisioning({
      store,
      sealer,
      templatesDir: join(root, 'templates'),
      trustedNetworks: settings.trustedNetworks,
      publicUrl: () => publicUrl.href,
      caUrl: () => caUrl,
      caPem: tls.caCert,
      sealedProfileSecret,
      digestNonceMs: settings.digestNonceSeconds * 1000,
      ...(shared ? { nonces: shared.nonces, claims: shared.claims, bans: { book: shared.bans, limiter: shared.limiter, onError: (err) => sharedError(err, 'bans: could not count an offence') }, timelineReads: shared.timelineReads } : {}),
    });
    if (!shared) {
      journal = new TimelineJournal(join(settings.dataDir, TIMELINE_FILE), provisioning.timeline, {
        onBadLine: (line, why) => log.warn({ file: TIMELINE_FILE, line, why }, 'timeline: skipped a line it could not read'),
        onError: (err) => log.error({ err }, 'timeline: could not write to disk; will try again'),
      });
      await journal.open();
    }
    provisioning.templates.watch((err) => log.error({ err }, 'templates changed but could not be loaded; keeping the previous ones'));

    const models = modelList();
    // Welcome emails: SMTP when configured, else .eml files in the outbox folder.
    const outbox = join(settings.dataDir, 'outbox');
    if (settings.smtpUrl) log.info({ smtp: new URL(settings.smtpUrl).host }, 'welcome emails go out by SMTP');
    else log.info({ outbox }, 'no SMTP server configured (DIALTONE_SMTP_URL): welcome emails are written as .eml files to the outbox folder');
    mailQueue = new MailQueue({
      dir: join(settings.dataDir, own('mail-queue')),
      sender: settings.smtpUrl ? smtpSender(settings.smtpUrl, settings.mailFrom) : outboxSender(outbox, settings.mailFrom),
      clock: systemClock,
      retryMs: settings.mailRetryMs,
      onError: (err, what) => log.error({ err }, what),
      // On a shared database, what becomes of each message is recorded for every instance to read.
      ...(shared ? { onChange: (job) => shared?.mail.write(job) } : {}),
    });
    await mailQueue.open();
    const welcomeMail = createWelcomeMail({ store, queue: mailQueue, templatesDir: join(root, 'templates'), from: settings.mailFrom, ...(shared ? { ledger: shared.mail } : {}) });
    const recovered = await welcomeMail.recover();
    if (recovered > 0) log.info({ messages: recovered }, 'queued welcome emails asked for before a stop');

    const records = createRecords({ store, sealer, models: new Set(models.map((m) => m.id)), enrollmentSeconds: settings.enrollmentSeconds, files: provisioning.files });
    // Devices stored before phones had their own admin password get one now: no vendor default stays.
    const backfilled = await records.backfillAdminPasswords(devices);
    if (backfilled > 0) log.info({ devices: backfilled }, 'generated an admin password for each device that had none');
    // The list read for the key check: the backfill since changed admin passwords only.
    const overlong = records.overlongPasswords(devices);
    if (overlong.length > 0) {
      log.warn(
        { devices: overlong.length, macs: overlong.slice(0, 20) },
        'devices with a SIP password longer than their phone takes (Aastra/Mitel: 20 characters) will not register: rotate each one\'s credentials (POST /api/v1/devices/{mac}/credentials)',
      );
    }
    // The document describes the routes, which serve it: read only once both exist.
    const resync = createResyncFor(settings, { store, sealer, provisioning, registry: shared?.resyncs, log });
    const tokens = createTokenCheck(store, tokenKey);
    const sessions = createSessions(store, { seconds: settings.sessionHours * 3600, ...(shared ? { limiter: shared.limiter } : {}) });
    const routes = [
      ...adminRoutes({ store, records, models: () => models, openapi: () => openapi, provisioning, tokenKey, tokenUse: (id) => tokens.lastUsed(id), resyncs: resync.registry, welcomeMail, usernames: { company: settings.usernameCompany, pattern: settings.usernamePattern } }),
      ...resyncRoutes({ store, ...resync }),
      ...operatorRoutes(store, sessions),
    ];
    const openapi = openapiDocument(routes, version);
    // Behind a load balancer: who the client is, when a trusted proxy says so (none by default).
    const proxies = settings.trustedProxies;
    const forwarded = proxies.length > 0 ? forwardedReader(proxies, (proxy, header) => log.warn({ proxy, header }, 'X-Forwarded-For from a trusted proxy is not a list of addresses: the request counts as the proxy\'s')) : undefined;
    if (forwarded) log.info({ trustedProxies: proxies }, 'believing X-Forwarded-For and X-Forwarded-Proto from these proxies only');
    const adminApp = createAdminApp({ routes, tokens, sessions, pages: consolePages(), audit: createAuditLog(store), logger: log.child({ service: 'admin' }), ...(shared ? { limiter: shared.limiter } : {}), ...(forwarded ? { clientAddress: clientAddressOf(forwarded) } : {}) });

    // Phones' factory certificates, when the operator installed vendor CAs: asked for, not required.
    const vendorCas = await loadVendorCas(settings.certsDir, models.map((m) => m.vendor));
    const mutual = vendorCas ? { requestCert: true, rejectUnauthorized: false, ca: vendorCas.pem } : {};
    if (vendorCas) log.info({ vendors: [...new Set(vendorCas.vendors.values())] }, 'asking phones for their factory certificates');
    const deviceCertificate = vendorCas ? deviceCertificateReader(vendorCas) : undefined;
    const phones = (channel: Channel) => createPhonesHandler({ resolver: provisioning.resolver, caCert: tls.caCert, channel, log, forwarded, ...(channel.confidential && deviceCertificate ? { deviceCertificate } : {}) });
    const admin = createHttpsServer({ key: tls.key, cert: tls.cert, ...tlsPolicy(settings.tlsExtraCiphers) }, adminApp);
    const https = createHttpsServer({ key: tls.key, cert: tls.cert, ...tlsPolicy(settings.tlsExtraCiphers), ...mutual, keepAliveTimeout: 30_000 }, phones(CHANNELS.https));
    // A phone that does not trust our CA (or speaks no TLS we offer) fails here, before any request.
    // Node has closed the socket by the time it reports the failure, and a closed socket no longer
    // knows its peer: each connection's address is noted when it arrives, under the TCP socket the
    // TLS socket wraps (`_parent`, a private field of Node's TLS sockets since Node 0.x).
    const peers = new WeakMap<object, string>();
    https.on('connection', (raw: { remoteAddress?: string }) => {
      if (raw.remoteAddress) peers.set(raw, raw.remoteAddress);
    });
    https.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
      const parent = (socket as unknown as { _parent?: object })._parent;
      const address = parent && peers.get(parent);
      const why = err.code === 'ECONNRESET' ? 'the client hung up during the TLS handshake (as a phone that does not trust the Dialtone CA does)' : (err.code ?? err.message);
      if (address) provisioning.timeline.tlsFailure(plainAddress(address), Date.now(), why);
    });
    const http = createHttpServer({ keepAliveTimeout: 30_000 }, phones(CHANNELS.http));
    for (const [service, server] of [['https', https], ['http', http]] as const) {
      if (settings.proxyProtocol.includes(service)) expectProxyHeader(server, proxies, log.child({ service }));
    }
    servers.push(admin, https, http);
    await listen(admin, settings.adminListen, 'admin', log);
    const httpsPort = await listen(https, settings.httpsListen, 'https', log);
    const httpPort = await listen(http, settings.httpListen, 'http', log);
    publicUrl = publicUrlOf(settings, httpsPort);
    // Phones fetch the CA over plain HTTP before they can check our certificate.
    const ca = new URL('/ca.crt', publicUrl);
    if (httpPort !== undefined) Object.assign(ca, { protocol: 'http:', port: String(httpPort) });
    caUrl = ca.href;
    if (settings.tftpListen !== 'off' && !worker) {
      const at = settings.tftpListen;
      tftp = await createTftpServer({
        host: at.host,
        port: at.port,
        log,
        handle: resolverLookup(provisioning.resolver),
        limits: { maxBlockSize: settings.tftpMaxBlockSize, maxTransfers: settings.tftpMaxTransfers, maxPerAddress: settings.tftpMaxPerAddress },
      }).catch((err: NodeJS.ErrnoException) => {
        throw new StartupError(`cannot listen for tftp on ${at.host}:${at.port}: ${err.code ?? err.message}`);
      });
      log.info({ service: 'tftp', host: at.host, port: tftp.port }, 'listening');
    }
    log.info({ publicUrl: publicUrl.href, version }, 'ready');
    workerReady();
    void checkPublicHost(publicUrl, settings.publicUrl !== undefined, log);
  } catch (err) {
    await closeAll();
    await store.close();
    throw err;
  }
}

/** `serve`'s options, as the settings they stand for: `--workers N` is DIALTONE_WORKERS. */
function serveOptions(options: string[]): Record<string, string> {
  const [flag, value, ...rest] = options.length === 1 && options[0]?.startsWith('--workers=') ? ['--workers', options[0].slice('--workers='.length)] : options;
  if (flag === undefined) return {};
  if (flag !== '--workers' || value === undefined || rest.length > 0) {
    console.error(`dialtone: serve takes one option, --workers N (got: ${options.join(' ')})`);
    process.exit(1);
  }
  return { DIALTONE_WORKERS: value };
}

async function main(argv: string[]): Promise<void> {
  const [command = 'serve', ...options] = argv;
  if (command === '--version' || command === 'version') {
    console.log(version);
    return;
  }
  if (command !== 'serve') {
    // Everything else is the technician's command line, talking to a running server's API.
    const stdin = async (): Promise<string> => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    };
    const store = (): Store => {
      const settings = loadSettings({ defaultsFile: join(root, 'configs', 'default.json'), env: process.env });
      return createStore(settings.store, { dataDir: settings.dataDir, databaseUrl: settings.databaseUrl });
    };
    process.exitCode = await runCli(argv, { env: process.env, out: (text) => console.log(text), err: (text) => console.error(text), stdin, store });
    return;
  }
  // A worker's index is the primary's word to it, not a setting.
  const { [WORKER_INDEX]: workerIndex, ...env } = process.env;
  let settings: Settings;
  try {
    settings = loadSettings({ defaultsFile: join(root, 'configs', 'default.json'), env: { ...env, ...serveOptions(options) } });
  } catch (err) {
    console.error(`dialtone: ${(err as Error).message}`);
    process.exit(1);
  }
  const log = createLogger(settings.logLevel, undefined, settings.logFormat);
  if (settings.workers > 1 && cluster.isPrimary) {
    runPrimary(settings.workers, log);
    return;
  }
  try {
    await serve(settings, log, cluster.isWorker ? Number(workerIndex) : undefined);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    log.fatal(err.message);
    console.error(`dialtone: ${err.message}`);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
