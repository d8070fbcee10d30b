import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { FsBlobStore } from '../src/blob/fs.ts';
import type { EditJob } from '../src/edits/job.ts';
import type { EditOutcome } from '../src/edits/service.ts';
import { RetouchError } from '../src/errors.ts';
import { Base64Image } from '../src/http/deliver.ts';
import { newId } from '../src/ids.ts';
import { BullmqQueue, RESULT_TTL_SECONDS } from '../src/queue/bullmq.ts';
import type { ProcessEdit } from '../src/queue/index.ts';
import { QUEUE_NAME, queueNames } from '../src/queue/names.ts';
import { ResultBook } from '../src/queue/results.ts';
import { EditWorker } from '../src/queue/worker.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp } from './helpers/app.ts';
import { redisPrefix } from './helpers/services.ts';

/** What only the BullMQ queue has to get right: crash safety, the deadline, where results live. */
let redis: Awaited<ReturnType<typeof redisPrefix>>;
let dir: string;
let blobs: FsBlobStore;
let client: Redis;
before(async () => {
  redis = await redisPrefix();
  dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bullmq-'));
  blobs = new FsBlobStore(dir);
  client = new Redis(redis.url);
});
after(async () => {
  client.disconnect();
  await redis.clean();
  await rm(dir, { recursive: true, force: true });
});

const job = (): EditJob => ({ id: newId('request'), keyId: null, images: [], mask: null, publicBase: 'http://x', fields: { model: 'm', prompt: 'p' } as EditJob['fields'] });
const outcomeOf = (bytes: Buffer): EditOutcome => ({
  answer: { created: 1, data: [{ b64_json: new Base64Image({ bytes, format: 'png', width: 1, height: 1 }) }] },
  usage: { model: 'm', backend: 'openai' }, headers: { 'x-retouch-backend': 'openai' }, images: 1,
});
const signal = () => new AbortController().signal;

describe('the BullMQ queue', () => {
  it('a job whose result is already recorded (a re-run after a stall) returns it without editing again', async () => {
    const names = queueNames(redis.prefix);
    const j = job();
    // As a worker killed between recording and acknowledging leaves it.
    await new ResultBook(client, blobs, names, RESULT_TTL_SECONDS).record(j.id, { ok: true, outcome: outcomeOf(Buffer.from('recorded')) });
    let calls = 0;
    const process: ProcessEdit = async () => { calls++; return outcomeOf(Buffer.from('edited again')); };
    const opts = { redisUrl: redis.url, redisPrefix: redis.prefix, deadlineMs: 60_000 };
    const queue = await BullmqQueue.connect({ ...opts, maxWaiting: 10 }, blobs);
    const worker = await EditWorker.start({ ...opts, concurrency: 1, lockMs: 30_000, logger: pino({ level: 'silent' }) }, process, blobs);
    try {
      const outcome = await queue.run(j, { signal: signal() });
      const b64 = (outcome.answer.data[0] as { b64_json: Base64Image }).b64_json;
      assert.equal(Buffer.from(b64.text().toString(), 'base64').toString(), 'recorded');
      assert.equal(calls, 0, 'the upstream is not called a second time');
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  it('a large result goes to the blob store; Redis keeps a one-byte pointer', async () => {
    const names = queueNames(redis.prefix);
    const book = new ResultBook(client, blobs, names, RESULT_TTL_SECONDS);
    const big = Buffer.alloc(300_000, 7);
    await book.record('req_big', { ok: true, outcome: outcomeOf(big) });
    assert.equal((await client.getBuffer(names.result('req_big')))!.length, 1);
    assert.ok(await blobs.get('qres_req_big.bin'));
    const back = await book.read('req_big');
    assert.ok(back?.ok);
    const b64 = (back.outcome.answer.data[0] as { b64_json: Base64Image }).b64_json;
    assert.deepEqual(Buffer.from(b64.text().toString(), 'base64'), big);
  });

  it('with no worker running, the request waits until its deadline, then 504; its job is removed', async () => {
    const queue = await BullmqQueue.connect({ redisUrl: redis.url, redisPrefix: redis.prefix, deadlineMs: 1500, maxWaiting: 10 }, blobs);
    const bull = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix: queueNames(redis.prefix).bullPrefix });
    try {
      const j = job();
      await assert.rejects(queue.run(j, { signal: signal() }), (err: RetouchError) => {
        assert.equal(err.status, 504);
        assert.equal(err.code, 'edit_timeout');
        assert.equal(err.type, 'server_error');
        return true;
      });
      assert.equal(await bull.getJob(j.id), undefined, 'the job does not wait on for a worker');
      assert.equal(await client.zscore(queueNames(redis.prefix).waiting, j.id), null, 'its waiting place is free');
    } finally {
      await bull.close();
      await queue.close();
    }
  });
});

describe('/ready', () => {
  it('answers 200, or 503 with the envelope naming what is unreachable (no detail of the error)', async () => {
    const t = await startTestApp();
    try {
      const ok = await t.app.server.inject({ method: 'GET', url: '/ready' });
      assert.equal(ok.statusCode, 200);
      t.app.services.queue.check = async () => { throw new Error('connect ECONNREFUSED redis://:hunter2secret@10.0.0.1:6379'); };
      const down = await t.app.server.inject({ method: 'GET', url: '/ready' });
      const e = assertError(down, 503, { code: 'service_unavailable', type: 'server_error' });
      assert.match(e.message, /queue/);
      assert.doesNotMatch(down.body, /hunter2|10\.0\.0\.1/);
    } finally {
      await t.close();
    }
  });
});
