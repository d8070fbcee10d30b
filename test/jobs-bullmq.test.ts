import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'bullmq';
import pino from 'pino';
import { loadConfig } from '../src/config/index.ts';
import { type Core, createCore } from '../src/core.ts';
import { QUEUE_NAME, queueNames } from '../src/queue/names.ts';
import { EditWorker } from '../src/queue/worker.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { withinOneDay } from './helpers/clock.ts';
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
    await withinOneDay(); // the day's one image spent and the next request refused in one UTC day
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

describe('async jobs BullMQ gives up on', () => {
  let r: Awaited<ReturnType<typeof redisPrefix>>;
  let app: TestApp;
  let workerCore: Core;
  before(async () => {
    r = await redisPrefix();
    const env = { RETOUCH_QUEUE: 'bullmq', RETOUCH_REDIS_URL: r.url, RETOUCH_REDIS_PREFIX: r.prefix, RETOUCH_QUEUE_DEADLINE_SECONDS: '0.5' };
    app = await startTestApp(env);
    workerCore = await createCore(loadConfig({ ...env, RETOUCH_DATA_DIR: app.dataDir, RETOUCH_LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await workerCore?.close();
    await app?.close();
    await r?.clean();
  });

  const submitTo = async (key: string) => {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grey' }]);
    const res = await app.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, authorization: `Bearer ${key}`, prefer: 'respond-async' }, payload: body });
    assert.equal(res.statusCode, 202, res.body);
    return res.json().id as string;
  };
  const waitEnded = async (key: string, id: string) => {
    for (let i = 0; i < 300; i++) {
      const job = (await app.app.server.inject({ url: `/v1/images/edits/${id}`, headers: { authorization: `Bearer ${key}` } })).json();
      if (!['queued', 'running'].includes(job.status)) return job;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error('the job never ended');
  };

  it('a job that waited past its deadline ends failed with edit_timeout, and its key\'s lease comes back', async () => {
    const { secret, id: keyId } = await app.app.services.keys.create('deadline', { concurrent: 1 });
    const id = await submitTo(secret);
    await new Promise((res) => setTimeout(res, 800)); // no worker yet: the deadline passes in the queue
    const { redis: rc } = workerCore.services.config;
    const late = await EditWorker.start({ redisUrl: rc!.url, redisPrefix: rc!.prefix, concurrency: 1, lockMs: 30_000, logger: pino({ level: 'silent' }) },
      workerCore.services.process, workerCore.services.blobs);
    try {
      const job = await waitEnded(secret, id);
      assert.deepEqual([job.status, job.error.code], ['failed', 'edit_timeout']);
      // The node that ends the job records it failed first (its conditional write decides which
      // node ends it), then gives the lease back: wait for the lease, not only for the record.
      let leases = await app.app.services.limiter.leases(`conc:${keyId}`);
      for (const end = Date.now() + 30_000; leases !== 0 && Date.now() < end; await new Promise((res) => setTimeout(res, 25))) {
        leases = await app.app.services.limiter.leases(`conc:${keyId}`);
      }
      assert.equal(leases, 0, "the key's lease came back within 30 s of the job's end");
    } finally {
      await late.close();
    }
  });

  it('a job BullMQ failed with no recorded result (its workers died on it) ends failed with worker_lost', async () => {
    const id = await submitTo(app.key);
    // Taken by a worker that records nothing, then failed as BullMQ's stalled checker fails a job
    // that stalled more than its limit allows.
    const taker = new Worker(QUEUE_NAME, null, { connection: { url: r.url }, prefix: queueNames(r.prefix).bullPrefix, autorun: false });
    try {
      const taken = await taker.getNextJob('qa-token');
      assert.ok(taken, 'the job was waiting');
      await taken.moveToFailed(new Error('job stalled more than allowable limit'), 'qa-token');
    } finally {
      await taker.close();
    }
    const job = await waitEnded(app.key, id);
    assert.deepEqual([job.status, job.error.code], ['failed', 'worker_lost']);
  });
});
