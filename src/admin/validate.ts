/**
 * One round of errors: a request (or an import row) is checked whole and every problem is
 * reported at once. The schema's issues name the fields that are malformed; every field that is
 * well formed on its own goes on to the records' checks (references, duplicates), even when
 * others are not. The answer is a 400 when any problem is an input error, a 409 only when every
 * one is a conflict.
 */
import { z } from 'zod';
import { DialtoneError, invalid, type FieldError } from '../errors.js';

/** zod issues as field errors: one per wrong field, unknown fields each named; paths under `at`. */
export function fieldErrors(error: z.ZodError, at = ''): FieldError[] {
  const join = (path: PropertyKey[]): string => [...(at ? [at] : []), ...path.map(String)].join('.');
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'is not a known field' }));
    }
    // zod does not report the input: a missing field is the type error whose own message says it received undefined.
    const message = issue.code === 'invalid_type' && / received undefined$/.test(issue.message) ? 'is required' : issue.message;
    return [{ path: join(issue.path), message }];
  });
}

/** The problems of one request or row: input errors (400) and conflicts with what is stored (409). */
export class Checks {
  readonly errors: FieldError[] = [];
  readonly conflicts: FieldError[] = [];

  get failed(): boolean {
    return this.errors.length > 0 || this.conflicts.length > 0;
  }

  /** Whether a problem names `path` or a field inside it: a value derived from it is not checked again. */
  names(path: string): boolean {
    return [...this.errors, ...this.conflicts].some((e) => e.path === path || e.path.startsWith(`${path}.`));
  }

  /** Runs a check that throws a DialtoneError, keeping its errors instead of stopping. */
  run<T>(check: () => T): T | undefined {
    try {
      return check();
    } catch (err) {
      if (!(err instanceof DialtoneError) || (err.code !== 'invalid_input' && err.code !== 'conflict')) throw err;
      (err.code === 'conflict' ? this.conflicts : this.errors).push(...err.errors);
      return undefined;
    }
  }

  conflict(path: string, message: string): void {
    this.conflicts.push({ path, message });
  }

  /** Every problem as one error: 400 when any is an input error, 409 when all are conflicts. */
  error(): DialtoneError | undefined {
    if (this.errors.length > 0) return invalid([...this.errors, ...this.conflicts]);
    if (this.conflicts.length > 0) return new DialtoneError('conflict', this.conflicts.map((e) => `${e.path}: ${e.message}`).join('; '), this.conflicts);
    return undefined;
  }

  done(): void {
    const error = this.error();
    if (error) throw error;
  }
}

/** What a schema's output is when only some fields are well formed: each object's fields optional, lists whole. */
export type Draft<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: Draft<T[K]> } : T;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object schema a field's schema wraps (optional, nullable, default), if it is one. */
function objectInside(schema: z.ZodType): z.ZodObject | undefined {
  let s: z.ZodType = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? s : undefined;
}

/**
 * `raw` parsed by `schema`, field by field where it fails: the value of every well-formed field
 * (objects inside taken apart the same way; a list is one field), with the issues of the others
 * added to `checks` (paths under `at`). A refinement of a whole object runs, as in zod, only when
 * each of its fields is well formed; the records layer checks the rules that span fields.
 */
export function wellFormed<S extends z.ZodType>(schema: S, raw: unknown, checks: Checks, at = ''): Draft<z.output<S>> | undefined {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data as Draft<z.output<S>>;
  const object = objectInside(schema);
  if (!object || !isPlainObject(raw)) {
    checks.errors.push(...fieldErrors(parsed.error, at));
    return undefined;
  }
  const before = checks.errors.length;
  const path = (key: string): string => (at ? `${at}.${key}` : key);
  const shape = object.shape as Record<string, z.ZodType>;
  if (object.def.catchall instanceof z.ZodNever) {
    for (const key of Object.keys(raw)) if (!Object.hasOwn(shape, key)) checks.errors.push({ path: path(key), message: 'is not a known field' });
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const value = wellFormed(field, Object.hasOwn(raw, key) ? raw[key] : undefined, checks, path(key));
    if (value !== undefined) out[key] = value;
  }
  // Every field well formed, and still refused: a rule over the whole object.
  if (checks.errors.length === before) checks.errors.push(...fieldErrors(parsed.error, at));
  return out as Draft<z.output<S>>;
}
