import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { greyAnswer, relayConfig, type Script, startStandIn } from './helpers/stand-in.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
let base: string;
const config = (origin: string) => relayConfig(origin, 'timeoutMs: 60000');

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({ RETOUCH_WEBHOOK_ALLOW_PRIVATE: 'true' }, { configFile: config(upstream.origin), app: { webhookScheduleMs: [100, 100, 100] } });
  base = await t.listen();
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });


async function submit(fields: Record<string, string> = {}, headers: Record<string, string> = { prefer: 'respond-async' }, key = t.key) {
  const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  return fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...h, authorization: `Bearer ${key}`, ...headers }, body: new Uint8Array(body) });
}
const getJob = (id: string, headers: Record<string, string> = {}, key = t.key) =>
  fetch(`${base}/v1/images/edits/${id}`, { headers: { authorization: `Bearer ${key}`, ...headers } });

describe('async jobs', () => {
  it('Prefer: respond-async answers 202 with the job and its Location; GET waits for it and has the hosted result', async () => {
    const res = await submit();
    assert.equal(res.status, 202);
    const job = await res.json();
    assert.match(job.id, /^job_[0-9a-z]{26}$/);
    assert.equal(job.object, 'image.edit.job');
    assert.ok(['queued', 'running', 'succeeded'].includes(job.status), job.status);
    assert.equal(typeof job.created, 'number');
    assert.equal(res.headers.get('location'), `/v1/images/edits/${job.id}`);
    const done = await (await getJob(job.id, { prefer: 'wait=30' })).json();
    assert.equal(done.status, 'succeeded', JSON.stringify(done));
    const img = await decode(Buffer.from(await (await fetch(done.data[0].url)).arrayBuffer()));
    assert.ok(isGrey(pixel(img, 40, 30)));
    const usage = await t.app.services.store.usageForKey((await t.app.services.store.listKeys())[0]!.id, 5);
    assert.ok(usage.some((u) => u.status === 200 && u.outputPixels === 64 * 48), 'the processor wrote the usage record');
  });

  it('"async": true in a JSON body with b64_json: the job answers base64; Prefer: wait answers synchronously when done', async () => {
    const image = `data:image/png;base64,${(await card()).toString('base64')}`;
    const res = await fetch(`${base}/v1/images/edits`, {
      method: 'POST', headers: { ...t.auth, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'retouch-local-1', prompt: 'rotate 180 degrees', images: [{ image_url: image }], response_format: 'b64_json', output_format: 'png', async: true }),
    });
    assert.equal(res.status, 202);
    const done = await (await getJob((await res.json()).id, { prefer: 'wait=30' })).json();
    const out = await decode(Buffer.from(done.data[0].b64_json, 'base64'));
    assert.ok(pixel(out, 60, 44)[1]! > 200, 'rotated: the green corner is bottom right');

    const sync = await submit({}, { prefer: 'wait=30' });
    assert.equal(sync.status, 200);
    const answer = await sync.json();
    assert.match(answer.data[0].url, /\/img\/img_/);
    assert.match(sync.headers.get('x-retouch-job')!, /^job_/);
  });

  it('a job is visible only to its own key', async () => {
    const job = await (await submit()).json();
    const other = await t.app.services.keys.create('other');
    for (const res of [await getJob(job.id, {}, other.secret), await fetch(`${base}/v1/images/edits/${job.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${other.secret}` } })]) {
      assert.equal(res.status, 404);
      const body = await res.json();
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
    }
    assert.equal((await getJob('job_nope')).status, 404);
  });

  it('a failed job keeps its error envelope; Prefer: wait answers it with its status', async () => {
    const job = await (await submit({ prompt: 'add a dragon' })).json();
    const done = await (await getJob(job.id, { prefer: 'wait=30' })).json();
    assert.equal(done.status, 'failed');
    assert.equal(done.error.code, 'unsupported_edit');
    assert.deepEqual(Object.keys(done.error).sort(), ['code', 'message', 'param', 'type']);
    const sync = await submit({ prompt: 'add a dragon' }, { prefer: 'wait=30' });
    assert.equal(sync.status, 400);
    assert.equal((await sync.json()).error.code, 'unsupported_edit');
  });

  it('DELETE cancels a running job: the upstream call is aborted and the job says canceled', async () => {
    script = () => 'stall';
    const job = await (await submit({ model: 'relayed' })).json();
    for (const end = Date.now() + 30_000; upstream.requests.length === 0 && Date.now() < end;) await sleep(25);
    assert.equal(upstream.requests.length, 1, 'the job was running (its upstream call made) within 30 s');
    const res = await fetch(`${base}/v1/images/edits/${job.id}`, { method: 'DELETE', headers: t.auth });
    const canceled = await res.json();
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.error.code, 'job_canceled');
    await upstream.requests[0]!.closed; // resolves once our side dropped the upstream call
    await sleep(100);
    assert.equal((await (await getJob(job.id)).json()).status, 'canceled', 'the aborted run does not overwrite it');
  });
});

describe('async jobs when the engine is busy', () => {
  it('wait for a slot rather than fail with the 429 a waiting client would retry on', async () => {
    // One slot and one waiting place: of four jobs at once, two would be refused by the engine's queue.
    const busy = await startTestApp({ RETOUCH_LOCAL_CONCURRENCY: '1', RETOUCH_LOCAL_QUEUE: '1' });
    try {
      const big = await card(1400, 1000);
      const ids = await Promise.all([0, 1, 2, 3].map(async () => {
        const { body, headers } = await nodeForm([{ name: 'image', file: big, contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'blur it a lot' }]);
        const res = await busy.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...busy.auth, prefer: 'respond-async' }, payload: body });
        assert.equal(res.statusCode, 202, res.body);
        return res.json().id as string;
      }));
      const ended = await Promise.all(ids.map(async (id) => (await busy.app.server.inject({ url: `/v1/images/edits/${id}`, headers: { ...busy.auth, prefer: 'wait=60' } })).json()));
      assert.deepEqual(ended.map((j) => j.status), ['succeeded', 'succeeded', 'succeeded', 'succeeded'], JSON.stringify(ended.map((j) => j.error)));
    } finally {
      await busy.close();
    }
  });
});

describe('webhooks', () => {
  it('are signed per Standard Webhooks, retried after a 500, and not sent again after a 2xx', async () => {
    const deliveries: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      deliveries.push({ headers: req.headers, body });
      res.writeHead(deliveries.length === 1 ? 500 : 204).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const hook = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook`;
      const { id: keyId } = (await t.app.services.store.listKeys())[0]!;
      const secret = (await t.app.services.keys.webhookSecret(keyId))!;
      assert.match(secret, /^whsec_/);
      const job = await (await submit({ webhook_url: hook })).json();
      // The receiver answers before the sender records the attempt: wait for the record of the
      // delivery, not for the receiver's second call (under load the record lagged the call).
      let seen = await (await getJob(job.id)).json();
      for (const end = Date.now() + 30_000; seen.webhook.delivered_at === null && Date.now() < end; await sleep(25)) seen = await (await getJob(job.id)).json();
      assert.equal(typeof seen.webhook.delivered_at, 'number', `delivered within 30 s: ${JSON.stringify(seen.webhook)}`);
      await sleep(600); // well past the retry delays: a third delivery would have come by now
      assert.equal(deliveries.length, 2, 'one retry after the 500, nothing after the 204');
      const wh = new Webhook(secret);
      for (const d of deliveries) {
        const payload = wh.verify(d.body, d.headers as Record<string, string>) as { type: string; data: { id: string; status: string; data: Array<{ url: string }> } };
        assert.equal(payload.type, 'image.edit.job.succeeded');
        assert.equal(payload.data.id, job.id);
        assert.match(payload.data.data[0]!.url, /\/img\//);
      }
      assert.equal(deliveries[0]!.headers['webhook-id'], deliveries[1]!.headers['webhook-id'], 'the same message id on a retry');
      assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(deliveries[0]!.body, deliveries[0]!.headers as Record<string, string>));
      seen = await (await getJob(job.id)).json();
      assert.deepEqual(seen.webhook.attempts.map((a: { status: number }) => a.status), [500, 204]);
      assert.equal(typeof seen.webhook.delivered_at, 'number');
      assert.equal(seen.webhook.next_attempt_at, null);
      assert.doesNotMatch(JSON.stringify(seen), /whsec_/, 'the secret is never shown by the API');
    } finally {
      receiver.close();
    }
  });

  it('of keys from RETOUCH_API_KEYS are signed with RETOUCH_WEBHOOK_SECRET; without it they are refused', async () => {
    const staticKey = 'sk-static-webhook-0123456789';
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const bodies: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    const receiver = http.createServer(async (req, res) => {
      let body = '';
      for await (const c of req) body += c;
      bodies.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as net.AddressInfo).port}/hook`;
    const form = async () => nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'webhook_url', value: hook }]);
    const signed = await startTestApp({ RETOUCH_API_KEYS: staticKey, RETOUCH_WEBHOOK_SECRET: secret, RETOUCH_WEBHOOK_ALLOW_PRIVATE: 'true' });
    const unsigned = await startTestApp({ RETOUCH_API_KEYS: staticKey, RETOUCH_WEBHOOK_ALLOW_PRIVATE: 'true' });
    try {
      const { body, headers } = await form();
      const res = await signed.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, authorization: `Bearer ${staticKey}` }, payload: body });
      assert.equal(res.statusCode, 202, res.body);
      for (let i = 0; i < 400 && bodies.length === 0; i++) await sleep(25);
      const payload = new Webhook(secret).verify(bodies[0]!.body, bodies[0]!.headers as Record<string, string>) as { type: string; data: { id: string } };
      assert.deepEqual([payload.type, payload.data.id], ['image.edit.job.succeeded', res.json().id]);
      const again = await form();
      const refused = await unsigned.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...again.headers, authorization: `Bearer ${staticKey}` }, payload: again.body });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().error.param, 'webhook_url');
      assert.match(refused.json().error.message, /RETOUCH_WEBHOOK_SECRET/);
    } finally {
      receiver.close();
      await signed.close();
      await unsigned.close();
    }
  });

  it('go only to public addresses unless RETOUCH_WEBHOOK_ALLOW_PRIVATE: refused at submit, and at delivery without retries', async () => {
    const strict = await startTestApp({}, { app: { webhookScheduleMs: [50, 50] } });
    try {
      for (const target of ['http://127.0.0.1:9/hook', 'http://[::1]/hook', 'http://localhost:8080/hook', 'https://10.0.0.1/x', 'http://169.254.169.254/latest']) {
        const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grayscale' }]);
        const res = await strict.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...strict.auth, prefer: 'respond-async', 'webhook-url': target }, payload: body });
        assert.equal(res.statusCode, 400, `${target}: ${res.body}`);
        assert.deepEqual([res.json().error.param, res.json().error.code], ['webhook_url', 'invalid_value']);
        assert.match(res.json().error.message, /not a public address/);
      }
      // A receiver that passed at submit and points somewhere private at delivery (DNS changed,
      // say): the attempt is refused, recorded, and not repeated.
      const { store } = strict.app.services;
      const keyId = (await store.listKeys())[0]!.id;
      const now = Date.now();
      const id = `job_${'0'.repeat(26)}`;
      await store.insertJob({ id, requestId: 'req_x', keyId, status: 'succeeded', model: 'retouch-local-1', createdAt: now, updatedAt: now, result: { created: 1, data: [] },
        error: null, responseFormat: 'url', webhookUrl: 'http://user:hunter2@127.0.0.1:9/hook', webhookNextAt: now, webhookDeliveredAt: null });
      strict.app.services.webhooks.poke();
      let job;
      for (let i = 0; i < 200; i++) {
        job = (await strict.app.server.inject({ url: `/v1/images/edits/${id}`, headers: strict.auth })).json();
        if (job.webhook.attempts.length) break;
        await sleep(25);
      }
      await sleep(300); // past the retry delay: a second attempt would have come by now
      job = (await strict.app.server.inject({ url: `/v1/images/edits/${id}`, headers: strict.auth })).json();
      assert.equal(job.webhook.attempts.length, 1);
      assert.match(job.webhook.attempts[0].error, /refused: the host is not a public address/);
      assert.equal(job.webhook.next_attempt_at, null);
      assert.equal(job.webhook.url, 'http://user:***@127.0.0.1:9/hook', "the receiver's password is not shown back");
    } finally {
      await strict.close();
    }
  });
});

describe('a restart between submit and completion (embedded mode)', () => {
  /**
   * `retouch serve` in a process of its own on `dataDir`, routing `relayed` to `upstream`, with a
   * stored key; `crash()` kills it with SIGKILL (no shutdown), as a power cut or an OOM kill would.
   */
  async function childServer(dataDir: string, upstream: string) {
    await writeFile(path.join(dataDir, 'retouch.yaml'), config(upstream));
    const env = { ...process.env, RETOUCH_DATA_DIR: dataDir, RETOUCH_CONFIG: path.join(dataDir, 'retouch.yaml'), HOST: '127.0.0.1' };
    const key = execFileSync(process.execPath, [BIN, 'keys', 'create'], { env, encoding: 'utf8' }).trim();
    const srv = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => srv.once('listening', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...env, PORT: String(port) }, stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    // Up to 120 s: a cold start on a loaded machine has taken 10-25 s.
    for (const end = Date.now() + 120_000; !(await fetch(`${url}/health`).then((r) => r.ok, () => false)); await sleep(100)) {
      if (Date.now() > end || child.exitCode !== null) assert.fail(`retouch serve did not start (exit ${child.exitCode})`);
    }
    return {
      url, key,
      async crash() {
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
      },
    };
  }
  const greyForm = () => card().then((file) => nodeForm([{ name: 'image', file, contentType: 'image/png' }, { name: 'model', value: 'relayed' }, { name: 'prompt', value: 'grey' }]));

  it('marks the job failed with a reason, never stuck running', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-restart-'));
    const stalled = await startStandIn(() => 'stall');
    try {
      const child = await childServer(dataDir, stalled.origin);
      const { body, headers } = await greyForm();
      const res = await fetch(`${child.url}/v1/images/edits`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${child.key}`, prefer: 'respond-async' }, body: new Uint8Array(body) });
      assert.equal(res.status, 202);
      const { id } = await res.json();
      for (let i = 0; i < 400 && stalled.requests.length === 0; i++) await sleep(25);
      assert.equal(stalled.requests.length, 1, 'the job was running');
      await child.crash(); // no shutdown: the process dies mid-job
      const key = child.key;

      const next = await startTestApp({ RETOUCH_CONFIG: path.join(dataDir, 'retouch.yaml') }, { dataDir, app: { jobLeaseMs: 300 } });
      try {
        let job;
        for (let i = 0; i < 200; i++) {
          job = (await next.app.server.inject({ url: `/v1/images/edits/${id}`, headers: { authorization: `Bearer ${key}` } })).json();
          if (job.status !== 'running') break;
          await sleep(50);
        }
        assert.equal(job.status, 'failed');
        assert.equal(job.error.code, 'job_interrupted');
        assert.match(job.error.message, /restarted/);
      } finally {
        await next.close();
      }
    } finally {
      await stalled.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a shutdown lets a running async job finish within its grace; one that outlasts it ends job_interrupted at once', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-shutdown-'));
    const upstream = await startStandIn(async (req) => {
      const prompt = req.parts.find((p) => p.name === 'prompt')?.value;
      if (prompt === 'stall') return 'stall';
      await sleep(600);
      return greyAnswer(req, 1);
    });
    try {
      const env = { RETOUCH_SHUTDOWN_GRACE_SECONDS: '3' };
      const first = await startTestApp(env, { dataDir, configFile: config(upstream.origin) });
      const submit = async (prompt: string) => {
        const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'relayed' }, { name: 'prompt', value: prompt }]);
        return (await first.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...first.auth, prefer: 'respond-async' }, payload: body })).json().id as string;
      };
      const finishing = await submit('grey');
      const stuck = await submit('stall');
      for (let i = 0; i < 400 && upstream.requests.length < 2; i++) await sleep(25);
      await first.close(); // as SIGTERM does
      const after = await startTestApp({}, { dataDir, configFile: config(upstream.origin) });
      try {
        const read = async (id: string) => (await after.app.services.store.getJob(id))!;
        assert.equal((await read(finishing)).status, 'succeeded', 'finished within the grace');
        const cut = await read(stuck);
        assert.deepEqual([cut.status, cut.error?.code], ['failed', 'job_interrupted'], 'recorded at the shutdown, not a minute after the restart');
        assert.match(cut.error!.message, /shut down/);
      } finally {
        await after.close();
      }
    } finally {
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('a retry under the Idempotency-Key of a request its server died under runs the edit again, at once', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-restart-'));
    let answer: Script = () => 'stall';
    const upstream = await startStandIn((req, n) => answer(req, n));
    try {
      const child = await childServer(dataDir, upstream.origin);
      const { body, headers } = await greyForm();
      const post = (url: string) => fetch(`${url}/v1/images/edits`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${child.key}`, 'idempotency-key': 'order-7' }, body: new Uint8Array(body) });
      void post(child.url).catch(() => {}); // cut off by the crash
      for (let i = 0; i < 400 && upstream.requests.length === 0; i++) await sleep(25);
      await child.crash();
      answer = greyAnswer;

      // Before, the retry waited out the dead job (a minute) and got its job_interrupted, then every
      // later retry got it too, for 24 h.
      const next = await startTestApp({ RETOUCH_CONFIG: path.join(dataDir, 'retouch.yaml') }, { dataDir, app: { jobLeaseMs: 300 } });
      try {
        const url = await next.listen();
        await sleep(400); // past the dead job's lease
        const retry = await post(url);
        assert.equal(retry.status, 200, await retry.clone().text());
        assert.ok(isGrey(pixel(await decode(Buffer.from(await (await fetch((await retry.json()).data[0].url)).arrayBuffer())), 40, 30)));
        assert.equal(upstream.requests.length, 2, 'the edit ran again: the first never delivered');
        assert.equal((await post(url)).headers.get('idempotent-replayed'), 'true', 'a later retry gets this answer');
      } finally {
        await next.close();
      }
    } finally {
      await upstream.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
