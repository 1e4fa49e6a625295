import type { Format } from '../vendors/pack.js';

/**
 * Escapers, one per file format. The render context is escaped with the file's escaper before
 * the template sees it, and templates are compiled without Handlebars' own (HTML) escaping, so
 * every value in every file is escaped once, for the format it lands in.
 */

// Characters XML 1.0 cannot carry at all, even as references.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Safe in XML text and in attribute values of either quote; `]]>` cannot survive (its `>` is escaped). */
export const escapeXml = (value: string): string => value.replace(XML_FORBIDDEN, '').replace(/[&<>"'\t\n\r]/g, (c) => XML_ENTITIES[c] ?? c);

// Anything that could end a line or confuse a line-oriented parser: C0/C1 controls, DEL, and
// Unicode line and paragraph separators.
const LINE_BREAKERS = /[\p{Cc}\u2028\u2029]+/gu;

/**
 * For `key = value` and `key: value` lines: a value stays on its own line, so a newline followed
 * by `account.1.password = x` is one harmless value, not a second key. Control characters become
 * a single space; surrounding white space (which parsers trim) goes too.
 */
export const escapeLine = (value: string): string => value.replace(LINE_BREAKERS, ' ').trim();

export const ESCAPERS: Record<Format, (value: string) => string> = {
  xml: escapeXml,
  kv: escapeLine,
  text: escapeLine,
};

/** A deep copy of `value` with every string escaped for `format`. */
export function escapeAll<T>(value: T, format: Format): T {
  const escape = ESCAPERS[format];
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return escape(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = walk((v as Record<string, unknown>)[k]);
    return out;
  };
  return walk(value) as T;
}
