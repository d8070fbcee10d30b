import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KeyLimits } from '../src/keys/limits.ts';
import { KeyLimitGate } from '../src/ratelimit/key-limits.ts';
import { MemoryRateLimiter } from '../src/ratelimit/memory.ts';
import { seedQuotaCounters } from '../src/ratelimit/seed-quotas.ts';
import type { Store } from '../src/store/index.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { redisPrefix } from './helpers/services.ts';
import { withinOneDay } from './helpers/clock.ts';

/**
 * The embedded server keeps its limiter in memory; its quotas must hold across a restart all the
 * same (rebuilt from the usage records at start), or a key would get its day's and month's images
 * again after every restart.
 */

let dataDir: string;
before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-quota-')); });
after(async () => { await rm(dataDir, { recursive: true, force: true }); });

/** The request ids answered since the app last started: their usage records must be written before it stops. */
const sent: string[] = [];

async function post(t: TestApp, auth: Record<string, string>, extra: Part[] = [], prompt = 'grayscale', headers: Record<string, string> = {}) {
  const form = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: prompt }, ...extra]);
  const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...form.headers, ...auth, ...headers }, payload: form.body });
  sent.push(String(res.headers['x-request-id']));
  return res;
}

/**
 * Waits for the usage records of the requests sent (written in onResponse, after the answer): a
 * close that came first would lose them, and the restart would rebuild from less than was spent.
 * A request that keeps no record (none is owed for it) is given up on after a while.
 */
async function usageWritten(t: TestApp) {
  for (const id of sent.splice(0)) {
    for (const end = Date.now() + 5_000; !(await t.app.services.store.usageForRequest(id)) && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Runs `before` on an app, closes it, starts another on the same files, and runs `then` on that one. */
async function acrossRestart(env: Record<string, string>, limits: KeyLimits | null,
  before: (t: TestApp, auth: Record<string, string>) => Promise<void>, then: (t: TestApp, auth: Record<string, string>) => Promise<void>) {
  const dir = await mkdtemp(path.join(dataDir, 'app-'));
  const first = await startTestApp(env, { dataDir: dir });
  const auth = limits ? { authorization: `Bearer ${(await first.app.services.keys.create('limited', limits)).secret}` } : first.auth;
  try {
    await before(first, auth);
    await usageWritten(first);
  } finally {
    await first.close();
  }
  const second = await startTestApp(env, { dataDir: dir });
  try {
    await then(second, auth);
  } finally {
    await second.close();
  }
}

describe('quotas across a restart of the embedded server', () => {
  it('images per day: an image made before the restart still counts after it (429 insufficient_quota)', async () => {
    await withinOneDay();
    await acrossRestart({}, { imagesPerDay: 1 }, async (t, auth) => {
      assert.equal(t.app.services.limiter.persistent, false, 'the embedded limiter');
      assert.equal((await post(t, auth)).statusCode, 200);
    }, async (t, auth) => {
      const spent = await post(t, auth);
      assertError(spent, 429, { code: 'insufficient_quota', type: 'insufficient_quota' });
      assert.match(String(spent.headers.ratelimit), /"images-per-day";r=0;t=\d+/);
      assert.ok(Number(spent.headers['retry-after']) > 0);
    });
  });

  it('output megapixels per month: the spend before the restart counts after it', async () => {
    // 64x48 = 3072 pixels a result: a budget of 0.005 MP allows two results.
    await acrossRestart({}, { megapixelsPerMonth: 0.005 }, async (t, auth) => {
      assert.equal((await post(t, auth)).statusCode, 200);
      assert.equal((await post(t, auth)).statusCode, 200);
    }, async (t, auth) => {
      assertError(await post(t, auth), 429, { code: 'insufficient_quota' });
    });
  });

  it('images per month, and what the response headers say is left', async () => {
    await acrossRestart({}, { imagesPerMonth: 5 }, async (t, auth) => {
      assert.equal((await post(t, auth, [{ name: 'n', value: '2' }])).statusCode, 200);
    }, async (t, auth) => {
      const res = await post(t, auth);
      assert.equal(res.statusCode, 200);
      // Checked before this request: 5 less the 2 images from before the restart.
      assert.match(String(res.headers.ratelimit), /"images-per-month";r=3;t=\d+/);
    });
  });

  it('failed and refused requests are not counted after the restart', async () => {
    await withinOneDay();
    await acrossRestart({}, { imagesPerDay: 2 }, async (t, auth) => {
      assert.equal((await post(t, auth)).statusCode, 200);
      const failed = await post(t, auth, [], 'add a hat');
      assert.equal(failed.statusCode, 400);
      const unknownModel = await post(t, auth, [{ name: 'model', value: 'no-such-model' }]);
      assert.ok(unknownModel.statusCode >= 400);
    }, async (t, auth) => {
      assert.equal((await post(t, auth)).statusCode, 200, 'one image spent, one left');
      assertError(await post(t, auth), 429, { code: 'insufficient_quota' });
    });
  });

  it('an async job counts what it produced; an idempotent replay, charged nothing, counts nothing', async () => {
    await withinOneDay();
    await acrossRestart({}, { imagesPerDay: 3 }, async (t, auth) => {
      const job = await post(t, auth, [], 'grayscale', { prefer: 'wait=30' });
      assert.equal(job.statusCode, 200, job.body);
      const first = await post(t, auth, [], 'grayscale', { 'idempotency-key': 'order-1' });
      assert.equal(first.statusCode, 200, first.body);
      const replay = await post(t, auth, [], 'grayscale', { 'idempotency-key': 'order-1' });
      assert.equal(replay.headers['idempotent-replayed'], 'true');
    }, async (t, auth) => {
      assert.equal((await post(t, auth)).statusCode, 200, 'two images spent, one left');
      assertError(await post(t, auth), 429, { code: 'insufficient_quota' });
    });
  });

  it('static keys under server-wide default quotas; a start on an empty store does not fail', async () => {
    await withinOneDay();
    const secret = 'sk-static-quota-0123456789abcdef';
    const env = { RETOUCH_API_KEYS: secret, RETOUCH_DEFAULT_IMAGES_PER_DAY: '1' };
    await acrossRestart(env, null, async (t) => {
      assert.equal((await post(t, { authorization: `Bearer ${secret}` })).statusCode, 200);
    }, async (t) => {
      assertError(await post(t, { authorization: `Bearer ${secret}` }), 429, { code: 'insufficient_quota' });
    });
  });
});

describe('quotas across a restart with the shared limiter (Redis)', () => {
  it('are kept by Redis and not rebuilt from the usage records as well (which would count them twice)', async () => {
    await withinOneDay();
    const redis = await redisPrefix();
    try {
      await acrossRestart({ RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix }, { imagesPerDay: 2 }, async (t, auth) => {
        assert.equal(t.app.services.limiter.persistent, true);
        assert.equal((await post(t, auth)).statusCode, 200);
      }, async (t, auth) => {
        assert.equal((await post(t, auth)).statusCode, 200, 'one image spent, one left');
        assertError(await post(t, auth), 429, { code: 'insufficient_quota' });
      });
    } finally {
      await redis.clean();
    }
  });
});

describe('seedQuotaCounters', () => {
  const spy = (rows: Awaited<ReturnType<Store['quotaSpend']>> = []) => {
    const calls: string[][] = [];
    const store = { quotaSpend: async (ids: string[]) => { calls.push(ids); return rows; } } as unknown as Store;
    return { store, calls };
  };
  const keys = (list: Array<{ id: string; limits: KeyLimits }>) => ({ activeLimits: async () => list });

  it('charges the buckets the gate checks, in the windows of now', async () => {
    const now = Date.UTC(2031, 4, 10, 12);
    const limiter = new MemoryRateLimiter(() => now);
    const gate = new KeyLimitGate(limiter, undefined, () => now);
    const { store, calls } = spy([{ keyId: 'key_a', imagesToday: 2, imagesThisMonth: 7, outputPixelsThisMonth: 4_000_000 }]);
    const seeded = await seedQuotaCounters(store, limiter, gate, keys([
      { id: 'key_a', limits: { imagesPerDay: 3, imagesPerMonth: 10, megapixelsPerMonth: 5 } },
      { id: 'key_rpm', limits: { rpm: 60, concurrent: 2 } }, // no quota: not looked up
    ]), now);
    assert.equal(seeded, 1);
    assert.deepEqual(calls, [['key_a']]);
    const admitted = await gate.admit('key_a', { imagesPerDay: 3, imagesPerMonth: 10, megapixelsPerMonth: 5 });
    assert.match(admitted.headers.ratelimit!, /"images-per-day";r=1;.*"images-per-month";r=3;.*"megapixels-per-month";r=1000000;/);
    await admitted.finish({ images: 1, pixels: 0 });
    await assert.rejects(gate.admit('key_a', { imagesPerDay: 3 }), (err: { code?: string }) => err.code === 'insufficient_quota');
    await limiter.close();
  });

  it('reads nothing for a persistent limiter (it kept its counters) or when no key has a quota', async () => {
    const memory = new MemoryRateLimiter();
    const persistent = Object.assign(Object.create(memory) as MemoryRateLimiter, { persistent: true });
    let listed = 0;
    const { store, calls } = spy();
    const gate = new KeyLimitGate(persistent);
    assert.equal(await seedQuotaCounters(store, persistent, gate, { activeLimits: async () => { listed++; return []; } }), 0);
    assert.equal(listed, 0);
    assert.equal(await seedQuotaCounters(store, memory, new KeyLimitGate(memory), keys([{ id: 'key_free', limits: { rpm: 5 } }])), 0);
    assert.deepEqual(calls, []);
    await memory.close();
  });
});
