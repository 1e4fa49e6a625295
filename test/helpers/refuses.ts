/** Shared assertion for domain tests: `fn` throws a 400 naming `path` with a message matching `message`. */

import type { Test } from 'tap';
import { DialtoneError } from '../../src/errors.js';

export function refuses(t: Test, fn: () => unknown, path: string, message: RegExp, name?: string): void {
  try {
    const got = fn();
    t.fail(`${name ?? 'input'} was accepted as ${JSON.stringify(got)}`);
  } catch (err) {
    t.ok(err instanceof DialtoneError, `${name ?? 'input'}: throws a DialtoneError`);
    if (!(err instanceof DialtoneError)) throw err;
    t.equal(err.status, 400);
    t.same(err.errors.map((e) => e.path), [path]);
    t.match(err.errors[0]?.message, message, name ?? String(message));
  }
}
