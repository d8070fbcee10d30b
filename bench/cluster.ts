/**
 * The scale-out deployment: local-edit throughput with 1 and 2 workers, and what the queue adds to
 * the latency of one synchronous edit compared with the inline default, on the same shared ports
 * (PostgreSQL, Redis, S3 via s3rver) so that only where the edit runs differs.
 *
 *   npm run bench -- cluster
 */
import { loadavg } from 'node:os';
import { Queue, QueueEvents, Worker } from 'bullmq';
import pino from 'pino';
import { type Cluster, freePort, startCluster } from '../scripts/cluster/launch.ts';
import { FsBlobStore } from '../src/blob/fs.ts';
import type { EditJob } from '../src/edits/job.ts';
import type { EditOutcome } from '../src/edits/service.ts';
import { newId } from '../src/ids.ts';
import { BullmqQueue } from '../src/queue/bullmq.ts';
import type { EditQueue } from '../src/queue/index.ts';
import { InlineQueue } from '../src/queue/inline.ts';
import { EditWorker } from '../src/queue/worker.ts';
import { pgSchema, redisPrefix, startS3 } from '../test/helpers/services.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { editForm, multipartBody, postRaw } from './lib/server.ts';
import { median } from './lib/stats.ts';

const KEY = 'sk-bench-cluster-0123456789abcdef';
const THROUGHPUT_EDITS = 48;
const THROUGHPUT_CLIENTS = 8;
const LATENCY_RUNS = 21;
const QUEUE_ONLY_RUNS = 300;

export async function clusterBench() {
  const [s3, pg, redis] = await Promise.all([startS3(), pgSchema(), redisPrefix()]);
  const shared = {
    ...s3.env, RETOUCH_DATABASE_URL: pg.url, RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix,
    RETOUCH_API_KEYS: KEY, RETOUCH_LOG_LEVEL: 'warn', RETOUCH_DATA_DIR: `${process.cwd()}/data/bench-cluster`,
  };
  const image = await photo(1155, 866);
  const bw = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt: 'make it black and white' }));
  const start = async (apis: number, workers: number, env: Record<string, string> = {}) => startCluster({
    env: { ...shared, ...env },
    apiPorts: await Promise.all(Array.from({ length: apis }, freePort)),
    workerPorts: await Promise.all(Array.from({ length: workers }, freePort)),
  });
  try {
    // Throughput: a fixed batch over both API nodes, THROUGHPUT_CLIENTS requests in flight.
    const throughput: Record<number, number> = {};
    for (const workers of [1, 2]) {
      const c = await start(2, workers);
      try {
        await postRaw(`${c.apis[0]!.url}/v1/images/edits`, KEY, bw); // warm-up: engine threads, connections
        let next = 0;
        const t = performance.now();
        await Promise.all(Array.from({ length: THROUGHPUT_CLIENTS }, async () => {
          while (next < THROUGHPUT_EDITS) {
            const i = next++;
            await postRaw(`${c.apis[i % 2]!.url}/v1/images/edits`, KEY, bw);
          }
        }));
        throughput[workers] = THROUGHPUT_EDITS / ((performance.now() - t) / 1000);
        process.stdout.write(`${workers} worker(s): ${throughput[workers]!.toFixed(2)} edits/s\n`);
      } finally {
        await c.stop();
      }
    }

    // Latency of one synchronous edit, one at a time, inline and queued measured in turns.
    const inline = await start(1, 0, { RETOUCH_QUEUE: 'inline' });
    const queued = await start(1, 1);
    const times = { inline: [] as number[], queued: [] as number[] };
    try {
      const run = async (c: Cluster) => { const t = performance.now(); await postRaw(`${c.apis[0]!.url}/v1/images/edits`, KEY, bw); return performance.now() - t; };
      await run(inline); await run(queued);
      for (let i = 0; i < LATENCY_RUNS; i++) {
        times.inline.push(await run(inline));
        times.queued.push(await run(queued));
      }
    } finally {
      await Promise.all([inline.stop(), queued.stop()]);
    }
    const mi = median(times.inline);
    const mq = median(times.queued);
    process.stdout.write(`1 MP edit: inline ${mi.toFixed(1)} ms, through the queue ${mq.toFixed(1)} ms\n`);

    // The queue alone, in this process: a processor that does nothing, so what is left is BullMQ,
    // QueueEvents and the result record (no HTTP, no inputs, no engine).
    const blobs = new FsBlobStore(`${process.cwd()}/data/bench-cluster/queue-only`);
    const noop = async (): Promise<EditOutcome> => ({ answer: { created: 0, data: [] }, usage: {}, headers: {}, images: 0 });
    const opts = { redisUrl: redis.url, redisPrefix: `${redis.prefix}only:`, deadlineMs: 60_000 };
    const bull = await BullmqQueue.connect({ ...opts, maxWaiting: 100 }, blobs);
    const worker = await EditWorker.start({ ...opts, concurrency: 1, lockMs: 30_000, logger: pino({ level: 'silent' }) }, noop, blobs);
    const only = { inline: [] as number[], bullmq: [] as number[] };
    try {
      const job = (): EditJob => ({ id: newId('request'), keyId: null, images: [], mask: null, publicBase: 'http://x', fields: { model: 'm', prompt: 'p' } as EditJob['fields'] });
      const once = async (q: EditQueue) => { const t = performance.now(); await q.run(job(), { signal: new AbortController().signal }); return performance.now() - t; };
      const inlineQ = new InlineQueue(noop);
      for (let i = 0; i < 20; i++) await once(bull);
      for (let i = 0; i < QUEUE_ONLY_RUNS; i++) { only.inline.push(await once(inlineQ)); only.bullmq.push(await once(bull)); }
    } finally {
      await worker.close();
      await bull.close();
    }
    const qo = median(only.bullmq) - median(only.inline);

    // BullMQ by itself, as its docs use it (add, a no-op Worker, waitUntilFinished): the floor under
    // "the queue alone" on this machine at this load.
    const connection = { url: redis.url, maxRetriesPerRequest: null };
    const prefix = `${redis.prefix}bare`;
    const bareQueue = new Queue('bare', { connection, prefix });
    const bareEvents = new QueueEvents('bare', { connection, prefix });
    const bareWorker = new Worker('bare', async () => 1, { connection, prefix });
    const bare: number[] = [];
    try {
      await Promise.all([bareQueue.waitUntilReady(), bareEvents.waitUntilReady(), bareWorker.waitUntilReady()]);
      for (let i = 0; i < QUEUE_ONLY_RUNS + 20; i++) {
        const t = performance.now();
        await (await bareQueue.add('j', {}, { removeOnComplete: { age: 60 } })).waitUntilFinished(bareEvents);
        if (i >= 20) bare.push(performance.now() - t);
      }
    } finally {
      await bareWorker.close();
      await bareEvents.close();
      await bareQueue.close();
    }
    const load = loadavg()[0]!.toFixed(1);
    process.stdout.write(`the queue alone: ${median(only.bullmq).toFixed(2)} ms a job\n`);

    await writeSection('cluster', `## Cluster: API nodes and workers on BullMQ

Command: \`npm run bench -- cluster\` (run on ${today()}; ${machine()}; load average ${load} at the end, the
machine shared with other work).
Every process on this one machine (API nodes, workers, PostgreSQL, Redis, s3rver), the same shared
ports for the inline baseline, so only where the edit runs differs. The edit: 1155 × 866 (1 MP) JPEG,
"make it black and white", answered with a hosted URL.

${table(['local-edit throughput', 'edits/s'], [
    [`2 API nodes, 1 worker (${THROUGHPUT_EDITS} edits, ${THROUGHPUT_CLIENTS} in flight)`, throughput[1]!.toFixed(2)],
    ['2 API nodes, 2 workers (the same)', throughput[2]!.toFixed(2)],
  ], ['l', 'r'])}

${table(['one synchronous 1 MP edit', `median of ${LATENCY_RUNS} (ms)`], [
    ['inline (RETOUCH_QUEUE=inline)', mi.toFixed(1)],
    ['through the queue (1 API node, 1 worker)', mq.toFixed(1)],
    ['added by the queue, end to end', (mq - mi).toFixed(1)],
    [`the queue alone (in-process run() of a no-op job, median of ${QUEUE_ONLY_RUNS})`, qo.toFixed(2)],
    [`bare BullMQ: add + no-op Worker + waitUntilFinished (median of ${QUEUE_ONLY_RUNS})`, median(bare).toFixed(2)],
  ], ['l', 'r'])}

Target: the queue adds ≤ 5 ms to a synchronous edit. End to end it also pays for the inputs going
to S3 and back (the worker reads them from the blob store) and for a second process's engine warm-up
state; "the queue alone" is BullMQ's add, the worker's take, the result record and QueueEvents'
completion. On two cores a second worker cannot add cores: throughput with 2 workers shows what
the queue costs when they compete, not what a second machine would give.`);
  } finally {
    await Promise.allSettled([s3.close(), pg.drop(), redis.clean()]);
  }
}
