import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { FsBlobStore } from '../src/blob/fs.ts';
import type { EditEvent, EditJob } from '../src/edits/job.ts';
import type { EditError, EditOutcome } from '../src/edits/service.ts';
import { errors, RetouchError } from '../src/errors.ts';
import { Base64Image } from '../src/http/deliver.ts';
import { newId } from '../src/ids.ts';
import type { EditQueue, ProcessEdit } from '../src/queue/index.ts';
import { InlineQueue } from '../src/queue/inline.ts';
import { BullmqQueue } from '../src/queue/bullmq.ts';
import { EditWorker } from '../src/queue/worker.ts';
import { redisPrefix } from './helpers/services.ts';

/**
 * One suite for every EditQueue: the door's view of a queue must not change with where jobs run.
 * The processor is a scripted stand-in (the prompt says what it does), so the suite tests the queue,
 * not the engine; the cluster test runs real edits through real workers.
 */
interface Opened {
  queue: EditQueue;
  /**
   * Queues where jobs can wait for a processor (BullMQ): `pause` stops taking them, `resume` takes
   * them again and returns once none waits; `bound` jobs waiting make the queue full.
   */
  waits?: { pause(): Promise<void>; resume(): Promise<void>; bound: number };
  close(): Promise<void>;
}

const calls: Array<{ id: string; signal: AbortSignal }> = [];
const IMAGE = Buffer.from('not really a png, but bytes that must arrive intact \x00\xff');

/** The scripted processor: `ok`, `events`, `fail`, `slow` (runs until aborted). */
const process: ProcessEdit = async (job, { signal, onEvent }) => {
  calls.push({ id: job.id, signal });
  onEvent?.({ type: 'stage', stage: 'started', at: Date.now() });
  const prompt = job.fields.prompt;
  if (prompt === 'events') {
    onEvent?.({ type: 'partial_image', index: 0, image: { bytes: IMAGE, format: 'png', width: 3, height: 2 }, background: 'auto', quality: 'auto' });
    onEvent?.({ type: 'stage', stage: 'stored', at: Date.now() });
  }
  if (prompt === 'fail') {
    throw Object.assign(new RetouchError('Upstream says slow down.', { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', param: 'model', retryAfter: 7 }), {
      usage: { model: job.fields.model, backend: 'openai', attempts: [{ backend: 'openai', status: 429 }] },
    });
  }
  if (prompt === 'slow') {
    await new Promise((_, reject) => {
      if (signal.aborted) reject(errors.cancelled());
      signal.addEventListener('abort', () => reject(errors.cancelled()), { once: true });
    });
  }
  const outcome: EditOutcome = {
    answer: { created: 1700000000, data: [{ b64_json: new Base64Image({ bytes: IMAGE, format: 'png', width: 3, height: 2 }) }, { url: 'http://x/img/a.png' }] },
    usage: { model: job.fields.model, backend: 'local', outputPixels: 6 },
    headers: { 'x-retouch-backend': 'local' },
    images: 2,
  };
  return outcome;
};

const job = (prompt: string): EditJob => ({
  id: newId('request'), keyId: 'key_test', images: [], mask: null, publicBase: 'http://x',
  fields: { model: 'retouch-local-1', prompt } as EditJob['fields'],
});
const running = () => new AbortController().signal;
async function until(test: () => boolean | Promise<boolean>, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const subjects: Array<{ kind: string; open(): Promise<Opened> }> = [
  { kind: 'inline', async open() { const queue = new InlineQueue(process); return { queue, close: () => queue.close() }; } },
  {
    kind: 'bullmq',
    async open() {
      const redis = await redisPrefix();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-queue-'));
      const blobs = new FsBlobStore(dir);
      const opts = { redisUrl: redis.url, redisPrefix: redis.prefix, deadlineMs: 60_000 };
      const queue = await BullmqQueue.connect({ ...opts, maxWaiting: 3 }, blobs);
      const logger = pino({ level: 'silent' });
      let worker: EditWorker | undefined = await EditWorker.start({ ...opts, concurrency: 4, lockMs: 30_000, logger }, process, blobs);
      return {
        queue,
        waits: {
          bound: 3,
          // With no worker running, submitted jobs wait.
          async pause() {
            await worker!.close();
            worker = undefined;
          },
          async resume() {
            worker = await EditWorker.start({ ...opts, concurrency: 4, lockMs: 30_000, logger }, process, blobs);
            await until(async () => (await queue.depth()).waiting === 0, 'the queue to drain');
          },
        },
        async close() {
          await worker?.close();
          await queue.close();
          await redis.clean();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

for (const subject of subjects) {
  describe(`queue conformance: ${subject.kind}`, () => {
    let q: Opened;
    before(async () => { q = await subject.open(); });
    after(async () => { await q.close(); });

    it('run returns the outcome: answer (base64 image intact), usage, headers, image count', async () => {
      const j = job('ok');
      const outcome = await q.queue.run(j, { signal: running() });
      assert.equal(outcome.images, 2);
      assert.deepEqual(outcome.headers, { 'x-retouch-backend': 'local' });
      assert.equal(outcome.usage.outputPixels, 6);
      assert.equal(outcome.answer.created, 1700000000);
      const [first, second] = outcome.answer.data as Array<{ b64_json?: Base64Image; url?: string }>;
      assert.ok(first!.b64_json instanceof Base64Image);
      assert.deepEqual(Buffer.from(first!.b64_json.text().toString('latin1'), 'base64'), IMAGE);
      assert.equal(second!.url, 'http://x/img/a.png');
      assert.equal(calls.at(-1)!.id, j.id);
    });

    it('events reach onEvent in order, a Buffer inside one intact', async () => {
      const heard: EditEvent[] = [];
      await q.queue.run(job('events'), { signal: running(), onEvent: (e) => heard.push(e) });
      assert.deepEqual(heard.map((e) => (e.type === 'stage' ? e.stage : e.type)), ['started', 'partial_image', 'stored']);
      const partial = heard[1] as Extract<EditEvent, { type: 'partial_image' }>;
      assert.deepEqual(Buffer.from(partial.image.bytes), IMAGE);
      assert.equal(partial.image.width, 3);
    });

    it('an error keeps every envelope field, retry-after and its usage', async () => {
      await assert.rejects(q.queue.run(job('fail'), { signal: running() }), (err: EditError) => {
        assert.ok(err instanceof RetouchError);
        assert.deepEqual(err.toEnvelope(), { error: { message: 'Upstream says slow down.', type: 'rate_limit_exceeded', param: 'model', code: 'rate_limit_exceeded' } });
        assert.equal(err.status, 429);
        assert.equal(err.retryAfter, 7);
        assert.equal(err.usage.backend, 'openai');
        assert.deepEqual(err.usage.attempts, [{ backend: 'openai', status: 429 }]);
        return true;
      });
    });

    it('aborting the signal cancels a running job: the processor hears it, run rejects 499', async () => {
      const j = job('slow');
      const abort = new AbortController();
      const run = q.queue.run(j, { signal: abort.signal });
      await until(() => calls.some((c) => c.id === j.id), 'the job to start');
      abort.abort();
      await assert.rejects(run, (err: RetouchError) => err.status === 499 && err.code === 'request_cancelled');
      await until(() => calls.find((c) => c.id === j.id)!.signal.aborted, "the processor's signal to abort");
    });

    it('submit hands a job over without waiting; cancel(jobId) stops it where it runs', async () => {
      const j = job('slow');
      await q.queue.submit(j);
      await until(() => calls.some((c) => c.id === j.id), 'the submitted job to start');
      assert.equal(calls.find((c) => c.id === j.id)!.signal.aborted, false);
      await q.queue.cancel(j.id);
      await until(() => calls.find((c) => c.id === j.id)!.signal.aborted, 'the submitted job to be cancelled');
      await q.queue.check();
    });

    it('follow hears a job\'s events wherever it runs, beside run\'s own onEvent, and nothing once unfollowed', async () => {
      const names = (events: EditEvent[]) => events.map((e) => (e.type === 'stage' ? e.stage : e.type));
      const submitted = job('events');
      const a: EditEvent[] = [];
      const b: EditEvent[] = [];
      const offA = await q.queue.follow(submitted.id, (e) => a.push(e));
      const offB = await q.queue.follow(submitted.id, (e) => { b.push(e); throw new Error('a follower that breaks breaks nothing'); });
      const gone: EditEvent[] = [];
      (await q.queue.follow(submitted.id, (e) => gone.push(e)))();
      await q.queue.submit(submitted);
      await until(() => a.length === 3 && b.length === 3, 'both followers to hear the job');
      assert.deepEqual(names(a), ['started', 'partial_image', 'stored']);
      assert.deepEqual(Buffer.from((a[1] as Extract<EditEvent, { type: 'partial_image' }>).image.bytes), IMAGE);
      assert.deepEqual(gone, [], 'nothing reaches a follower once unfollowed');
      offA();
      offB();

      const ran = job('events');
      const own: EditEvent[] = [];
      const followed: EditEvent[] = [];
      const off = await q.queue.follow(ran.id, (e) => followed.push(e));
      await q.queue.run(ran, { signal: running(), onEvent: (e) => own.push(e) });
      await until(() => followed.length === 3, 'the follower to hear the run');
      assert.deepEqual(names(own), names(followed));
      off();
    });

    it('cancel returns a job taken out before any processor saw it, so its admission can be settled', { skip: subject.kind === 'inline' && 'an inline job runs from its submit: none waits' }, async () => {
      await q.waits!.pause();
      const waiting: EditJob = { ...job('ok'), admission: { keyId: 'key_test', limits: { concurrent: 1 }, lease: 'lease-1' } };
      await q.queue.submit(waiting);
      assert.deepEqual(await q.queue.cancel(waiting.id), waiting);
      assert.equal(await q.queue.cancel(newId('request')), null, 'an unknown job: nothing taken out');
      await q.waits!.resume();
      assert.ok(!calls.some((c) => c.id === waiting.id), 'the canceled job never ran');
    });

    it('a full queue refuses at once with 429 and retry-after, and takes jobs again once drained', { skip: subject.kind === 'inline' && 'inline runs each job in its own request; the local engine slots bound it (local-queue.test.ts)' }, async () => {
      await q.waits!.pause();
      for (let i = 0; i < q.waits!.bound; i++) await q.queue.submit(job('ok'));
      await assert.rejects(q.queue.run(job('ok'), { signal: running() }), (err: RetouchError) => {
        assert.equal(err.status, 429);
        assert.equal(err.code, 'rate_limit_exceeded');
        assert.ok(err.retryAfter! >= 1);
        return true;
      });
      await assert.rejects(q.queue.submit(job('ok')), (err: RetouchError) => err.status === 429);
      await q.waits!.resume();
      assert.equal((await q.queue.run(job('ok'), { signal: running() })).images, 2);
    });
  });
}
