import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * The real services the shared ports are tested on: this machine's PostgreSQL and Redis (started by
 * .ci/run), and an S3-compatible server started here. Every run gets its own schema, key prefix and
 * bucket directory, so parallel runs never collide.
 */
export const PG_BASE = process.env.RETOUCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.RETOUCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

const tag = () => `${process.pid}_${randomBytes(4).toString('hex')}`;

/** A fresh schema in the test database; `drop()` removes it and everything in it. */
export async function pgSchema(): Promise<{ url: string; schema: string; drop(): Promise<void> }> {
  const schema = `rt_${tag()}`;
  return {
    schema,
    url: `${PG_BASE}?schema=${schema}`,
    async drop() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: PG_BASE });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    },
  };
}

/** A fresh Redis key prefix; `clean()` deletes every key under it. */
export async function redisPrefix(): Promise<{ url: string; prefix: string; clean(): Promise<void> }> {
  const prefix = `rt-test:${tag()}:`;
  return {
    url: REDIS_URL,
    prefix,
    async clean() {
      const { Redis } = await import('ioredis');
      const r = new Redis(REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await r.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      await r.quit();
    },
  };
}

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** The environment a Retouch process needs to use this bucket. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver on a loopback port with one bucket, its files in a temporary directory. */
export async function startS3(): Promise<S3Server> {
  const { default: S3rver } = await import('s3rver');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-s3-'));
  const bucket = 'retouch-test';
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = (await server.run()) as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    env: {
      RETOUCH_S3_BUCKET: bucket, RETOUCH_S3_ENDPOINT: endpoint, RETOUCH_S3_FORCE_PATH_STYLE: 'true', RETOUCH_S3_REGION: 'us-east-1',
      RETOUCH_S3_REQUEST_CHECKSUM: 'when_required', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
