import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config/index.ts';
import { type Core, createCore } from '../src/core.ts';
import { EditWorker } from '../src/queue/worker.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { sseEvents } from './helpers/sse.ts';
import { redisPrefix } from './helpers/services.ts';

/**
 * Async jobs with RETOUCH_QUEUE=bullmq: an API node and a worker in this process, meeting only
 * through Redis (the queue, the limiter, the events) and the data dir (store, blobs), as two
 * machines meet through their shared services. What crosses processes must cross here too.
 */
let redis: Awaited<ReturnType<typeof redisPrefix>>;
let api: TestApp;
let base: string;
let core: Core;
let worker: EditWorker | undefined;

async function startWorker() {
  const { redis: r } = core.services.config;
  worker = await EditWorker.start({ redisUrl: r!.url, redisPrefix: r!.prefix, concurrency: 2, lockMs: 30_000, logger: pino({ level: 'silent' }) },
    core.services.process, core.services.blobs);
}
async function stopWorker() {
  await worker?.close();
  worker = undefined;
}

before(async () => {
  redis = await redisPrefix();
  const env = { RETOUCH_QUEUE: 'bullmq', RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix };
  api = await startTestApp(env);
  base = await api.listen();
  core = await createCore(loadConfig({ ...env, RETOUCH_DATA_DIR: api.dataDir, RETOUCH_LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  await startWorker();
});
after(async () => {
  await stopWorker();
  await core?.close();
  await api?.close();
  await redis?.clean();
});

async function post(key: string, fields: Record<string, string> = {}, headers: Record<string, string> = { prefer: 'respond-async' }) {
  const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' },
    { name: 'prompt', value: 'make it black and white' }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  return fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...h, authorization: `Bearer ${key}`, ...headers }, body: new Uint8Array(body) });
}
const waitJob = async (key: string, id: string) =>
  (await fetch(`${base}/v1/images/edits/${id}`, { headers: { authorization: `Bearer ${key}`, prefer: 'wait=30' } })).json();

describe('async jobs on BullMQ workers', () => {
  it('are charged to their key\'s quotas by the worker that runs them, and give the lease back', async () => {
    const { secret, id } = await api.app.services.keys.create('quota', { imagesPerDay: 1, concurrent: 1 });
    const res = await post(secret);
    assert.equal(res.status, 202);
    const done = await waitJob(secret, (await res.json()).id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(await api.app.services.limiter.leases(`conc:${id}`), 0, 'the concurrency lease is back');
    const next = await post(secret, {}, {});
    assert.equal(next.status, 429);
    assert.equal((await next.json()).error.code, 'insufficient_quota', 'the one image of the day was spent by the async job');
  });

  it('can be followed across processes: queued, running, partial images, then the end', async () => {
    await stopWorker(); // the job waits, so the follower is there before it starts
    const res = await post(api.key, { prompt: 'make it black and white and rotate it 180 degrees', partial_images: '2' });
    const job = await res.json();
    const events = sseEvents(await fetch(`${base}/v1/images/edits/${job.id}/events`, { headers: api.auth }));
    const first = await events.next();
    assert.deepEqual([first.value!.event, first.value!.data.status], ['image.edit.job', 'queued']);
    await startWorker();
    const seen: Array<{ event: string; data: any }> = [];
    for await (const e of events) seen.push(e);
    assert.deepEqual(seen.map((e) => (e.event === 'image.edit.job' ? e.data.status : e.event)),
      ['running', 'image_edit.partial_image', 'image_edit.partial_image', 'succeeded']);
    const preview = await decode(Buffer.from(seen[2]!.data.b64_json, 'base64'));
    assert.ok(Math.abs(pixel(preview, 50, 30)[0]! - pixel(preview, 50, 30)[2]!) <= 3, 'the last partial is grey');
    const out = await decode(Buffer.from(await (await fetch(seen.at(-1)!.data.data[0].url)).arrayBuffer()));
    assert.deepEqual(pixel(out, 60, 44).slice(0, 3).map((v) => v > 100), [true, true, true], 'rotated: the green corner, grey, is bottom right');
  });

  it('DELETE of a job still waiting for a worker gives its key\'s lease back', async () => {
    const { secret, id } = await api.app.services.keys.create('lease', { concurrent: 1 });
    await stopWorker();
    try {
      const job = await (await post(secret)).json();
      assert.equal(job.status, 'queued');
      assert.equal((await post(secret)).status, 429, 'the one edit in flight is the waiting job');
      const canceled = await (await fetch(`${base}/v1/images/edits/${job.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${secret}` } })).json();
      assert.equal(canceled.status, 'canceled');
      assert.equal(await api.app.services.limiter.leases(`conc:${id}`), 0);
      assert.equal((await post(secret)).status, 202, 'the key may edit again');
    } finally {
      await startWorker();
    }
  });
});
