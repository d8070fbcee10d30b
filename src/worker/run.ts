import type { Config } from '../config/index.ts';
import { createCore } from '../core.ts';
import { EditWorker } from '../queue/worker.ts';
import { assertReady, BLOB_PROBE } from '../readiness.ts';
import { startHealthServer } from './health-server.ts';

/**
 * A worker process: the core services (the same construction as an API node's) and a BullMQ worker
 * that runs the core's one `process` on each job. No HTTP API; a small /health and /ready listener.
 * SIGTERM finishes the running jobs and takes no new one.
 */
export async function runWorker(loaded: Config & { redis: NonNullable<Config['redis']> }) {
  // A worker reads its jobs' inputs from the shared blob store, whatever RETOUCH_QUEUE says.
  const config = { ...loaded, queue: { ...loaded.queue, kind: 'bullmq' as const } };
  const core = await createCore(config);
  const { logger, store, blobs } = core.services;
  const worker = await EditWorker.start({
    redisUrl: loaded.redis.url, redisPrefix: loaded.redis.prefix, concurrency: config.queue.workerConcurrency, lockMs: config.queue.lockMs, logger,
  }, core.services.process, blobs);
  const checks = {
    store: () => store.countKeys(),
    blobs: () => blobs.get(BLOB_PROBE),
    redis: () => worker.check(),
    queue: async () => { if (!worker.running()) throw new Error('not taking jobs'); },
  };
  const health = await startHealthServer(config.queue.workerPort, config.host, checks);
  await assertReady(checks).catch((err: Error) => logger.warn({ err: err.message }, 'worker started but is not ready yet'));
  logger.info({ healthPort: health.port, concurrency: config.queue.workerConcurrency, startupMs: Math.round(process.uptime() * 1000) }, 'worker ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker shutting down: finishing running jobs, taking no new one');
    await worker.close();
    await health.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
