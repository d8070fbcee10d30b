import type { FastifyInstance } from 'fastify';
import type { Config } from './config/index.ts';
import { type CoreServices, createCore, type CreateCoreOptions } from './core.ts';
import { buildServer } from './http/server.ts';
import { Jobs } from './jobs/index.ts';
import { JobSweeper } from './jobs/sweeper.ts';
import type { EditQueue } from './queue/index.ts';
import { Redactor } from './redact.ts';
import { openQueue } from './queue/open.ts';
import { RetentionSweeper } from './retention.ts';

export interface Services extends CoreServices {
  /** Where edits run: in this process (inline) or on workers. Doors hand jobs to it, not to `edits`. */
  queue: EditQueue;
  /** Async jobs: submitted to the queue, read back from the store. */
  jobs: Jobs;
}

export interface App {
  server: FastifyInstance;
  services: Services;
  /** Stops accepting requests, lets in-flight ones finish, then closes storage. */
  close(): Promise<void>;
}

export type CreateAppOptions = CreateCoreOptions;

/**
 * The composition root of an API node: the core services (shared with `retouch worker`), the queue
 * that runs the core's one `process`, and the HTTP layer in front.
 */
export async function createApp(config: Config, opts: CreateAppOptions = {}): Promise<App> {
  const core = await createCore(config, opts);
  const queue = await openQueue(core.services).catch(async (err: unknown) => {
    await core.close();
    throw err;
  });
  const { store, blobs, logger, webhooks, gate } = core.services;
  const jobs = new Jobs({ store, blobs, queue, gate, redactor: Redactor.fromConfig(config), onWebhookDue: () => webhooks.poke() });
  const services: Services = { ...core.services, queue, jobs };
  services.metrics.trackQueue(() => queue.depth());
  const server = await buildServer(services);
  const sweeper = new RetentionSweeper(services.blobs, config.imageTtlMs, services.logger);
  sweeper.start();
  // With the inline queue a job runs in the process that took it; when that process died, its
  // jobs are failed here. BullMQ's workers take such jobs up again instead.
  const jobSweeper = new JobSweeper({
    store, logger, retentionMs: config.imageTtlMs, onFailed: () => webhooks.poke(),
    ...(queue.kind === 'inline' ? { staleAfterMs: core.services.jobLeaseMs } : {}),
  });
  jobSweeper.start();
  webhooks.start();
  return {
    server,
    services,
    async close() {
      sweeper.stop();
      jobSweeper.stop();
      await server.close();
      await queue.close();
      await core.close();
    },
  };
}
