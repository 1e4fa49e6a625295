import type { Migration } from './index.js';

/**
 * The instance that holds a resync still `queued` (a site resync waiting for its slot) and is to
 * send it: its connections are named after it (PostgresStore.instance), so that a reader can
 * tell from pg_stat_activity that it is gone and the resync will never be sent.
 */
export const resyncHolders: Migration = {
  id: 5,
  name: 'the instance holding a queued resync',
  sql: `
ALTER TABLE dialtone_resyncs ADD COLUMN holder text COLLATE "C";
`,
};
