/** Reads `key = value` (or, with `:`, `key: value`) lines as a phone would: last one wins, `#` lines are comments. */
export function parseLines(text: string, separator: '=' | ':' = '='): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.indexOf(separator);
    if (at < 0) continue;
    out.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return out;
}
