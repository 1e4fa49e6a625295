import { JsonStore } from './json.js';
import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

export type { Store } from './store.js';
export type StoreKind = 'json' | 'memory';

/** The one place (with main) that names a concrete backend. */
export function createStore(kind: StoreKind, dataDir: string): Store {
  return kind === 'json' ? new JsonStore(dataDir) : new MemoryStore();
}
