import type { Migration } from './index.js';

/**
 * Sessions found by operator (signing one out everywhere) and by their end (removing the ended
 * ones) without reading every session: the two fields as columns beside the record, indexed.
 * ISO 8601 times in UTC, as the store writes them, sort as text (COLLATE "C").
 */
export const sessionFilters: Migration = {
  id: 4,
  name: 'sessions by operator and by end',
  sql: `
ALTER TABLE sessions ADD COLUMN operator text COLLATE "C", ADD COLUMN expires_at text COLLATE "C";
UPDATE sessions SET operator = doc->>'operator', expires_at = doc->>'expiresAt';
ALTER TABLE sessions ALTER COLUMN operator SET NOT NULL, ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX sessions_operator ON sessions (operator);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
`,
};
