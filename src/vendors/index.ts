/**
 * The vendor packs, and the questions asked of all of them at once: which models exist, which
 * pack owns a model, which file specs a requested name can be.
 */
import { adminPasswordFormat, type FileSpec, type Model, type VendorPack } from './pack.js';
import type { KeyType } from '../domain/types.js';
import { cisco } from './cisco.js';
import { grandstream } from './grandstream.js';
import { polycom } from './polycom.js';
import { aastra } from './aastra.js';
import { fanvil } from './fanvil.js';
import { snom } from './snom.js';
import { yealink } from './yealink.js';

export type { FileSpec, Model, VendorPack } from './pack.js';

export const PACKS: readonly VendorPack[] = [yealink, polycom, cisco, grandstream, snom, fanvil, aastra];

export interface ModelInfo {
  id: string;
  vendor: string;
  name: string;
  /** File names its phones request: `<mac>` / `<MAC>` for the MAC in lower / upper case. */
  files: string[];
  lines: number;
  keys: number;
  keyTypes: KeyType[];
  rawSettings: boolean;
  /** The admin passwords it takes, for people. */
  adminPassword: string;
}

const shown = (pattern: string, model: Model): string => pattern.replaceAll('{mac}', '<mac>').replaceAll('{MAC}', '<MAC>').replaceAll('{page}', '<page>').replaceAll('{model}', model.fileKey ?? '');

/** Whether this model's phones ask for names of the spec: a model file needs the model's own key. */
const asks = (spec: FileSpec, model: Model): boolean => (spec.onlyFor?.(model) ?? true) && (model.fileKey !== undefined || !spec.pattern.includes('{model}'));

export function modelList(packs: readonly VendorPack[] = PACKS): ModelInfo[] {
  return packs.flatMap((pack) =>
    pack.models.map((model) => ({
      id: model.id,
      vendor: pack.id,
      name: model.name,
      files: pack.files.filter((f) => asks(f, model)).map((f) => shown(f.pattern, model)),
      lines: model.lines ?? pack.lines,
      keys: model.keys ?? pack.keys,
      keyTypes: [...(model.keyTypes ?? pack.keyTypes)],
      rawSettings: pack.rawKey !== undefined,
      adminPassword: adminPasswordFormat(pack).describe,
    })),
  );
}

export interface Match {
  pack: VendorPack;
  spec: FileSpec;
  /** Lower-case MAC, for device files. */
  mac?: string;
  /** The model a model file names. */
  model?: Model;
  /** The page a paged directory name asks for, from 1. */
  page?: number;
}

interface Compiled {
  pack: VendorPack;
  spec: FileSpec;
  re: RegExp;
  models: Map<string, Model>;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(pack: VendorPack, spec: FileSpec): Compiled {
  const models = new Map(pack.models.filter((m) => m.fileKey !== undefined).map((m) => [m.fileKey as string, m]));
  const keys = [...models.keys()].sort((a, b) => b.length - a.length).map(escapeRe);
  const source = spec.pattern
    .split(/(\{mac\}|\{MAC\}|\{model\}|\{page\})/)
    .map((part) => {
      if (part === '{mac}') return '(?<mac>[0-9a-f]{12})';
      if (part === '{MAC}') return '(?<mac>[0-9A-F]{12})';
      if (part === '{model}') return `(?<model>${keys.join('|') || '(?!)'})`;
      if (part === '{page}') return '(?<page>[1-9][0-9]{0,3})';
      return escapeRe(part);
    })
    .join('');
  return { pack, spec, re: new RegExp(`^${source}$`), models };
}

/** Looks names up among the packs' file specs. */
export class FileIndex {
  private readonly compiled: Compiled[];
  private readonly models = new Map<string, { pack: VendorPack; model: Model }>();
  /** Whether some name is two path segments (see FileSpec.pattern). */
  readonly nested: boolean;

  constructor(readonly packs: readonly VendorPack[] = PACKS) {
    this.compiled = packs.flatMap((pack) => pack.files.map((spec) => compile(pack, spec)));
    this.nested = packs.some((pack) => pack.files.some((spec) => spec.pattern.includes('/')));
    // The first pack to list a model id owns it.
    for (const pack of [...packs].reverse()) {
      for (const model of pack.models) for (const id of [model.id, ...(model.formerIds ?? [])]) this.models.set(id, { pack, model });
    }
  }

  /** Every spec the name can be, device files first. */
  match(name: string): Match[] {
    const out: Match[] = [];
    for (const c of this.compiled) {
      const m = c.re.exec(name);
      if (!m) continue;
      const mac = m.groups?.mac?.toLowerCase();
      const model = m.groups?.model === undefined ? undefined : c.models.get(m.groups.model);
      const page = m.groups?.page === undefined ? undefined : Number(m.groups.page);
      out.push({ pack: c.pack, spec: c.spec, ...(mac ? { mac } : {}), ...(model ? { model } : {}), ...(page ? { page } : {}) });
    }
    return out.sort((a, b) => Number(b.spec.scope === 'device') - Number(a.spec.scope === 'device'));
  }

  /** Whether some pack's phones routinely ask for this name (see VendorPack.routineMisses). */
  routine(name: string): boolean {
    return this.packs.some((p) => p.routineMisses?.some((re) => re.test(name)));
  }

  /** The pack and model for a model id. */
  model(id: string): { pack: VendorPack; model: Model } | undefined {
    return this.models.get(id);
  }
}
