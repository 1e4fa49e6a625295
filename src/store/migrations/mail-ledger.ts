import type { Migration } from './index.js';

/**
 * Welcome emails on a database several instances share: which instance took each message to send
 * (its own outbox folder holds the message itself), and what became of it (`doc`: status,
 * attempts, last error, when sent; null until its outbox has it), so that each is sent once and
 * its status reads the same through every instance.
 */
export const mailLedger: Migration = {
  id: 6,
  name: 'welcome emails: who sends each, and what became of it',
  sql: `
CREATE TABLE dialtone_mail (
  id text COLLATE "C" PRIMARY KEY,
  employee_id text COLLATE "C" NOT NULL,
  requested_at text COLLATE "C" NOT NULL,
  holder text COLLATE "C" NOT NULL,
  doc jsonb
);
`,
};
