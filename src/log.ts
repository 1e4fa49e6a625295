import { pino, type DestinationStream, type Logger } from 'pino';

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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
