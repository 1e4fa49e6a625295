/**
 * The PostgreSQL schema, one step per migration, in order. A step, once released, is never
 * edited: a change to the schema is a new step. They are TypeScript strings (not .sql files) so
 * that the build carries them into dist/ with the code that reads them.
 *
 * Every record is kept whole, as given, in `doc` (json, not jsonb: json keeps the text, so keys
 * come back in the order they were written, which raw vendor settings rely on). Beside it are
 * the columns the rules and lists need: keys (COLLATE "C", so that ORDER BY and `>` compare as
 * JavaScript's `<` does), references, and `words`: the searchable fields, lower-cased by the
 * writer (as the memory store lower-cases them), for a list's `q`.
 */
import { consoleOperators } from './console-operators.js';
import { mailLedger } from './mail-ledger.js';
import { resyncHolders } from './resync-holders.js';
import { sessionFilters } from './session-filters.js';
import { SHARED_STATE } from './shared.js';

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial',
    sql: `
-- Bumped by every write transaction, so that it can be told from a database that others write.
CREATE TABLE dialtone_revision (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  n bigint NOT NULL DEFAULT 0
);
INSERT INTO dialtone_revision DEFAULT VALUES;

CREATE TABLE sites (
  id text COLLATE "C" PRIMARY KEY,
  words text[] NOT NULL,
  doc json NOT NULL
);

CREATE TABLE employees (
  id text COLLATE "C" PRIMARY KEY,
  site_id text COLLATE "C" NOT NULL CONSTRAINT employees_site REFERENCES sites (id),
  -- the username lower-cased (by the writer, as the other stores compare it)
  username_key text COLLATE "C" NOT NULL CONSTRAINT employees_username UNIQUE,
  extension text COLLATE "C" NOT NULL,
  words text[] NOT NULL,
  doc json NOT NULL,
  CONSTRAINT employees_extension UNIQUE (site_id, extension)
);

CREATE TABLE devices (
  mac text COLLATE "C" PRIMARY KEY,
  -- line 1's employee
  employee_id text COLLATE "C" CONSTRAINT devices_employee REFERENCES employees (id),
  model text COLLATE "C" NOT NULL,
  words text[] NOT NULL,
  doc json NOT NULL
);
CREATE INDEX devices_employee_id ON devices (employee_id);

-- The employees of lines 2..N, so that none can go while a line names them.
CREATE TABLE device_lines (
  mac text COLLATE "C" NOT NULL REFERENCES devices (mac) ON DELETE CASCADE,
  employee_id text COLLATE "C" NOT NULL CONSTRAINT device_lines_employee REFERENCES employees (id)
);
CREATE INDEX device_lines_mac ON device_lines (mac);
CREATE INDEX device_lines_employee_id ON device_lines (employee_id);

-- Every SIP auth name of every device (its own and its lines'): one device each.
CREATE TABLE auth_names (
  name text COLLATE "C" CONSTRAINT auth_names_name PRIMARY KEY,
  mac text COLLATE "C" NOT NULL REFERENCES devices (mac) ON DELETE CASCADE
);
CREATE INDEX auth_names_mac ON auth_names (mac);

CREATE TABLE numbers (
  number text COLLATE "C" PRIMARY KEY,
  words text[] NOT NULL,
  doc json NOT NULL
);

-- Each number routed to one employee at most (employee.numbers, kept in step by the writer).
CREATE TABLE routes (
  number text COLLATE "C" CONSTRAINT routes_number_once PRIMARY KEY CONSTRAINT routes_number REFERENCES numbers (number),
  employee_id text COLLATE "C" NOT NULL REFERENCES employees (id) ON DELETE CASCADE
);
CREATE INDEX routes_employee_id ON routes (employee_id);

CREATE TABLE settings (
  scope text COLLATE "C" PRIMARY KEY,
  doc json NOT NULL
);

CREATE TABLE tokens (
  id text COLLATE "C" PRIMARY KEY,
  doc json NOT NULL
);

CREATE TABLE audit (
  id text COLLATE "C" PRIMARY KEY,
  at text COLLATE "C" NOT NULL,
  actor text COLLATE "C" NOT NULL,
  action text COLLATE "C" NOT NULL,
  target text COLLATE "C",
  doc json NOT NULL
);
`,
  },
  SHARED_STATE,
  consoleOperators,
  sessionFilters,
  resyncHolders,
  mailLedger,
];
