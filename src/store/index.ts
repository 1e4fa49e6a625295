import { JsonStore } from './json.js';
import { MemoryStore } from './memory.js';
import { PostgresStore, type PostgresOptions } from './postgres.js';
import type { Store } from './store.js';

export type { Store } from './store.js';
export type StoreKind = 'json' | 'postgres' | 'memory';

/** Where a store keeps its data: the data folder (json), the database (postgres). */
export interface StoreWhere {
  dataDir: string;
  databaseUrl?: string | undefined;
  postgres?: PostgresOptions;
}

/** The one place (with main) that names a concrete backend. */
export function createStore(kind: StoreKind, where: StoreWhere): Store {
  if (kind === 'postgres') return new PostgresStore(where.databaseUrl as string, where.postgres);
  return kind === 'json' ? new JsonStore(where.dataDir) : new MemoryStore();
}
