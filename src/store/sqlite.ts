import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from './index.ts';
import { migrateToLatest } from './migrations.ts';
import type { Database } from './schema.ts';
import { SqlStore } from './sql-store.ts';

/** The embedded store: one SQLite file in the data dir, migrated on open. */
export async function openSqliteStore(file: string): Promise<Store> {
  const { default: SQLite } = await import('better-sqlite3');
  mkdirSync(path.dirname(file), { recursive: true });
  const conn = new SQLite(file);
  // WAL lets the CLI read usage while the server writes; busy_timeout rides out the CLI's short locks.
  conn.pragma('journal_mode = WAL');
  conn.pragma('busy_timeout = 5000');
  conn.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: conn }) });
  await migrateToLatest(db);
  return new SqlStore('sqlite', db);
}
