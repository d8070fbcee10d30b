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
import { createLogger } from './log.ts';
import { KeyService } from './keys/index.ts';
import { Metrics } from './metrics/index.ts';
import { timedSegmenter } from './metrics/timed-segmenter.ts';
import { openPorts } from './ports.ts';
import { type EndUnprocessed, jobProcessor, unprocessedJobEnder } from './jobs/processor.ts';
import { WebhookSender } from './jobs/webhooks.ts';
import type { ProcessEdit } from './queue/index.ts';
import { Redactor } from './redact.ts';
import type { RateLimiter } from './ratelimit/index.ts';
import { KeyLimitGate } from './ratelimit/key-limits.ts';
import { seedQuotaCounters } from './ratelimit/seed-quotas.ts';
import { shareProviderConcurrency } from './ratelimit/shared-backend.ts';
import type { Store } from './store/index.ts';
import { UsageMeter } from './usage/meter.ts';

/** Everything an API node and a queue worker both need, built once per process. */
export interface CoreServices {
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
  /** Prometheus metrics of this process (GET /metrics on an API node); doors and adapters report to it. */
  metrics: Metrics;
  /**
   * The one processor of edit jobs. Every queue (inline here, the BullMQ worker elsewhere) calls
   * exactly this, never `edits.run`: whatever must happen around every edit (job records, webhooks)
   * is wrapped here, once.
   */
  process: ProcessEdit;
  /** Sends job webhooks (due attempts live in the store); the processor pokes it when a job ends. */
  webhooks: WebhookSender;
  /** Ends the record of a job that ended without its processor (see jobs/processor.ts). */
  endUnprocessed: EndUnprocessed;
  /** How long a running job's record may go untouched before it counts as its process's death. */
  jobLeaseMs: number;
}

export interface Core {
  services: CoreServices;
  /** Closes the engine and the ports (store, limiter). */
  close(): Promise<void>;
}

export interface CreateCoreOptions {
  logger?: Logger;
  /** Tests shorten the upstream retry backoff. */
  upstreamBackoffMs?: number;
  /** Tests inject the OAuth2 token source of vertex providers. */
  upstreamTokenSource?: BuildRoutesOptions['tokenSource'];
  /** Tests shorten the lease of the shared provider semaphore. */
  providerLeaseMs?: number;
  /** Tests shorten the webhook retry delays. */
  webhookScheduleMs?: number[];
  /** Tests shorten how long an untouched running job lives (default 60 s). */
  jobLeaseMs?: number;
}

/** Builds the services in order: ports, keys and limits, the engine and upstream routes, the edit service. */
export async function createCore(config: Config, opts: CreateCoreOptions = {}): Promise<Core> {
  const logger = opts.logger ?? createLogger(config);
  // libvips on glibc defaults to one thread per pipeline; use every core (measured ~2x on modulate/resize).
  sharp.concurrency(Math.max(1, (await import('node:os')).availableParallelism()));
  const ports = await openPorts(config, logger);
  const { store, blobs, limiter, inputs } = ports;
  const keys = new KeyService(store, config.apiKeys, config.keyDefaults, config.adminKeys, config.jobs.staticKeysWebhookSecret);
  const gate = new KeyLimitGate(limiter);
  // An in-memory limiter starts empty: the quotas' spend so far this day and month is read back
  // from the usage records, so a restart does not hand every key its quotas again.
  try {
    const seeded = await seedQuotaCounters(store, limiter, gate, keys);
    if (seeded) logger.info({ keys: seeded }, 'quota counters rebuilt from the usage records');
  } catch (err) {
    await ports.close().catch(() => {});
    throw err;
  }
  const usage = new UsageMeter(store);
  const metrics = new Metrics();
  const workers = new EngineWorkers();
  const local = new LocalBackend(config.limits.maxInputPixels, config.local, workers,
    timedSegmenter(chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers, config.local.segmentSide), metrics));
  const routes = buildRoutes(config.routing, local, {
    maxPixels: config.limits.maxInputPixels,
    ...(opts.upstreamBackoffMs !== undefined ? { backoffMs: opts.upstreamBackoffMs } : {}),
    ...(opts.upstreamTokenSource ? { tokenSource: opts.upstreamTokenSource } : {}),
  });
  // Limits kept in this process already hold per node; a shared limiter makes them hold per cluster.
  const router = new ModelRouter(limiter.kind === 'memory' ? routes
    : shareProviderConcurrency(routes, limiter, config.routing.providers, opts.providerLeaseMs ? { leaseMs: opts.providerLeaseMs } : {}));
  const edits = new EditService({ router, blobs, inputs, limits: config.limits });
  const webhooks = new WebhookSender({
    store, keys, logger, redactor: Redactor.fromConfig(config), allowPrivate: config.jobs.webhookAllowPrivate,
    ...(opts.webhookScheduleMs ? { scheduleMs: opts.webhookScheduleMs, pollMs: Math.max(50, Math.min(...opts.webhookScheduleMs)) } : {}),
  });
  const jobLeaseMs = opts.jobLeaseMs ?? 60_000;
  // Job records and webhooks wrap the edit here, once, for every queue (jobs/processor.ts).
  const jobDeps = { store, inputs, usage, gate, onWebhookDue: () => webhooks.poke() };
  const process: ProcessEdit = jobProcessor((job, runOpts) => edits.run(job, runOpts), { ...jobDeps, touchEveryMs: jobLeaseMs / 3 });
  const endUnprocessed = unprocessedJobEnder(jobDeps);
  metrics.knowRoutes(routes.keys(), [...routes.values()].flat().map((e) => e.backend.name));
  metrics.trackEngineSlots(() => local.slotsInUse, config.local.concurrency);
  return {
    services: { config, logger, store, blobs, inputs, limiter, keys, gate, usage, router, edits, metrics, process, webhooks, endUnprocessed, jobLeaseMs },
    async close() {
      await webhooks.stop();
      await local.close();
      await ports.close();
    },
  };
}
