import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RateLimiter } from '../src/ratelimit/index.ts';
import { MemoryRateLimiter } from '../src/ratelimit/memory.ts';
import { RedisRateLimiter } from '../src/ratelimit/redis.ts';
import { redisPrefix } from './helpers/services.ts';

interface Subject {
  kind: string;
  open(): Promise<{ limiter: RateLimiter; another(): Promise<RateLimiter>; reopen(): Promise<RateLimiter>; cleanup(): Promise<void> }>;
}

const subjects: Subject[] = [
  {
    kind: 'memory',
    async open() {
      const limiter = new MemoryRateLimiter();
      // Another client is this one (one process); opened again it is a new process's, empty.
      return { limiter, another: async () => limiter, reopen: async () => new MemoryRateLimiter(), cleanup: async () => {} };
    },
  },
  {
    kind: 'redis',
    async open() {
      const r = await redisPrefix();
      const limiter = await RedisRateLimiter.connect(r.url, r.prefix);
      const connect = () => RedisRateLimiter.connect(r.url, r.prefix);
      return { limiter, another: connect, reopen: connect, cleanup: () => r.clean() };
    },
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const subject of subjects) {
  describe(`limiter conformance: ${subject.kind}`, () => {
    let s: Awaited<ReturnType<Subject['open']>>;
    before(async () => { s = await subject.open(); });
    after(async () => { await s.limiter.close(); await s.cleanup(); });

    it('consumes within the limit, refuses past it without counting the refusal', async () => {
      const { limiter } = s;
      const resetAt = Date.now() + 60_000;
      assert.deepEqual(await limiter.consume('c1', 1, 3, resetAt), { allowed: true, used: 1 });
      assert.deepEqual(await limiter.consume('c1', 2, 3, resetAt), { allowed: true, used: 3 });
      assert.deepEqual(await limiter.consume('c1', 1, 3, resetAt), { allowed: false, used: 3 });
      assert.equal(await limiter.peek('c1'), 3);
      assert.equal(await limiter.peek('c-never'), 0);
    });

    it('is atomic: 40 racing consumes of a limit of 10 admit exactly 10, across clients', async () => {
      const other = await s.another();
      const resetAt = Date.now() + 60_000;
      const hits = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? other : s.limiter).consume('race', 1, 10, resetAt)));
      assert.equal(hits.filter((h) => h.allowed).length, 10);
      assert.equal(await s.limiter.peek('race'), 10);
      if (other !== s.limiter) await other.close();
    });

    it('says whether its counters outlive it: opened again, it has them only when persistent', async () => {
      await s.limiter.charge('kept', 4, Date.now() + 60_000);
      const again = await s.reopen();
      try {
        assert.equal(again.persistent, subject.kind === 'redis');
        assert.equal(await again.peek('kept'), again.persistent ? 4 : 0);
      } finally {
        await again.close();
      }
    });

    it('a counter ends at its reset time', async () => {
      // A window of a second, not 150 ms: on a loaded machine the second call came after a 150 ms
      // window had ended, and was let in. The test then waits for the reset time itself.
      const resetAt = Date.now() + 1000;
      await s.limiter.consume('short', 1, 1, resetAt);
      assert.equal((await s.limiter.consume('short', 1, 1, resetAt)).allowed, false);
      await sleep(resetAt + 50 - Date.now());
      assert.equal(await s.limiter.peek('short'), 0);
      assert.equal((await s.limiter.consume('short', 1, 1, Date.now() + 1000)).allowed, true);
    });

    it('charges whatever the total', async () => {
      const resetAt = Date.now() + 60_000;
      assert.equal(await s.limiter.charge('q', 5, resetAt), 5);
      assert.equal(await s.limiter.charge('q', 7, resetAt), 12);
      assert.equal(await s.limiter.peek('q'), 12);
    });

    it('hands out at most max leases; release and expiry free them; renew keeps one', async () => {
      const { limiter } = s;
      const a = await limiter.acquireLease('sem', 2, 60_000);
      // b lasts a second, not 300 ms: on a loaded machine it had lapsed before the next lines ran.
      const b = await limiter.acquireLease('sem', 2, 1000);
      const bTaken = Date.now(); // b lapses by bTaken + 1000 at the latest
      assert.ok(a && b && a !== b);
      assert.equal(await limiter.acquireLease('sem', 2, 60_000), null);
      assert.equal(await limiter.leases('sem'), 2);
      // b is never renewed: it lapses, as a lease held by a node that died; a, held, stays.
      await sleep(bTaken + 1000 + 50 - Date.now());
      assert.equal(await limiter.renewLease('sem', b, 60_000), false);
      assert.equal(await limiter.leases('sem'), 1, 'a shorter lease lapsing takes no other lease with it');
      await limiter.releaseLease('sem', a);
      assert.equal(await limiter.leases('sem'), 0);
      const c = await limiter.acquireLease('sem', 2, 60_000);
      assert.ok(c);
      assert.ok(await limiter.acquireLease('sem', 2, 60_000));
      assert.equal(await limiter.acquireLease('sem', 2, 60_000), null);
      assert.equal(await limiter.renewLease('sem', c, 60_000), true);
    });
  });
}

describe('RETOUCH_REDIS_URL', () => {
  it('honours the database number and the key prefix', async () => {
    const r = await redisPrefix();
    const url = r.url.replace(/\/\d*$/, '') + '/3';
    const limiter = await RedisRateLimiter.connect(url, r.prefix);
    await limiter.charge('db-check', 1, Date.now() + 60_000);
    const { Redis } = await import('ioredis');
    const [db3, db0] = [new Redis(url), new Redis(r.url.replace(/\/\d*$/, '') + '/0')];
    try {
      assert.equal(await db3.get(`${r.prefix}db-check`), '1');
      assert.equal(await db0.get(`${r.prefix}db-check`), null);
    } finally {
      await db3.del(`${r.prefix}db-check`);
      await Promise.all([db3.quit(), db0.quit(), limiter.close()]);
    }
  });
});
