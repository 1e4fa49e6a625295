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
