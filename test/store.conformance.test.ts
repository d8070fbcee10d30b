import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { newId } from '../src/ids.ts';
import type { JobRecord, Store, UsageRecord } from '../src/store/index.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import { pgSchema } from './helpers/services.ts';

/** One way to open a fresh store of a kind, and a second handle on the same data (another node). */
interface Subject {
  kind: string;
  open(): Promise<{ store: Store; reopen(): Promise<Store>; cleanup(): Promise<void> }>;
}

const subjects: Subject[] = [
  {
    kind: 'sqlite',
    async open() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-store-'));
      const file = path.join(dir, 'retouch.db');
      return { store: await openSqliteStore(file), reopen: () => openSqliteStore(file), cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    kind: 'postgres',
    async open() {
      const db = await pgSchema();
      try {
        // Two nodes starting at once on an empty schema: the advisory lock makes them migrate in turn.
        const [store, other] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
        await other.close();
        return { store, reopen: () => openPostgresStore(db.url), cleanup: () => db.drop() };
      } catch (err) {
        await db.drop();
        throw err;
      }
    },
  },
];

const usage = (over: Partial<UsageRecord> = {}): UsageRecord => ({
  id: newId('usage'), requestId: newId('request'), keyId: 'key_a', model: 'm', backend: 'local', status: 200, errorCode: null,
  inputBytes: 10, inputPixels: 100, outputBytes: 20, outputPixels: 200, latencyMs: 12.6, createdAt: Date.now(),
  upstreamModel: null, attempts: [{ backend: 'local', model: 'retouch-local-1', latencyMs: 5 }], upstreamLatencyMs: null,
  inputTokens: null, outputTokens: null, images: 1, ...over,
});

for (const subject of subjects) {
  describe(`store conformance: ${subject.kind}`, () => {
    let s: Awaited<ReturnType<Subject['open']>>;
    before(async () => { s = await subject.open(); });
    after(async () => { await s.store.close(); await s.cleanup(); });

    it('keeps keys, finds them by prefix, revokes once, and updates their limits', async () => {
      const { store } = s;
      assert.equal(store.kind, subject.kind);
      assert.equal(await store.countKeys(), 0);
      await store.insertKey({ id: 'key_1', name: 'one', prefix: 'sk-aaaaaaa', hash: 'ab'.repeat(32), createdAt: 1000, revokedAt: null, limits: null });
      await store.insertKey({ id: 'key_2', name: null, prefix: 'sk-bbbbbbb', hash: 'cd'.repeat(32), createdAt: 2000, revokedAt: null, limits: { rpm: 5 } });
      assert.equal(await store.countKeys(), 2);
      assert.deepEqual((await store.findKeysByPrefix('sk-aaaaaaa')).map((k) => [k.id, k.name, k.createdAt, k.limits]), [['key_1', 'one', 1000, null]]);
      assert.deepEqual((await store.listKeys()).map((k) => k.id), ['key_1', 'key_2']);
      assert.deepEqual((await store.listKeys())[1]!.limits, { rpm: 5 });
      assert.equal(await store.revokeKey('key_1', 3000), true);
      assert.equal(await store.revokeKey('key_1', 4000), false, 'revoked once');
      assert.equal(await store.revokeKey('key_nope', 4000), false);
      assert.equal((await store.findKeysByPrefix('sk-aaaaaaa'))[0]!.revokedAt, 3000);
      assert.equal(await store.updateKeyLimits('key_2', { rpm: 60, imagesPerDay: 500 }), true);
      assert.deepEqual((await store.findKeysByPrefix('sk-bbbbbbb'))[0]!.limits, { rpm: 60, imagesPerDay: 500 });
      assert.equal(await store.updateKeyLimits('key_2', null), true);
      assert.equal((await store.findKeysByPrefix('sk-bbbbbbb'))[0]!.limits, null);
      assert.equal(await store.updateKeyLimits('key_nope', { rpm: 1 }), false);
      await assert.rejects(store.insertKey({ id: 'key_3', name: null, prefix: 'x', hash: 'ab'.repeat(32), createdAt: 1, revokedAt: null, limits: null }), 'hashes are unique');
    });

    it('keeps usage records whole, by request and by key, and sums them', async () => {
      const { store } = s;
      const a = usage({ upstreamModel: 'gpt-image-1', upstreamLatencyMs: 7.4, inputTokens: 50, outputTokens: 4000, createdAt: Date.now() - 10 });
      const b = usage({ status: 499, errorCode: 'request_cancelled', attempts: null });
      const c = usage({ keyId: 'key_b', model: 'n', status: 400, errorCode: 'unsupported_edit' });
      for (const u of [a, b, c]) await store.insertUsage(u);
      const got = (await store.usageForRequest(a.requestId))!;
      assert.deepEqual(got, { ...a, latencyMs: 13, upstreamLatencyMs: 7 });
      assert.equal(await store.usageForRequest('req_nope'), null);
      assert.deepEqual((await store.usageForKey('key_a', 10)).map((u) => u.requestId), [b.requestId, a.requestId]);
      assert.deepEqual((await store.usageForKey('key_a', 1)).map((u) => u.requestId), [b.requestId]);
      const rows = await store.summarizeUsage(0);
      const m = rows.find((r) => r.model === 'm')!;
      assert.deepEqual([m.requests, m.errors, m.inputBytes, m.outputBytes, m.outputPixels, m.inputTokens, m.outputTokens], [2, 1, 20, 40, 400, 50, 4000]);
      assert.equal(typeof m.avgLatencyMs, 'number');
      assert.deepEqual(rows.map((r) => r.model), ['m', 'n']);
      assert.equal((await store.summarizeUsage(Date.now() + 60_000)).length, 0);
    });

    it('a second node opening the same data sees the same rows, and migrating again changes nothing', async () => {
      const other = await s.reopen();
      try {
        assert.equal(await other.countKeys(), 2);
        await other.insertUsage(usage({ keyId: 'key_c' }));
        assert.equal((await s.store.usageForKey('key_c', 5)).length, 1);
      } finally {
        await other.close();
      }
    });

    it('keeps jobs: conditional updates (first writer wins), unfinished ones failed, retention', async () => {
      const { store } = s;
      const job = (id: string, over: Partial<JobRecord> = {}): JobRecord => ({
        id, requestId: `req_${id}`, keyId: 'key_a', status: 'queued', model: 'm', createdAt: 1000, updatedAt: 1000, result: null, error: null,
        responseFormat: 'url', webhookUrl: null, webhookNextAt: null, webhookDeliveredAt: null, ...over,
      });
      await store.insertJob(job('job_1', { webhookUrl: 'https://example.com/hook' }));
      await store.insertJob(job('job_2', { status: 'running' }));
      await store.insertJob(job('job_3', { createdAt: 5000 }));
      assert.equal(await store.getJob('job_nope'), null);
      assert.equal(await store.updateJob('job_1', { status: 'running' }, 1100, ['queued']), true);
      const result = { created: 1, data: [{ url: 'http://x/img/a.webp' }] };
      assert.equal(await store.updateJob('job_1', { status: 'succeeded', result, webhookNextAt: 1200 }, 1200, ['queued', 'running']), true);
      assert.equal(await store.updateJob('job_1', { status: 'canceled' }, 1300, ['queued', 'running']), false, 'a cancel after completion loses');
      const done = (await store.getJob('job_1'))!;
      assert.deepEqual([done.status, done.result, done.updatedAt, done.webhookUrl, done.webhookNextAt], ['succeeded', result, 1200, 'https://example.com/hook', 1200]);
      const reason = { message: 'the server restarted', type: 'server_error', param: null, code: 'job_interrupted' };
      assert.deepEqual(await store.failUnfinishedJobs(reason, 2000, 1000), [], 'only records untouched since before the cut');
      assert.deepEqual((await store.failUnfinishedJobs(reason, 2000, 1500)).sort(), ['job_2', 'job_3']);
      assert.deepEqual((await store.getJob('job_2'))!.error, reason);
      assert.equal((await store.getJob('job_2'))!.status, 'failed');
      assert.deepEqual(await store.failUnfinishedJobs(reason, 2100, 9000), []);

      // Webhooks: due ones, claimed once, attempts kept in order.
      assert.deepEqual((await store.dueWebhooks(1199, 10)).map((j) => j.id), []);
      assert.deepEqual((await store.dueWebhooks(1200, 10)).map((j) => j.id), ['job_1']);
      assert.equal(await store.claimWebhook('job_1', 1200, 61_200), true);
      assert.equal(await store.claimWebhook('job_1', 1200, 61_200), false, 'another sweeper does not get it too');
      await store.insertWebhookAttempt({ jobId: 'job_1', at: 1300, status: 500, error: 'the receiver answered 500', durationMs: 12.4 });
      await store.insertWebhookAttempt({ jobId: 'job_1', at: 1250, status: null, error: 'the connection failed', durationMs: 3 });
      assert.deepEqual((await store.webhookAttempts('job_1')).map((a) => [a.at, a.status, a.durationMs]), [[1250, null, 3], [1300, 500, 12]]);

      // Idempotency: the first use wins; a second node sees it.
      const first = await store.putIdempotency({ keyId: 'key_a', key: 'k-1', fingerprint: 'f1', jobId: 'job_1', createdAt: 1000 });
      const again = await store.putIdempotency({ keyId: 'key_a', key: 'k-1', fingerprint: 'f2', jobId: 'job_9', createdAt: 1001 });
      assert.deepEqual([first.jobId, again.jobId, again.fingerprint], ['job_1', 'job_1', 'f1']);
      assert.equal((await store.putIdempotency({ keyId: 'key_b', key: 'k-1', fingerprint: 'f3', jobId: 'job_3', createdAt: 1000 })).jobId, 'job_3', 'per key');
      // A retry takes over an interrupted first attempt once: the second to try finds it moved.
      assert.equal(await store.reassignIdempotency('key_b', 'k-1', 'job_3', 'job_4'), true);
      assert.equal(await store.reassignIdempotency('key_b', 'k-1', 'job_3', 'job_5'), false);
      assert.equal((await store.getIdempotency('key_b', 'k-1'))!.jobId, 'job_4');
      assert.ok((await store.getIdempotency('key_b', 'k-1'))!.createdAt > 1000, "the taker's claim starts when it takes over");
      // A claim is given up only by its own job: one moved on to another is kept.
      await store.releaseIdempotency('key_b', 'k-1', 'job_3');
      assert.equal((await store.getIdempotency('key_b', 'k-1'))!.jobId, 'job_4');
      await store.putIdempotency({ keyId: 'key_c', key: 'k-1', fingerprint: 'f4', jobId: 'job_6', createdAt: 1000 });
      await store.releaseIdempotency('key_c', 'k-1', 'job_6');
      assert.equal(await store.getIdempotency('key_c', 'k-1'), null);
      const other = await s.reopen();
      try {
        assert.equal((await other.getIdempotency('key_a', 'k-1'))!.jobId, 'job_1');
        assert.equal((await other.getJob('job_1'))!.status, 'succeeded');
      } finally {
        await other.close();
      }
      assert.equal(await store.deleteIdempotencyBefore(1000), 0, 'strictly before');
      await store.putIdempotency({ keyId: 'key_c', key: 'old', fingerprint: 'f4', jobId: 'job_3', createdAt: 100 });
      assert.equal(await store.deleteIdempotencyBefore(500), 1, 'records older than 24 h go on their own');

      // Retention: old jobs go with their attempts and idempotency records.
      assert.equal(await store.deleteJobsBefore(4000), 2);
      assert.equal(await store.getJob('job_1'), null);
      assert.deepEqual(await store.webhookAttempts('job_1'), []);
      assert.equal(await store.getIdempotency('key_a', 'k-1'), null);
      assert.ok(await store.getJob('job_3'));
    });

    it('keeps a key\'s webhook secret', async () => {
      const { store } = s;
      await store.insertKey({ id: 'key_w', name: null, prefix: 'sk-wwwwwww', hash: 'ef'.repeat(32), createdAt: 1, revokedAt: null, limits: null, webhookSecret: 'whsec_abc' });
      assert.equal((await store.findKeysByPrefix('sk-wwwwwww'))[0]!.webhookSecret, 'whsec_abc');
      assert.equal(await store.setWebhookSecret('key_w', 'whsec_def'), true);
      assert.equal((await store.listKeys()).find((k) => k.id === 'key_w')!.webhookSecret, 'whsec_def');
      assert.equal(await store.setWebhookSecret('key_nope', 'whsec_x'), false);
    });

    it('keeps admin scopes, gets a key by id, and rotates an active key only', async () => {
      const { store } = s;
      await store.insertKey({ id: 'key_adm', name: 'ops', prefix: 'sk-ccccccc', hash: 'a1'.repeat(32), createdAt: 5000, revokedAt: null, limits: null, scopes: ['admin'] });
      assert.deepEqual((await store.getKey('key_adm'))?.scopes, ['admin']);
      assert.equal((await store.getKey('key_2'))?.scopes, undefined, 'an ordinary key has no scopes');
      assert.equal(await store.getKey('key_nope'), null);
      assert.equal(await store.rotateKey('key_adm', 'sk-ddddddd', '12'.repeat(32)), true);
      assert.deepEqual((await store.findKeysByPrefix('sk-ccccccc')), [], 'the old prefix finds nothing');
      assert.equal((await store.findKeysByPrefix('sk-ddddddd'))[0]?.hash, '12'.repeat(32));
      assert.equal(await store.rotateKey('key_1', 'sk-eeeeeee', '34'.repeat(32)), false, 'key_1 is revoked');
      assert.equal(await store.rotateKey('key_nope', 'sk-eeeeeee', '34'.repeat(32)), false);
    });

    it('buckets usage by hour or day, per key, model or backend, with exact counts and latency percentiles', async () => {
      const { store } = s;
      const hour = 3_600_000;
      const t0 = Date.UTC(2030, 0, 2, 10); // an hour boundary, far from the other tests' records
      const rec = (min: number, over: Partial<UsageRecord>) => usage({ keyId: 'key_s', createdAt: t0 + min * 60_000, ...over });
      const records = [
        ...Array.from({ length: 10 }, (_, i) => rec(i, { latencyMs: (i + 1) * 10, model: 'm1', backend: 'local', images: 2, inputTokens: 5, outputTokens: 7 })),
        rec(20, { status: 429, errorCode: 'rate_limit_exceeded', images: 0, latencyMs: 1, model: 'm1' }),
        rec(61, { model: 'm2', backend: 'openai', latencyMs: 500 }),
        rec(62, { model: 'm2', backend: 'openai', status: 502, errorCode: 'upstream_error', images: 0, latencyMs: 900 }),
        rec(-1, { model: 'm1' }), // before the range
        rec(120, { model: 'm1' }), // at its end, excluded
        usage({ keyId: 'key_other', createdAt: t0 + 5 * 60_000 }),
      ];
      for (const r of records) await store.insertUsage(r);
      const range = { from: t0, to: t0 + 2 * hour, keyId: 'key_s' };

      const rows = await store.usageSeries({ ...range, bucketMs: hour, groupBy: 'model' });
      assert.deepEqual(rows.map((r) => [r.bucket, r.group, r.requests, r.images, r.errors, r.refusals, r.inputTokens, r.outputTokens]), [
        [t0, 'm1', 11, 20, 1, 1, 50, 70],
        [t0 + hour, 'm2', 2, 1, 1, 0, 0, 0],
      ]);
      // Nearest rank over 1, 10, 20 … 100 ms (11 values).
      assert.deepEqual(rows[0]!.latencyMs, { p50: 50, p95: 100, p99: 100 });
      assert.deepEqual(rows[1]!.latencyMs, { p50: 500, p95: 900, p99: 900 });

      const daily = await store.usageSeries({ ...range, bucketMs: 86_400_000, groupBy: null });
      assert.deepEqual(daily.map((r) => [r.bucket, r.group, r.requests, r.errors]), [[Date.UTC(2030, 0, 2), null, 13, 2]]);
      const byBackend = await store.usageSeries({ ...range, bucketMs: 86_400_000, groupBy: 'backend', backend: 'openai' });
      assert.deepEqual(byBackend.map((r) => [r.group, r.requests]), [['openai', 2]]);
      const byKey = await store.usageSeries({ from: t0, to: t0 + hour, bucketMs: hour, groupBy: 'key' });
      assert.deepEqual(byKey.map((r) => [r.group, r.requests]), [['key_other', 1], ['key_s', 11]]);

      const failures = await store.recentFailures(2);
      assert.ok(failures.every((f) => f.status >= 400));
      assert.equal(failures.length, 2);
    });

    it('sums what keys spent of their quotas in a day and its month, as the gate charges it', async () => {
      const { store } = s;
      const day = { start: Date.UTC(2031, 4, 10), end: Date.UTC(2031, 4, 11) };
      const month = { start: Date.UTC(2031, 4, 1), end: Date.UTC(2031, 5, 1) };
      const at = (d: number, h = 12) => Date.UTC(2031, 4, d, h);
      const rec = (keyId: string, createdAt: number, over: Partial<UsageRecord> = {}) => usage({ keyId, createdAt, images: 1, outputPixels: 1000, ...over });
      const records = [
        rec('key_q1', at(10), { images: 2, outputPixels: 5000 }), // today
        rec('key_q1', day.start), // today, at its first ms
        rec('key_q1', at(3)), // earlier this month
        rec('key_q1', at(10), { status: 499, errorCode: 'request_cancelled' }), // answered, then the client left
        rec('key_q1', at(10), { status: 400, errorCode: 'unsupported_edit', images: 0, outputPixels: 0 }),
        rec('key_q1', at(10), { status: 502, errorCode: 'upstream_error', images: 1, outputPixels: 700 }), // produced, not answered
        rec('key_q1', at(10), { status: 429, errorCode: 'insufficient_quota', images: 0, outputPixels: 0 }),
        rec('key_q1', at(10), { status: 200, images: 0, outputPixels: 0 }), // an idempotent replay: nothing run
        rec('key_q1', month.start - 1), // last month
        rec('key_q1', month.end), // next month
        rec('key_q2', at(11)), // tomorrow, still this month
        rec('key_qx', at(10)), // a key not asked about
      ];
      for (const r of records) await store.insertUsage(r);
      const spend = await store.quotaSpend(['key_q1', 'key_q2', 'key_q3'], { day, month });
      assert.deepEqual(spend.sort((a, b) => a.keyId.localeCompare(b.keyId)), [
        { keyId: 'key_q1', imagesToday: 4, imagesThisMonth: 5, outputPixelsThisMonth: 5000 + 1000 + 1000 + 1000 + 700 },
        { keyId: 'key_q2', imagesToday: 0, imagesThisMonth: 1, outputPixelsThisMonth: 1000 },
      ]);
      assert.deepEqual(await store.quotaSpend([], { day, month }), []);
      // Many keys at once (more than one batch of parameters): the one with records is found.
      const many = [...Array.from({ length: 1200 }, (_, i) => `key_none_${i}`), 'key_q2'];
      assert.deepEqual((await store.quotaSpend(many, { day, month })).map((r) => r.keyId), ['key_q2']);
    });

    it('keeps the audit log, newest first', async () => {
      const { store } = s;
      for (const [i, action] of ['keys.create', 'keys.revoke'].entries()) {
        await store.insertAudit({ id: newId('audit', 1000 + i), at: 1000 + i, actor: 'key_adm', action, target: 'key_2', status: 200, requestId: `req_${i}`, detail: i ? null : { limits: { rpm: 5 } } });
      }
      const log = await store.listAudit(10);
      assert.deepEqual(log.map((a) => [a.action, a.actor, a.target, a.status, a.detail]), [['keys.revoke', 'key_adm', 'key_2', 200, null], ['keys.create', 'key_adm', 'key_2', 200, { limits: { rpm: 5 } }]]);
      assert.equal((await store.listAudit(1)).length, 1);
    });
  });
}
