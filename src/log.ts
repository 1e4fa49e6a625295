import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

/**
 * Every place a secret could sit in a log record. Dialtone never logs request or response
 * bodies; these paths are the second line of defence for headers and for objects that carry
 * secrets by name.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'res.headers["www-authenticate"]',
  ...['password', 'pin', 'token', 'adminToken', 'secret', 'key', 'credentials', 'provisioning', 'authorization'].flatMap(
    (name) => [name, `*.${name}`, `*.*.${name}`],
  ),
];

/** `json`: one JSON object a line (the default, for machines); `pretty`: pino-pretty's lines, for a person. */
export type LogFormat = 'json' | 'pretty';

/**
 * The logger, writing to `destination` (standard output when left out). Redaction happens before
 * formatting, so a pretty log hides the same secrets a JSON one does. pino-pretty runs in this
 * thread as a plain stream: no worker, nothing lost at exit.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = 'json'): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (format === 'pretty') {
    const out = PinoPretty({ destination: destination ?? 1, colorize: destination ? false : Boolean(process.stdout.isTTY), translateTime: 'SYS:standard', ignore: 'pid,hostname', sync: true });
    return pino(options, out);
  }
  return destination ? pino(options, destination) : pino(options);
}

/**
 * A warning that anyone can cause (a stranger's connection, say), kept from filling the log: at
 * most one line per `key` (the peer's address) every `windowMs`, the next one saying how many were
 * left out (`alsoSince`). Past `maxKeys` keys within a window, the rest share one key, `*`.
 */
export function limitedWarn(log: Logger, msg: string, opts: { windowMs?: number; maxKeys?: number; now?: () => number } = {}): (key: string, fields: object) => void {
  const windowMs = opts.windowMs ?? 60_000;
  const maxKeys = opts.maxKeys ?? 1000;
  const now = opts.now ?? Date.now;
  const seen = new Map<string, { until: number; left: number }>();
  return (given, fields) => {
    const at = now();
    if (!seen.has(given) && seen.size >= maxKeys) {
      for (const [k, v] of seen) if (v.until <= at && v.left === 0) seen.delete(k);
    }
    const key = seen.has(given) || seen.size < maxKeys ? given : '*';
    const entry = seen.get(key);
    if (entry && entry.until > at) {
      entry.left++;
      return;
    }
    seen.set(key, { until: at + windowMs, left: 0 });
    log.warn({ ...fields, ...(key === '*' ? { others: true } : {}), ...(entry?.left ? { alsoSince: entry.left } : {}) }, msg);
  };
}
