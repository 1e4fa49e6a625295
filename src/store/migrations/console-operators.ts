import type { Migration } from './index.js';

/**
 * The web console's operators and sessions (web console issue), kept like tokens: the key and
 * the record whole. Sessions are found by key only; their expiry is in the record.
 */
export const consoleOperators: Migration = {
  id: 3,
  name: 'console operators and sessions',
  sql: `
CREATE TABLE operators (
  name text COLLATE "C" PRIMARY KEY,
  doc json NOT NULL
);

CREATE TABLE sessions (
  id text COLLATE "C" PRIMARY KEY,
  doc json NOT NULL
);
`,
};
