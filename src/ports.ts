import path from 'node:path';
import type { Logger } from 'pino';
import type { BlobStore } from './blob/index.ts';
import { FsBlobStore } from './blob/fs.ts';
import type { Config } from './config/index.ts';
import { BlobInputs, type InputStash, MemoryInputs } from './edits/inputs.ts';
import type { RateLimiter } from './ratelimit/index.ts';
import { MemoryRateLimiter } from './ratelimit/memory.ts';
import type { Store } from './store/index.ts';
import { openSqliteStore } from './store/sqlite.ts';

/** The interchangeable parts of Retouch, chosen from config: the embedded default or a shared service. */
export interface Ports {
  store: Store;
  blobs: BlobStore;
  limiter: RateLimiter;
  inputs: InputStash;
  close(): Promise<void>;
}

/**
 * The one factory of ports, for the server, the CLI and the benchmarks. The clients of PostgreSQL,
 * S3 and Redis load by dynamic import only when configured, so `npm start` needs none of them.
 */
export async function openPorts(config: Config, logger?: Logger): Promise<Ports> {
  const opened: Array<{ close(): Promise<void> }> = [];
  try {
    const store = await openStore(config);
    opened.push(store);
    const blobs = await openBlobs(config, logger);
    const limiter = await openLimiter(config);
    opened.push(limiter);
    return {
      // Jobs that run on workers read their inputs from the shared blob store; inline ones from memory.
      store, blobs, limiter, inputs: config.queue.kind === 'bullmq' ? new BlobInputs(blobs) : new MemoryInputs(),
      async close() {
        await limiter.close();
        await store.close();
      },
    };
  } catch (err) {
    await Promise.allSettled(opened.map((p) => p.close()));
    throw err;
  }
}

/** The store alone, for CLI commands that only read or write keys and usage. */
export async function openStore(config: Config): Promise<Store> {
  if (config.databaseUrl) {
    const { openPostgresStore } = await import('./store/postgres.ts');
    return openPostgresStore(config.databaseUrl);
  }
  return openSqliteStore(path.join(config.dataDir, 'retouch.db'));
}

export async function openBlobs(config: Config, logger?: Logger): Promise<BlobStore> {
  if (config.s3) {
    const { S3BlobStore } = await import('./blob/s3.ts');
    return new S3BlobStore(config.s3);
  }
  const blobs = new FsBlobStore(path.join(config.dataDir, 'images'));
  const removed = await blobs.removeStalePartials();
  if (removed) logger?.info({ removed }, 'removed partly written images left by an earlier process');
  return blobs;
}

export async function openLimiter(config: Config): Promise<RateLimiter> {
  if (config.redis) {
    const { RedisRateLimiter } = await import('./ratelimit/redis.ts');
    return RedisRateLimiter.connect(config.redis.url, config.redis.prefix);
  }
  return new MemoryRateLimiter();
}
