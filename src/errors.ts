/**
 * One error class for everything Dialtone answers on purpose, and one serializer to
 * application/problem+json (RFC 9457). Anything else that reaches the serializer is an internal
 * error: the client gets a bare 500 and the details stay in the log.
 */

export interface FieldError {
  /** Dotted path of the offending field, e.g. `device.mac` or `address.country`; `` for the body. */
  path: string;
  message: string;
}

export type ErrorCode =
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'internal'
  | 'unavailable';

const TITLES: Record<ErrorCode, string> = {
  invalid_input: 'Invalid input',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  too_many_requests: 'Too many requests',
  internal: 'Internal server error',
  unavailable: 'Service unavailable',
};

const STATUS: Record<ErrorCode, number> = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
};

export class DialtoneError extends Error {
  readonly status: number;
  /** Whether `message` may be shown to a client. */
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DialtoneError';
    this.status = STATUS[code];
    // A 503 says what is missing (the database) and when to come back, never how it failed.
    this.expose = this.status < 500 || code === 'unavailable';
  }
}

/** Seconds a client is told to wait (Retry-After) before trying again what a 503 refused. */
export const RETRY_AFTER_SECONDS = 2;

/**
 * Something Dialtone needs (the database) cannot be reached now: the request was not done and
 * may be tried again. `cause` is for the log, never for the client.
 */
export const unavailable = (message: string, cause?: unknown): DialtoneError => new DialtoneError('unavailable', message, [], { cause });

export const isUnavailable = (err: unknown): err is DialtoneError => err instanceof DialtoneError && err.code === 'unavailable';

/**
 * A write of a record read, changed and written back, refused because another request changed
 * the record in between (the store's `was` check): tried again from a fresh read (records.ts),
 * a 409 only when that keeps happening.
 */
export class ChangedMeanwhile extends DialtoneError {
  constructor(what: string) {
    super('conflict', `${what} was changed by another request meanwhile; try again`);
  }
}

/**
 * A read, change and write of a record (`work`, whose write gives the store the record it read as
 * `was`), done again from a fresh read while another request changes that record in between (up
 * to ten times, then the ChangedMeanwhile 409): two merge patches of one record at once both take
 * effect, whichever instance serves them. `work` is told which try it is (1: the first).
 */
export async function anew<T>(work: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (err) {
      if (!(err instanceof ChangedMeanwhile) || attempt >= 10) throw err;
    }
  }
}

export const invalid = (errors: FieldError[], detail?: string): DialtoneError =>
  new DialtoneError(
    'invalid_input',
    detail ?? errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '),
    errors,
  );

export const invalidField = (path: string, message: string): DialtoneError => invalid([{ path, message }]);

export const notFound = (what: string): DialtoneError => new DialtoneError('not_found', `${what} not found`);

export const conflict = (path: string, message: string): DialtoneError =>
  new DialtoneError('conflict', `${path}: ${message}`, [{ path, message }]);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

/** The problem+json body for any thrown value. Unknown errors become an opaque 500. */
export function toProblem(err: unknown): Problem {
  if (err instanceof DialtoneError && err.expose) {
    const problem: Problem = { type: 'about:blank', title: TITLES[err.code], status: err.status, detail: err.message };
    if (err.errors.length > 0) problem.errors = err.errors;
    return problem;
  }
  return { type: 'about:blank', title: TITLES.internal, status: 500 };
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A setting, file or environment problem that must stop start-up, with a message naming it. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
