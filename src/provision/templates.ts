import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { StartupError } from '../errors.js';
import type { VendorPack } from '../vendors/pack.js';

type AstNode = { type: string; path?: { type: string; original?: string }; params?: unknown[]; hash?: { pairs: unknown[] }; program?: { body: AstNode[] }; inverse?: { body: AstNode[] }; loc?: { start: { line: number } } };

const BLOCKS = new Set(['if', 'unless', 'each', 'with']);

/**
 * Templates may hold only text, `{{path}}` values and `if`/`unless`/`each`/`with` blocks: no
 * partials, no helpers, no triple-stash. Returns the first offence, if any.
 */
function offence(nodes: AstNode[]): string | undefined {
  for (const node of nodes) {
    const line = node.loc?.start.line ?? 0;
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        break;
      case 'MustacheStatement':
        if (node.path?.type !== 'PathExpression' || (node.params?.length ?? 0) > 0 || (node.hash?.pairs.length ?? 0) > 0) {
          return `line ${line}: only plain {{values}} are allowed`;
        }
        break;
      case 'BlockStatement': {
        const name = node.path?.original ?? '';
        if (!BLOCKS.has(name) || node.params?.length !== 1) return `line ${line}: block "${name}" is not allowed (only if, unless, each, with)`;
        const inner = offence(node.program?.body ?? []) ?? offence(node.inverse?.body ?? []);
        if (inner) return inner;
        break;
      }
      default:
        return `line ${line}: ${node.type} is not allowed`;
    }
  }
  return undefined;
}

export type Render = (context: object) => string;

/**
 * Every pack's templates, compiled once (without Handlebars' HTML escaping: the context arrives
 * escaped for the file's format, see escape.ts) and compiled again when a file under the folder
 * changes. `generation` counts the reloads, so caches can tell old renders from new.
 */
export class Templates {
  private compiled = new Map<string, Render>();
  private watcher: FSWatcher | undefined;
  generation = 0;

  constructor(
    private readonly dir: string,
    private readonly packs: readonly VendorPack[],
  ) {}

  async load(): Promise<void> {
    const next = new Map<string, Render>();
    for (const pack of this.packs) {
      for (const spec of pack.files) {
        // A directory's body is built by its pack, not rendered from a template.
        if (spec.directory) continue;
        for (const name of [spec.template, spec.bootstrapTemplate]) {
          if (!name || next.has(`${pack.id}/${name}`)) continue;
          const file = join(this.dir, pack.id, name);
          const source = await readFile(file, 'utf8').catch((err: Error) => {
            throw new StartupError(`cannot read template ${file}: ${err.message}`);
          });
          const problem = offence(Handlebars.parse(source).body);
          if (problem) throw new StartupError(`template ${file}, ${problem}`);
          next.set(`${pack.id}/${name}`, Handlebars.compile(source, { noEscape: true, strict: false, knownHelpersOnly: true }));
        }
      }
    }
    this.compiled = next;
    this.generation++;
  }

  /** Recompiles on changes under the folder; a broken edit keeps the previous templates. */
  watch(onError: (err: unknown) => void): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(this.dir, { recursive: true }, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.load().catch(onError), 100);
    });
    this.watcher.unref();
  }

  close(): void {
    this.watcher?.close();
  }

  get(pack: string, template: string): Render {
    const render = this.compiled.get(`${pack}/${template}`);
    if (!render) throw new Error(`template ${pack}/${template} is not loaded`);
    return render;
  }
}
