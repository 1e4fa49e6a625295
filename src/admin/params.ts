/** Checks for path parameters (see Route.params): a value that cannot name anything is a 404. */
import { parseMac } from '../domain/mac.js';
import { notFound } from '../errors.js';
import * as s from './schemas.js';

/** `{mac}` in any accepted form; a malformed one cannot name a device, so it is a 404 too. */
export const macParam = (text: string): string => {
  try {
    return parseMac(text);
  } catch {
    throw notFound('device');
  }
};
/** `{id}` of a site or an employee: only a UUID can name one (see schemas.idOf). */
export const idParam = (what: string) => {
  const schema = s.idOf(what);
  return (text: string): string => {
    const parsed = schema.safeParse(text);
    if (!parsed.success) throw notFound(what);
    return parsed.data;
  };
};
