/**
 * The technician's command line: `dialtone device show|replace|resync|reprovision` and
 * `dialtone token create`, each one call (or two) to the REST API (and `dialtone migrate`, see
 * migrate.ts, which talks to the stores instead). The URL and token come from
 * `--url`/`--token` or DIALTONE_URL/DIALTONE_TOKEN; the admin listener's certificate is checked
 * against `--ca` (DIALTONE_CA, default the CA Dialtone generated in ./certs). Output is for people,
 * or JSON with `--json`; a failure prints the API's own message and exits non-zero.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { Command, CommanderError } from 'commander';
import { formatMac, parseMac } from '../domain/mac.js';
import { DialtoneError, StartupError } from '../errors.js';
import { migrate } from './migrate.js';
import { newOperator } from '../admin/sessions.js';
import { TOKEN_SCOPES, type TokenScope } from '../domain/types.js';
import type { Store } from '../store/store.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Standard input, whole (`operator create --password-stdin`). */
  stdin?: () => Promise<string>;
  /** The store the server's settings name, unopened (`operator create` writes to it directly). */
  store?: () => Store;
}

interface Connection {
  url: URL;
  token: string;
  ca: string | undefined;
}

/** An API failure, as the CLI tells it: the problem's title and detail, and every field error. */
class ApiError extends Error {}

interface Problem {
  title?: string;
  detail?: string;
  errors?: Array<{ path: string; message: string }>;
}

function describe(status: number, body: unknown): string {
  const p = (body ?? {}) as Problem;
  const fields = (p.errors ?? []).map((e) => `\n  ${e.path || '(body)'}: ${e.message}`).join('');
  return `${status} ${p.title ?? 'error'}: ${p.detail ?? ''}${fields}`;
}

function call(c: Connection, method: string, path: string, body?: unknown): Promise<unknown> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const target = new URL(`api/v1${path}`, c.url.href.endsWith('/') ? c.url : new URL(`${c.url.href}/`));
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method,
        ...(c.ca ? { ca: c.ca } : {}),
        headers: { authorization: `Bearer ${c.token}`, accept: 'application/json', ...(payload ? { 'content-type': 'application/json', 'content-length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 400) reject(new ApiError(describe(status, json)));
          else resolve(json);
        });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(new ApiError(`cannot reach ${c.url.href}: ${err.code ?? err.message}`)));
    req.end(payload);
  });
}

/** A MAC as typed (any separators, any case), or a clear error. */
function mac(text: string): string {
  try {
    return parseMac(text);
  } catch (err) {
    throw new ApiError((err as Error).message);
  }
}

type Row = [label: string, value: unknown];
const table = (rows: Row[]): string =>
  rows
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${`${k}:`.padEnd(16)}${String(v)}`)
    .join('\n');

interface DeviceView {
  mac: string;
  model: string;
  label?: string;
  employeeId?: string;
  authName?: string;
  enrollmentUntil?: string;
  windowClaim?: { address: string; at: string };
  lastSeen?: { at: string; protocol: string; address: string; model?: string; firmware?: string };
  config?: { state: string; servedAt?: string };
}
interface ResyncView {
  event: string;
  state: string;
  requested: string;
}
interface EventView {
  at: string;
  protocol: string;
  address: string;
  file: string;
  status: number;
  reason?: string;
  variant?: string;
  flag?: string;
  count?: number;
}

const showDevice = (d: DeviceView): string =>
  table([
    ['MAC', formatMac(d.mac, 'colon')],
    ['model', d.model],
    ['label', d.label],
    ['employee', d.employeeId],
    ['auth name', d.authName],
    ['window until', d.enrollmentUntil],
    ['window claimed', d.windowClaim ? `by ${d.windowClaim.address} at ${d.windowClaim.at}` : undefined],
    ['config', d.config ? `${d.config.state}${d.config.servedAt ? ` (served ${d.config.servedAt})` : ''}` : undefined],
    ['last seen', d.lastSeen ? `${d.lastSeen.at} over ${d.lastSeen.protocol} from ${d.lastSeen.address}${d.lastSeen.firmware ? `, firmware ${d.lastSeen.firmware}` : ''}` : 'never'],
  ]);

const showEvent = (e: EventView): string =>
  `${e.at}  ${e.protocol.padEnd(5)} ${e.address.padEnd(15)} ${String(e.status)} ${e.file}  ${[e.variant, e.reason, e.flag].filter(Boolean).join(', ')}${e.count && e.count > 1 ? ` (×${e.count})` : ''}`;

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = new Command('dialtone')
    .description('Dialtone, auto-provisioning for SIP desk phones: the technician’s command line')
    .option('--url <url>', 'the admin API base URL (env DIALTONE_URL)', io.env.DIALTONE_URL)
    .option('--token <token>', 'an API token (env DIALTONE_TOKEN)', io.env.DIALTONE_TOKEN)
    .option('--ca <file>', 'the CA the admin certificate is checked against (env DIALTONE_CA)', io.env.DIALTONE_CA ?? 'certs/dialtone-ca.crt')
    .option('--json', 'print the API’s JSON instead of text')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  const connection = (): Connection => {
    const o = program.opts<{ url?: string; token?: string; ca: string }>();
    if (!o.url) throw new ApiError('no API URL: give --url or set DIALTONE_URL (e.g. https://dialtone.example.com:9443)');
    if (!o.token) throw new ApiError('no token: give --token or set DIALTONE_TOKEN');
    let url: URL;
    try {
      url = new URL(o.url);
    } catch {
      throw new ApiError(`--url: not a URL: ${o.url}`);
    }
    let ca: string | undefined;
    try {
      ca = readFileSync(o.ca, 'utf8');
    } catch {
      // Without our CA file the system's trust store decides (a certificate from a public CA).
      ca = undefined;
    }
    return { url, token: o.token, ca };
  };
  const json = (): boolean => program.opts<{ json?: boolean }>().json === true;
  const print = (value: unknown, text: () => string): void => io.out(json() ? JSON.stringify(value, null, 2) : text());

  const device = program.command('device').description('a phone: show it, swap its handset, resync or reprovision it');
  device
    .command('show')
    .argument('<mac>', 'the MAC, in any usual form')
    .option('--events <n>', 'how many of the latest timeline events to show', '15')
    .description('the device, its state and its latest timeline events')
    .action(async (text: string, o: { events: string }) => {
      const c = connection();
      const m = mac(text);
      const [d, events, resyncs] = (await Promise.all([call(c, 'GET', `/devices/${m}`), call(c, 'GET', `/devices/${m}/events`), call(c, 'GET', `/devices/${m}/resyncs`)])) as [DeviceView, EventView[], ResyncView[]];
      const latest = events.slice(-Math.max(0, Number.parseInt(o.events, 10) || 0));
      const resync = resyncs.at(-1);
      print({ ...d, events: latest, resyncs }, () =>
        [showDevice(d), resync ? `last resync: ${resync.state} (${resync.event}, asked ${resync.requested})` : '', '', latest.length ? latest.map(showEvent).join('\n') : 'no events yet'].filter((line, i) => line !== '' || i === 2).join('\n'),
      );
    });
  device
    .command('replace')
    .argument('<old>', 'the MAC of the handset taken away')
    .argument('<new>', 'the MAC of the handset put in its place')
    .option('--model <id>', 'the new handset’s model, when it differs (see GET /models)')
    .description('swap the handset: the new MAC takes over the device with the same SIP credentials')
    .action(async (oldMac: string, newMac: string, o: { model?: string }) => {
      const d = (await call(connection(), 'POST', `/devices/${mac(oldMac)}/replace`, { mac: mac(newMac), ...(o.model ? { model: o.model } : {}) })) as DeviceView;
      print(d, () => `${formatMac(mac(oldMac), 'colon')} is now ${formatMac(d.mac, 'colon')}: enrollment window open until ${d.enrollmentUntil ?? '?'}`);
    });
  device
    .command('resync')
    .argument('<mac>', 'the MAC')
    .description('make the phone fetch its configuration now (SIP NOTIFY)')
    .action(async (text: string) => {
      const r = (await call(connection(), 'POST', `/devices/${mac(text)}/resync`, {})) as { event: string; via: string; target?: string; state: string };
      print(r, () => `resync (${r.event}) ${r.state} to ${formatMac(mac(text), 'colon')}${r.target ? ` at ${r.target}` : ` via ${r.via}`}; confirmed when the phone fetches its files (dialtone device show ${mac(text)})`);
    });
  device
    .command('reprovision')
    .argument('<mac>', 'the MAC')
    .option('--window <seconds>', 'how long the enrollment window stays open')
    .option('--rotate-credentials', 'also generate new SIP and provisioning credentials (admin tokens only)')
    .description('open a new enrollment window')
    .action(async (text: string, o: { window?: string; rotateCredentials?: boolean }) => {
      const body = { ...(o.window !== undefined ? { windowSeconds: Number(o.window) } : {}), ...(o.rotateCredentials ? { rotateCredentials: true } : {}) };
      const d = (await call(connection(), 'POST', `/devices/${mac(text)}/reprovision`, body)) as DeviceView & { credentials?: unknown };
      print(d, () => `${formatMac(d.mac, 'colon')}: enrollment window open until ${d.enrollmentUntil ?? '?'}${d.credentials ? '\nnew credentials issued (see --json, shown once)' : ''}`);
    });

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .argument('<name>', 'what the token is for, e.g. "Field team laptop"')
    .requiredOption('--scope <scope>', 'admin, technician or readonly')
    .description('create a token; it is printed once')
    .action(async (name: string, o: { scope: string }) => {
      const r = (await call(connection(), 'POST', '/tokens', { name, scope: o.scope })) as { token: string; scope: string; id: string };
      print(r, () => `${r.token}\n(a ${r.scope} token named "${name}", id ${r.id}: store it now, it is not shown again)`);
    });

  const operator = program.command('operator').description('web console operators');
  operator
    .command('create')
    .argument('<name>', 'the name to sign in with: lower-case letters, digits, ".", "_", "-"')
    .requiredOption('--scope <scope>', 'admin, technician or readonly')
    .option('--password-stdin', 'read the password from standard input (otherwise from DIALTONE_OPERATOR_PASSWORD)')
    .description('create an operator in the store, as the server’s settings name it (the first one can only come from here; stop a server using a JSON store first)')
    .action(async (name: string, o: { scope: string; passwordStdin?: boolean }) => {
      if (!TOKEN_SCOPES.includes(o.scope as TokenScope)) throw new ApiError(`--scope: must be one of ${TOKEN_SCOPES.join(', ')}`);
      const password = o.passwordStdin ? (await (io.stdin?.() ?? Promise.resolve(''))).replace(/\r?\n$/, '') : io.env.DIALTONE_OPERATOR_PASSWORD;
      if (!password) throw new ApiError('no password: pipe it in with --password-stdin, or set DIALTONE_OPERATOR_PASSWORD');
      if (!io.store) throw new ApiError('no store to write to');
      let record;
      try {
        record = await newOperator(name, password, o.scope as TokenScope);
      } catch (err) {
        if (err instanceof DialtoneError) throw new ApiError(err.errors.map((e) => `${e.path === 'name' ? '<name>' : e.path}: ${e.message}`).join('; '));
        throw err;
      }
      const store = io.store();
      await store.open();
      try {
        await store.insertOperator(record);
      } catch (err) {
        if (err instanceof DialtoneError && err.code === 'conflict') throw new ApiError(`an operator named ${name} already exists`);
        throw err;
      } finally {
        await store.close();
      }
      io.out(`operator ${name} (${o.scope}) created: sign in at the admin listener's address, e.g. https://127.0.0.1:9443/`);
    });

  program
    .command('migrate')
    .requiredOption('--from <dir>', 'the data folder of a JSON store (its server stopped)')
    .requiredOption('--to <url>', 'an empty PostgreSQL database, postgres://user:password@host:5432/name (env DIALTONE_DATABASE_URL)', io.env.DIALTONE_DATABASE_URL)
    .description('copy a JSON store (records, settings, tokens, audit log) into an empty PostgreSQL database and check the copy')
    .action(async (o: { from: string; to: string }) => {
      await migrate(o.from, o.to, io.out);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ApiError || err instanceof StartupError || err instanceof DialtoneError) {
      io.err(`dialtone: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
