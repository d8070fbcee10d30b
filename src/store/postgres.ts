import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Store } from './index.ts';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { SqlStore } from './sql-store.ts';

/** Any number that is the same on every node: the key of the advisory lock migrations run under. */
const MIGRATION_LOCK = 0x7265_746f;

/**
 * Splits `?schema=name` off a postgres:// URL (pg does not know it): the store then lives in that
 * schema, made if absent, so several deployments (or test runs) can share one database.
 */
export function parseDatabaseUrl(url: string): { connectionString: string; schema: string | undefined } {
  const u = new URL(url);
  const schema = u.searchParams.get('schema') ?? undefined;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/i.test(schema)) throw new Error(`RETOUCH_DATABASE_URL: schema '${schema}' must be a plain identifier`);
  u.searchParams.delete('schema');
  return { connectionString: u.toString(), schema };
}

/**
 * The shared store: the same Kysely schema and migrations as SQLite, over a pg pool. Migrations run
 * under a session advisory lock, so two nodes starting at once migrate one after the other.
 */
export async function openPostgresStore(url: string, opts: { max?: number } = {}): Promise<Store> {
  const { connectionString, schema } = parseDatabaseUrl(url);
  // bigint (int8) counts come back as strings by default; every value we keep fits a double.
  pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  const pool = new pg.Pool({
    connectionString,
    max: opts.max ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  try {
    const lock = await pool.connect();
    try {
      await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      if (schema) await lock.query(`create schema if not exists "${schema}"`);
      const { rows } = await lock.query<{ schema: string }>('select current_schema() as schema');
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      await migrateToLatest(db, rows[0]?.schema ?? 'public');
      await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      return new SqlStore('postgres', db);
    } finally {
      lock.release();
    }
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
}
