import t from 'tap';
import { MemoryStore } from '../../../src/store/memory.js';
import { conformance } from './conformance.js';

conformance(t, async () => {
  const store = new MemoryStore();
  await store.open();
  return store;
});
