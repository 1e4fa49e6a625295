/**
 * Raw settings into a rendered sysConf file (facts §7.5). A raw key is the path of elements below
 * `<sysConf>`, an indexed element followed by its index: `sip.line.1.RegisterTTL` is
 * `<sip><line index="1"><RegisterTTL>` [N-PBX, V-API]. Its value replaces the one the template
 * wrote, in place; a setting the template does not write is added inside the deepest element of
 * its path that exists, so no section is written twice (whether the phone merges a repeated
 * section, or lets the second replace the first, no source says).
 *
 * The file is Dialtone's own rendering: every value in it is escaped, so each `<` opens a tag, a
 * comment or the declaration, and a scan of tags finds its elements exactly.
 */

/** What a raw key may be: up to 8 element names, each but the last may carry an index; no room for a space, `=`, `<`, `>` or a quote. */
export const RAW_KEY = /^(?:[A-Za-z_][A-Za-z0-9_-]{0,63}(?:\.\d{1,3})?\.){0,7}[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

interface Step {
  name: string;
  index?: string;
}

interface Element extends Step {
  /** Offsets: where its content starts, where its closing tag starts. */
  contentStart: number;
  close: number;
  children: Element[];
}

/** `sip.line.1.RegisterTTL` → sip, line #1, RegisterTTL. */
export function rawPath(key: string): Step[] {
  const steps: Step[] = [];
  for (const part of key.split('.')) {
    const last = steps.at(-1);
    if (/^\d+$/.test(part) && last) last.index = part;
    else steps.push({ name: part });
  }
  return steps;
}

const TOKEN = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.-]*)(?:\s+index="(\d+)")?\s*>/y;

/** The elements of a rendered file, as a tree under a nameless root. */
function parse(text: string): Element {
  const root: Element = { name: '', contentStart: 0, close: text.length, children: [] };
  const open: Element[] = [root];
  for (let at = text.indexOf('<'); at !== -1; at = text.indexOf('<', TOKEN.lastIndex)) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`sysConf: no tag at offset ${at}`);
    const [, slash, name, index] = m;
    if (name === undefined) continue; // a comment or the declaration
    const parent = open.at(-1) as Element;
    if (slash) {
      if (parent.name !== name || open.length === 1) throw new Error(`sysConf: </${name}> closes <${parent.name}>`);
      parent.close = at;
      open.pop();
    } else {
      const element: Element = { name, ...(index !== undefined ? { index } : {}), contentStart: TOKEN.lastIndex, close: -1, children: [] };
      parent.children.push(element);
      open.push(element);
    }
  }
  if (open.length !== 1) throw new Error('sysConf: unclosed element');
  return root;
}

const same = (e: Element, s: Step): boolean => e.name === s.name && e.index === s.index;
const tag = (s: Step): string => (s.index === undefined ? `<${s.name}>` : `<${s.name} index="${s.index}">`);

/** The missing part of a path, nested, each element on its own line below `indent`. */
function block(steps: readonly Step[], value: string, indent: string): string {
  const [first, ...rest] = steps as [Step, ...Step[]];
  if (rest.length === 0) return `${indent}${tag(first)}${value}</${first.name}>\n`;
  return `${indent}${tag(first)}\n${block(rest, value, `${indent}  `)}${indent}</${first.name}>\n`;
}

/**
 * The file with one raw setting applied: the element its key names gets the value (escaped with
 * `escape`), or the missing elements of its path are added at the end of the deepest one present.
 * A key naming an element that holds elements (a section) changes nothing.
 */
export function setRaw(text: string, key: string, value: string, escape: (value: string) => string): string {
  const steps = rawPath(key);
  const top = parse(text).children.find((e) => e.name === 'sysConf');
  if (!top) throw new Error('sysConf: no <sysConf>');
  let at: Element = top;
  let found = 0;
  for (const step of steps) {
    // The last of equals, as a later element would be the one to win.
    const next: Element | undefined = at.children.filter((e) => same(e, step)).at(-1);
    if (!next) break;
    at = next;
    found++;
  }
  if (found === steps.length) {
    if (at.children.length > 0) return text;
    return text.slice(0, at.contentStart) + escape(value) + text.slice(at.close);
  }
  // Inside `at`, before its closing tag: on the lines above it when it has a line of its own.
  const lineStart = text.lastIndexOf('\n', at.close - 1) + 1;
  const indent = text.slice(lineStart, at.close);
  if (/^[ \t]*$/.test(indent)) return text.slice(0, lineStart) + block(steps.slice(found), escape(value), `${indent}  `) + text.slice(lineStart);
  return text.slice(0, at.close) + block(steps.slice(found), escape(value), '').replace(/\n\s*/g, '') + text.slice(at.close);
}
