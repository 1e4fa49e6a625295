import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Test } from 'tap';

/** The PostgreSQL tests run against (trust auth on this machine); DIALTONE_TEST_POSTGRES overrides it. */
const ADMIN_URL = process.env.DIALTONE_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Why PostgreSQL cannot be used (to skip with), or undefined when it answers. */
export async function postgresMissing(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL not reachable at ${ADMIN_URL} (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty database for this test, dropped (whoever is still connected) when the test ends;
 * teardowns registered after this one (closing stores) run first.
 */
export async function freshDatabase(t: Test): Promise<string> {
  const name = `dialtone_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  t.teardown(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}
