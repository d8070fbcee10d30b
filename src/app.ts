import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import sharp from 'sharp';
import { LocalBackend } from './backends/local/index.ts';
import { buildRoutes } from './backends/routes.ts';
import { chooseSegmenter } from './backends/local/segment/choose.ts';
import { EngineWorkers } from './backends/local/worker-pool.ts';
import { ModelRouter } from './backends/router.ts';
import type { BlobStore } from './blob/index.ts';
import { FsBlobStore } from './blob/fs.ts';
import type { Config } from './config/index.ts';
import { buildServer } from './http/server.ts';
import { KeyService } from './keys/index.ts';
import { RetentionSweeper } from './retention.ts';
import type { Store } from './store/index.ts';
import { openSqliteStore } from './store/sqlite.ts';
import { UsageMeter } from './usage/meter.ts';

export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  blobs: BlobStore;
  keys: KeyService;
  usage: UsageMeter;
  router: ModelRouter;
}

export interface App {
  server: FastifyInstance;
  services: Services;
  /** Stops accepting requests, lets in-flight ones finish, then closes storage. */
  close(): Promise<void>;
}

/** The composition root: builds every service in order and hands them to the HTTP layer. */
export interface CreateAppOptions {
  logger?: Logger;
  /** Tests shorten the upstream retry backoff. */
  upstreamBackoffMs?: number;
}

export async function createApp(config: Config, opts: CreateAppOptions = {}): Promise<App> {
  const logger = opts.logger ?? pino({ level: config.logLevel });
  // libvips on glibc defaults to one thread per pipeline; use every core (measured ~2x on modulate/resize).
  sharp.concurrency(Math.max(1, (await import('node:os')).availableParallelism()));
  const store = await openSqliteStore(path.join(config.dataDir, 'retouch.db'));
  const blobs = new FsBlobStore(path.join(config.dataDir, 'images'));
  const keys = new KeyService(store, config.apiKeys);
  const usage = new UsageMeter(store);
  const workers = new EngineWorkers();
  const local = new LocalBackend(config.limits.maxInputPixels, config.local, workers,
    chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers));
  const router = new ModelRouter(buildRoutes(config.routing, local, {
    maxPixels: config.limits.maxInputPixels,
    ...(opts.upstreamBackoffMs !== undefined ? { backoffMs: opts.upstreamBackoffMs } : {}),
  }));
  const services: Services = { config, logger, store, blobs, keys, usage, router };
  const server = await buildServer(services);
  const sweeper = new RetentionSweeper(blobs, config.imageTtlMs, logger);
  sweeper.start();
  return {
    server,
    services,
    async close() {
      sweeper.stop();
      await server.close();
      await local.close();
      await store.close();
    },
  };
}
