import { type Kysely, type Migration, Migrator, sql } from 'kysely';

// Migrations live in code (not files on disk) so they ship with the package and run the same on every
// SQL store. Never edit one that has shipped: add the next.
const migrations: Record<string, Migration> = {
  '0001_keys_and_usage': {
    async up(db: Kysely<any>) {
      await db.schema.createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema.createIndex('api_keys_prefix').on('api_keys').column('prefix').execute();
      await db.schema.createTable('usage')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('model', 'text')
        .addColumn('backend', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_code', 'text')
        .addColumn('input_bytes', 'bigint', (c) => c.notNull())
        .addColumn('input_pixels', 'bigint', (c) => c.notNull())
        .addColumn('output_bytes', 'bigint', (c) => c.notNull())
        .addColumn('output_pixels', 'bigint', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('usage_created_at').on('usage').column('created_at').execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('usage').execute();
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0002_upstream_usage': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('usage').addColumn('upstream_model', 'text').execute();
      await db.schema.alterTable('usage').addColumn('attempts', 'text').execute();
      await db.schema.alterTable('usage').addColumn('upstream_latency_ms', 'integer').execute();
      await db.schema.alterTable('usage').addColumn('input_tokens', 'integer').execute();
      await db.schema.alterTable('usage').addColumn('output_tokens', 'integer').execute();
    },
  },
  '0003_key_limits': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_keys').addColumn('limits', 'text').execute();
    },
  },
  // Async jobs, their webhook deliveries, and Idempotency-Key records (issue #13).
  '0004_jobs': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_keys').addColumn('webhook_secret', 'text').execute();
      await db.schema.createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('error', 'text')
        .addColumn('response_format', 'text', (c) => c.notNull())
        .addColumn('webhook_url', 'text')
        .addColumn('webhook_next_at', 'bigint')
        .addColumn('webhook_delivered_at', 'bigint')
        .execute();
      await db.schema.createIndex('jobs_created_at').on('jobs').column('created_at').execute();
      await db.schema.createIndex('jobs_status').on('jobs').column('status').execute();
      await db.schema.createIndex('jobs_webhook_next_at').on('jobs').column('webhook_next_at').execute();
      await db.schema.createTable('webhook_attempts')
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('webhook_attempts_job').on('webhook_attempts').column('job_id').execute();
      await db.schema.createTable('idempotency')
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('idempotency_pk', ['key_id', 'key'])
        .execute();
      await db.schema.createIndex('idempotency_created_at').on('idempotency').column('created_at').execute();
    },
  },
  '0005_admin': {
    async up(db: Kysely<any>) {
      await db.schema.alterTable('api_keys').addColumn('scopes', 'text').execute();
      await db.schema.alterTable('usage').addColumn('images', 'integer').execute();
      // The admin's charts read one key's usage over a time range.
      await db.schema.createIndex('usage_key_created_at').on('usage').columns(['key_id', 'created_at']).execute();
      await db.schema.createTable('audit_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('target', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    },
  },
};

/**
 * Runs every migration not yet run. `schema` names where the migration bookkeeping lives (PostgreSQL):
 * Kysely looks its tables up by name across every schema, so without it a database holding another
 * Retouch schema would make it skip creating its own.
 */
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

export { sql };
