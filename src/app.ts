import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import sharp from 'sharp';
import { LocalBackend } from './backends/local/index.ts';
import { buildRoutes, type BuildRoutesOptions } from './backends/routes.ts';
import { chooseSegmenter } from './backends/local/segment/choose.ts';
import { EngineWorkers } from './backends/local/worker-pool.ts';
import { ModelRouter } from './backends/router.ts';
import type { BlobStore } from './blob/index.ts';
import type { Config } from './config/index.ts';
import type { InputStash } from './edits/inputs.ts';
import { EditService } from './edits/service.ts';
import { buildServer } from './http/server.ts';
import { createLogger } from './log.ts';
import { KeyService } from './keys/index.ts';
import { openPorts } from './ports.ts';
import type { EditQueue } from './queue/index.ts';
import { InlineQueue } from './queue/inline.ts';
import type { RateLimiter } from './ratelimit/index.ts';
import { KeyLimitGate } from './ratelimit/key-limits.ts';
import { shareProviderConcurrency } from './ratelimit/shared-backend.ts';
import { RetentionSweeper } from './retention.ts';
import type { Store } from './store/index.ts';
import { UsageMeter } from './usage/meter.ts';

export interface Services {
  config: Config;
  logger: Logger;
  store: Store;
  blobs: BlobStore;
  inputs: InputStash;
  limiter: RateLimiter;
  keys: KeyService;
  gate: KeyLimitGate;
  usage: UsageMeter;
  router: ModelRouter;
  edits: EditService;
  /** Where edits run: in this process (inline) or on workers. Doors hand jobs to it, not to `edits`. */
  queue: EditQueue;
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
  /** Tests inject the OAuth2 token source of vertex providers. */
  upstreamTokenSource?: BuildRoutesOptions['tokenSource'];
  /** Tests shorten the lease of the shared provider semaphore. */
  providerLeaseMs?: number;
}

export async function createApp(config: Config, opts: CreateAppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config);
  // libvips on glibc defaults to one thread per pipeline; use every core (measured ~2x on modulate/resize).
  sharp.concurrency(Math.max(1, (await import('node:os')).availableParallelism()));
  const ports = await openPorts(config, logger);
  const { store, blobs, limiter, inputs } = ports;
  const keys = new KeyService(store, config.apiKeys, config.keyDefaults);
  const gate = new KeyLimitGate(limiter);
  const usage = new UsageMeter(store);
  const workers = new EngineWorkers();
  const local = new LocalBackend(config.limits.maxInputPixels, config.local, workers,
    chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers));
  const routes = buildRoutes(config.routing, local, {
    maxPixels: config.limits.maxInputPixels,
    ...(opts.upstreamBackoffMs !== undefined ? { backoffMs: opts.upstreamBackoffMs } : {}),
    ...(opts.upstreamTokenSource ? { tokenSource: opts.upstreamTokenSource } : {}),
  });
  // Limits kept in this process already hold per node; a shared limiter makes them hold per cluster.
  const router = new ModelRouter(limiter.kind === 'memory' ? routes
    : shareProviderConcurrency(routes, limiter, config.routing.providers, opts.providerLeaseMs ? { leaseMs: opts.providerLeaseMs } : {}));
  const edits = new EditService({ router, blobs, inputs, limits: config.limits });
  const queue = new InlineQueue((job, runOpts) => edits.run(job, runOpts));
  const services: Services = { config, logger, store, blobs, inputs, limiter, keys, gate, usage, router, edits, queue };
  const server = await buildServer(services);
  const sweeper = new RetentionSweeper(blobs, config.imageTtlMs, logger);
  sweeper.start();
  return {
    server,
    services,
    async close() {
      sweeper.stop();
      await server.close();
      await queue.close();
      await local.close();
      await ports.close();
    },
  };
}
