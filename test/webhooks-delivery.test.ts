/**
 * How the webhook sender delivers: attempts of one sweep run side by side (a receiver that never
 * answers does not hold up the others), bounded, and a host name that does not resolve is retried
 * on the schedule rather than given up on.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { newId } from '../src/ids.ts';
import { WebhookSender, type WebhookOptions } from '../src/jobs/webhooks.ts';
import { Redactor } from '../src/redact.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let t: TestApp;
let keyId: string;
before(async () => {
  t = await startTestApp({ RETOUCH_WEBHOOK_ALLOW_PRIVATE: 'true' });
  // Only the senders made here send: the app's own would race them for the claims.
  await t.app.services.webhooks.stop();
  keyId = (await t.app.services.store.listKeys())[0]!.id;
});
after(async () => { await t.close(); });

function sender(o: Partial<WebhookOptions>) {
  const { store, keys, logger } = t.app.services;
  return new WebhookSender({ store, keys, logger, redactor: new Redactor(), allowPrivate: true, ...o });
}

/** A succeeded job whose webhook is due now. */
async function dueJob(webhookUrl: string, at = Date.now()) {
  const id = newId('job');
  await t.app.services.store.insertJob({
    id, requestId: newId('request'), keyId, status: 'succeeded', model: 'retouch-local-1', createdAt: at, updatedAt: at,
    result: { created: 1, data: [] }, error: null, responseFormat: 'url', webhookUrl, webhookNextAt: at, webhookDeliveredAt: null,
  });
  return id;
}

/** A receiver that takes requests and never answers; it counts them, and notes when one is dropped. */
async function hangingReceiver() {
  const events: string[] = [];
  let open = 0;
  let maxOpen = 0;
  const server = http.createServer((req) => {
    open++;
    maxOpen = Math.max(maxOpen, open);
    events.push('hanging-request');
    req.socket.once('close', () => { open--; events.push('hanging-closed'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, events,
    get maxOpen() { return maxOpen; },
    close() { server.closeAllConnections(); server.close(); },
  };
}

async function until(done: () => boolean, what: string, ms = 60_000) {
  for (const end = Date.now() + ms; !done(); await sleep(10)) if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
}

describe('webhook delivery', () => {
  it("a receiver that never answers does not delay another receiver's delivery, nor its retry after a 500", async () => {
    const hanging = await hangingReceiver();
    const events = hanging.events;
    let healthyCalls = 0;
    const healthy = http.createServer((_req, res) => {
      healthyCalls++;
      events.push(`healthy-${healthyCalls}`);
      res.writeHead(healthyCalls === 1 ? 500 : 204).end();
    });
    await new Promise<void>((r) => healthy.listen(0, '127.0.0.1', r));
    const s = sender({ timeoutMs: 4_000, scheduleMs: [100] });
    try {
      const now = Date.now();
      // The hanging jobs are due first, so a sender that took attempts one by one would reach the
      // healthy one only after each of them timed out.
      for (let i = 0; i < 8; i++) await dueJob(hanging.url, now - 1000 + i);
      const healthyJob = await dueJob(`http://127.0.0.1:${(healthy.address() as AddressInfo).port}/hook`, now);
      s.poke();
      await until(() => healthyCalls >= 2, 'the healthy receiver to be called twice');
      const firstDrop = events.indexOf('hanging-closed');
      assert.ok(firstDrop === -1 || firstDrop > events.indexOf('healthy-2'), `the healthy deliveries came first: ${events.join(' ')}`);
      await until(() => events.filter((e) => e === 'hanging-request').length === 8, 'the hanging receiver to get all 8');
      // The receiver answers before the sender records the attempt: wait for the record, not the call.
      const attempts = async () => (await t.app.server.inject({ url: `/v1/images/edits/${healthyJob}`, headers: t.auth })).json().webhook.attempts;
      let recorded = await attempts();
      for (const end = Date.now() + 30_000; recorded.length < 2 && Date.now() < end; await sleep(20)) recorded = await attempts();
      assert.deepEqual(recorded.map((a: { status: number }) => a.status), [500, 204]);
    } finally {
      hanging.close();
      healthy.close();
      await s.stop();
    }
  });

  it('runs at most `concurrency` attempts at once, and takes up the rest as slots free', async () => {
    const hanging = await hangingReceiver();
    const s = sender({ timeoutMs: 300, scheduleMs: [], concurrency: 3 });
    try {
      for (let i = 0; i < 5; i++) await dueJob(hanging.url);
      s.poke();
      await until(() => hanging.events.filter((e) => e === 'hanging-request').length === 5, 'all 5 attempts');
      assert.equal(hanging.maxOpen, 3);
    } finally {
      hanging.close();
      await s.stop();
    }
  });

  it('a host name that does not resolve is retried on the schedule; a private address is not', async () => {
    // `.invalid` never resolves (RFC 6761): no network is needed to see it fail.
    const s = sender({ allowPrivate: false, scheduleMs: [50, 50] });
    const attempts = async (id: string) => (await t.app.server.inject({ url: `/v1/images/edits/${id}`, headers: t.auth })).json().webhook;
    try {
      const unresolved = await dueJob('http://hook.invalid/x');
      const private_ = await dueJob('http://127.0.0.1:9/hook');
      s.poke();
      let hook;
      for (const end = Date.now() + 30_000; Date.now() < end; await sleep(20)) {
        hook = await attempts(unresolved);
        if (hook.next_attempt_at === null) break;
      }
      assert.deepEqual(hook.attempts.map((a: { error: string }) => a.error), Array(3).fill('the host name does not resolve'), 'the first attempt and both retries');
      // Its one attempt is recorded before its next attempt is set (to none): wait for that write.
      let refused = await attempts(private_);
      for (const end = Date.now() + 30_000; refused.next_attempt_at !== null && Date.now() < end; await sleep(20)) refused = await attempts(private_);
      assert.equal(refused.attempts.length, 1);
      assert.match(refused.attempts[0].error, /^refused: the host is not a public address/);
      assert.equal(refused.next_attempt_at, null);
    } finally {
      await s.stop();
    }
  });
});
