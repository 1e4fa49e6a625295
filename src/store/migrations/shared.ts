import type { Migration } from './index.js';

/**
 * Step 2: what several Dialtone instances on one database share besides the records (see
 * store/shared-postgres.ts and README "Several instances"). Tables whose loss in a crash only
 * forgets short-lived counts are UNLOGGED (no WAL: cheaper per request; PostgreSQL empties them
 * after a crash, not after a clean restart).
 */
export const SHARED_STATE: Migration = {
  id: 2,
  name: 'shared state',
  sql: `
-- The highest Digest nonce count accepted per nonce, until the nonce expires (epoch ms).
CREATE UNLOGGED TABLE dialtone_nonces (
  nonce text COLLATE "C" PRIMARY KEY,
  nc bigint NOT NULL,
  expires bigint NOT NULL
);
CREATE INDEX dialtone_nonces_expires ON dialtone_nonces (expires);

-- A one-way fingerprint of the secret key the first instance had: every other must have the same.
CREATE TABLE dialtone_key_check (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  fingerprint text NOT NULL
);

-- Offence and failed-authentication counts, in the shape rate-limiter-flexible's RateLimiterPostgres uses.
CREATE UNLOGGED TABLE dialtone_rate_limits (
  key varchar(255) PRIMARY KEY,
  points integer NOT NULL DEFAULT 0,
  expire bigint
);

-- Client addresses banned (epoch ms).
CREATE TABLE dialtone_bans (
  address text COLLATE "C" PRIMARY KEY,
  since bigint NOT NULL,
  until bigint NOT NULL,
  reason text NOT NULL
);

-- Provisioning events: one row per event an instance kept (repeats fold into it), keyed by
-- instance and number; mac is null for the security log.
CREATE TABLE dialtone_timeline (
  id text COLLATE "C" PRIMARY KEY,
  mac text COLLATE "C",
  claim boolean NOT NULL,
  at bigint NOT NULL,
  event json NOT NULL
);
CREATE INDEX dialtone_timeline_mac ON dialtone_timeline (mac, claim, at);
CREATE INDEX dialtone_timeline_at ON dialtone_timeline (at);

-- The first claim on each enrollment window (window_end: the device's enrollmentUntil), taken
-- here before it is written to the device, so that two instances cannot both grant a window.
CREATE TABLE dialtone_window_claims (
  mac text COLLATE "C" NOT NULL,
  window_end text COLLATE "C" NOT NULL,
  claim json NOT NULL,
  PRIMARY KEY (mac, window_end)
);

-- Resyncs asked for through any instance (the whole record in doc, times as epoch ms); seq keeps
-- the order they were asked in when two share a millisecond.
CREATE TABLE dialtone_resyncs (
  id text COLLATE "C" PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  mac text COLLATE "C" NOT NULL,
  requested bigint NOT NULL,
  doc jsonb NOT NULL
);
CREATE INDEX dialtone_resyncs_mac ON dialtone_resyncs (mac, requested, seq);
`,
};
