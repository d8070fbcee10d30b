import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisRateLimiter } from '../src/ratelimit/redis.ts';
import { DistributedSemaphore } from '../src/ratelimit/semaphore.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { redisPrefix } from './helpers/services.ts';
import { greyscaleOf, startStandIn } from './helpers/stand-in.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let redis: Awaited<ReturnType<typeof redisPrefix>>;
before(async () => { redis = await redisPrefix(); });
after(async () => { await redis.clean(); });

describe('provider concurrency shared across nodes (Redis)', () => {
  it("two nodes together never run more than the provider's maxConcurrent upstream calls", async () => {
    let inFlight = 0;
    let peak = 0;
    const upstream = await startStandIn(async (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(300);
      inFlight--;
      const image = req.parts.find((p) => p.name === 'image')!.bytes!;
      return { json: { created: 1, data: [{ b64_json: (await greyscaleOf(image)).toString('base64') }] } };
    });
    const configFile = `
providers:
  one: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: sk-upstream-0000001, maxConcurrent: 1, retries: 0 }
models:
  one-model: { route: ["one:gpt-image-1"] }
`;
    const env = { RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix };
    const nodes: TestApp[] = [await startTestApp(env, { configFile }), await startTestApp(env, { configFile })];
    try {
      const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'one-model' }, { name: 'prompt', value: 'grayscale' }]);
      const started = Date.now();
      const results = await Promise.all([0, 1, 2, 3].map((i) => nodes[i % 2]!.app.server.inject({
        method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...nodes[i % 2]!.auth }, payload: body,
      })));
      assert.deepEqual(results.map((r) => r.statusCode), [200, 200, 200, 200]);
      assert.equal(peak, 1, 'one call at a time across both nodes');
      assert.ok(Date.now() - started >= 4 * 300 - 50);
      assert.equal(await nodes[0]!.app.services.limiter.leases('provider:one'), 0, 'every lease given back');
    } finally {
      for (const n of nodes) await n.close();
      await upstream.close();
    }
  });

  it("a lease whose node died lapses, and a waiting call gets the slot; an aborted wait gives up", async () => {
    const limiter = await RedisRateLimiter.connect(redis.url, redis.prefix);
    try {
      // A node that took the only slot and died: its lease is never renewed nor released.
      assert.ok(await limiter.acquireLease('crash', 1, 400));
      const sem = new DistributedSemaphore(limiter, 'crash', 1, { leaseMs: 400, maxPollMs: 50 });
      const started = Date.now();
      assert.equal(await sem.run(async () => 'ran', new AbortController().signal), 'ran');
      const waited = Date.now() - started;
      assert.ok(waited >= 300 && waited < 2000, `waited ${waited} ms`);

      assert.ok(await limiter.acquireLease('held', 1, 60_000));
      const abort = new AbortController();
      setTimeout(() => abort.abort(), 100);
      await assert.rejects(new DistributedSemaphore(limiter, 'held', 1).run(async () => 'never', abort.signal), { code: 'request_cancelled' });
      // A full waiting line answers 429 at once.
      const tight = new DistributedSemaphore(limiter, 'held', 1, { maxWaiting: 0 });
      await assert.rejects(tight.run(async () => 'never', new AbortController().signal), { status: 429 });
    } finally {
      await limiter.close();
    }
  });

  it('a long call keeps its lease by renewing it', async () => {
    const limiter = await RedisRateLimiter.connect(redis.url, redis.prefix);
    try {
      // Lease lengths of seconds, not milliseconds: on a loaded machine (2 cores shared with other
      // test files) a timer can fire hundreds of milliseconds late, and a renewal must still land in time.
      const sem = new DistributedSemaphore(limiter, 'long', 1, { leaseMs: 1500 });
      await sem.run(async () => {
        await sleep(3500);
        assert.equal(await limiter.acquireLease('long', 1, 1500), null, 'still held after more than two lease lengths');
      }, new AbortController().signal);
      assert.equal(await limiter.leases('long'), 0);
    } finally {
      await limiter.close();
    }
  });
});

describe('when Redis goes away', () => {
  it('a limited key gets 503 with retry-after, not unmetered service nor a bare 500', async () => {
    const t = await startTestApp({ RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix, RETOUCH_DEFAULT_RPM: '100' });
    try {
      const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grayscale' }]);
      const send = () => t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
      assert.equal((await send()).statusCode, 200);
      await t.app.services.limiter.close();
      const res = await send();
      assert.equal(res.statusCode, 503, res.body);
      assert.equal(JSON.parse(res.body).error.code, 'service_unavailable');
      assert.equal(res.headers['retry-after'], '1');
    } finally {
      await t.close();
    }
  });
});
