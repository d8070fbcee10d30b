import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { withinOneDay } from './helpers/clock.ts';
import OpenAI, { toFile } from 'openai';
import { greyAnswer, relayConfig, type Script, startStandIn, streamingUpstream } from './helpers/stand-in.ts';

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;
let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
let base: string;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({}, {
    configFile: relayConfig(upstream.origin),
  });
  base = await t.listen();
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

/** Answers greyscale after `ms`: long enough for a retry to arrive while the first is in flight. */
const slowGrey = (ms: number): Script => async (req) => {
  await new Promise((r) => setTimeout(r, ms));
  return greyAnswer(req, 1);
};

/**
 * Resolves once the upstream has the first request's call: the first request has then claimed its
 * Idempotency-Key and recorded its job, so a retry sent now joins it. (A fixed pause raced a loaded
 * machine: a retry that arrived before the first was read was not seen as a retry.)
 */
async function firstInFlight() {
  for (const end = Date.now() + 30_000; upstream.requests.length === 0; await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) assert.fail('the first request never reached the upstream');
  }
}

async function edit(key: string | undefined, fields: Record<string, string> = {}, headers: Record<string, string> = {}, auth = t.auth) {
  const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'relayed' }, { name: 'prompt', value: 'make it black and white' }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  return fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...h, ...auth, ...(key ? { 'idempotency-key': key } : {}), ...headers }, body: new Uint8Array(body) });
}

describe('Idempotency-Key', () => {
  it('a retry gets the first answer without calling the upstream again', async () => {
    script = slowGrey(0);
    const first = await edit('retry-1');
    assert.equal(first.status, 200);
    const a = await first.json();
    const second = await edit('retry-1');
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await second.json(), a);
    assert.equal(upstream.requests.length, 1, 'one upstream call for two requests');
    const img = await decode(Buffer.from(await (await fetch(a.data[0].url)).arrayBuffer()));
    assert.ok(isGrey(pixel(img, 40, 30)));
  });

  it('a retry while the first is in flight joins it; b64_json is answered from the hosted image', async () => {
    script = slowGrey(600);
    const [x, y] = await Promise.all([edit('inflight-1', { response_format: 'b64_json' }), firstInFlight().then(() => edit('inflight-1', { response_format: 'b64_json' }))]);
    assert.deepEqual([x.status, y.status], [200, 200]);
    const [ax, ay] = [await x.json(), await y.json()];
    assert.ok(ax.data[0].b64_json.length > 100);
    assert.equal(ax.data[0].b64_json, ay.data[0].b64_json);
    assert.ok(isGrey(pixel(await decode(Buffer.from(ay.data[0].b64_json, 'base64')), 40, 30)));
    assert.equal(upstream.requests.length, 1);
  });

  it('the same key with another request is 409 idempotency_key_reused; keys are per API key', async () => {
    script = slowGrey(0);
    assert.equal((await edit('reuse-1')).status, 200);
    const other = await edit('reuse-1', { prompt: 'make it sepia' });
    assert.equal(other.status, 409);
    const { error } = await other.json();
    assert.deepEqual([error.type, error.code], ['invalid_request_error', 'idempotency_key_reused']);
    const second = await t.app.services.keys.create('second');
    assert.equal((await edit('reuse-1', { prompt: 'make it sepia' }, {}, { authorization: `Bearer ${second.secret}` })).status, 200, "another API key's Idempotency-Key is its own");
    assert.equal(upstream.requests.length, 2);
  });

  it('stream=true: a retry, in flight or after, streams the same completed image without a second upstream call', async () => {
    script = streamingUpstream(2, 300);
    const client = new OpenAI({ apiKey: t.key, baseURL: `${base}/v1`, maxRetries: 0 });
    const streamed = async (key: string, onEvent: (e: OpenAI.Images.ImageEditStreamEvent) => void = () => {}) => {
      const stream = await client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'relayed', prompt: 'make it black and white', stream: true, partial_images: 2 },
        { headers: { 'Idempotency-Key': key } });
      const events: OpenAI.Images.ImageEditStreamEvent[] = [];
      for await (const e of stream) { events.push(e); onEvent(e); }
      return events;
    };
    // The retry is sent once the first stream has its first partial (not after a fixed pause, which
    // a loaded machine outran: the retry then joined before any partial and heard both).
    let firstPartial!: () => void;
    const partialSeen = new Promise<void>((r) => { firstPartial = r; });
    const first = streamed('stream-1', (e) => { if (e.type === 'image_edit.partial_image') firstPartial(); });
    await Promise.race([partialSeen, first]);
    const [a, joined] = await Promise.all([first, streamed('stream-1')]);
    const after = await streamed('stream-1');
    assert.deepEqual(a.map((e) => e.type), ['image_edit.partial_image', 'image_edit.partial_image', 'image_edit.completed']);
    assert.equal(joined.at(-1)!.type, 'image_edit.completed');
    assert.ok(joined.filter((e) => e.type === 'image_edit.partial_image').length <= 1, 'a retry in flight hears the partials still to come');
    assert.deepEqual(after.map((e) => e.type), ['image_edit.completed'], 'a retry after the end: the completed image alone');
    const completed = [a, joined, after].map((events) => events.at(-1) as OpenAI.Images.ImageEditCompletedEvent);
    assert.equal(completed[1]!.b64_json, completed[0]!.b64_json);
    assert.equal(completed[2]!.b64_json, completed[0]!.b64_json);
    assert.equal(completed[2]!.size, '64x48');
    assert.ok(isGrey(pixel(await decode(Buffer.from(completed[2]!.b64_json, 'base64')), 40, 30)));
    assert.equal(upstream.requests.length, 1, 'one upstream call for three streams');
    const plain = await edit('stream-1');
    assert.equal(plain.status, 409, 'the same key without stream=true is another request');
  });

  it("a retry is not refused by the key's limits: the first request was admitted and charged, the retry runs nothing", async () => {
    script = slowGrey(400);
    const { secret } = await t.app.services.keys.create('limited', { imagesPerDay: 1, concurrent: 1 });
    await withinOneDay(); // the day's one image spent and the fresh request refused in one UTC day
    const auth = { authorization: `Bearer ${secret}` };
    // Joining while the first still holds the key's one place in flight, then replaying after it
    // spent the key's one image of the day: before, both were 429.
    const [first, joined] = await Promise.all([edit('limited-1', {}, {}, auth), firstInFlight().then(() => edit('limited-1', {}, {}, auth))]);
    assert.deepEqual([first.status, joined.status], [200, 200]);
    const replay = await edit('limited-1', {}, {}, auth);
    assert.equal(replay.status, 200);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(upstream.requests.length, 1);
    const fresh = await edit('limited-2', {}, {}, auth);
    assert.equal(fresh.status, 429, 'a new request is still held to the quota');
    assert.equal((await fresh.json()).error.code, 'insufficient_quota');
  });

  it('an Idempotency-Key that is too long is refused before the body is read', async () => {
    const res = await edit('k'.repeat(300));
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /longer than 255/);
    assert.equal(res.headers.get('connection'), 'close', 'answered without reading the upload');
  });

  it('an async job retried under the same key is the same job', async () => {
    script = slowGrey(0);
    const a = await (await edit('async-1', {}, { prefer: 'respond-async' })).json();
    const b = await edit('async-1', {}, { prefer: 'respond-async' });
    assert.equal(b.status, 202);
    assert.equal((await b.json()).id, a.id);
    const done = await (await fetch(`${base}/v1/images/edits/${a.id}`, { headers: { ...t.auth, prefer: 'wait=30' } })).json();
    assert.equal(done.status, 'succeeded');
    assert.equal(upstream.requests.length, 1);
  });

  /** The claim another request made of `key` for the same request as `like`'s, with no job recorded yet. */
  async function claimWithoutJob(like: string, key: string, ageMs: number) {
    const { store } = t.app.services;
    const keyId = (await store.listKeys())[0]!.id;
    const first = (await store.getIdempotency(keyId, like))!;
    const jobId = `job_claimed${Date.now()}`;
    await store.putIdempotency({ keyId, key, fingerprint: first.fingerprint, jobId, createdAt: Date.now() - ageMs });
    return { keyId, jobId, firstJob: (await store.getJob(first.jobId))! };
  }

  it('a retry that arrives between the first request claiming the key and recording its job waits for that job', async () => {
    script = slowGrey(0);
    assert.equal((await edit('gap-1')).status, 200);
    const { jobId, firstJob } = await claimWithoutJob('gap-1', 'gap-2', 0);
    upstream.requests.length = 0;
    // The first attempt records its job a moment later (it was storing its images): once the retry
    // has looked for it and not found it.
    const store = t.app.services.store;
    const getJob = store.getJob.bind(store);
    let looked = 0;
    store.getJob = async (id) => { const job = await getJob(id); if (id === jobId && !job) looked++; return job; };
    let res;
    try {
      const retry = edit('gap-2');
      for (const end = Date.now() + 30_000; looked === 0; await new Promise((r) => setTimeout(r, 10))) {
        if (Date.now() > end) assert.fail('the retry never looked for the first attempt\'s job');
      }
      await store.insertJob({ ...firstJob, id: jobId, createdAt: Date.now(), updatedAt: Date.now() });
      res = await retry;
    } finally {
      store.getJob = getJob;
    }
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('idempotent-replayed'), 'true');
    assert.equal(upstream.requests.length, 0, 'answered from the first attempt, not run again');
  });

  it('a claim whose first attempt never recorded its job (it failed or died) is taken over by the retry, which runs the edit', async () => {
    script = slowGrey(0);
    assert.equal((await edit('gap-3')).status, 200);
    await claimWithoutJob('gap-3', 'gap-4', 60_000);
    upstream.requests.length = 0;
    const res = await edit('gap-4');
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(upstream.requests.length, 1, 'the edit ran once, for the retry');
    const again = await edit('gap-4');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(upstream.requests.length, 1);
  });

  it('a first attempt that fails before recording its job gives the key back: the retry runs at once', async () => {
    script = slowGrey(0);
    const { inputs, store } = t.app.services;
    const put = inputs.put.bind(inputs);
    inputs.put = async () => { throw new Error('disk full'); };
    try {
      assert.equal((await edit('gap-5')).status, 500);
    } finally {
      inputs.put = put;
    }
    const keyId = (await store.listKeys())[0]!.id;
    assert.equal(await store.getIdempotency(keyId, 'gap-5'), null, 'the claim was given back');
    upstream.requests.length = 0;
    const retry = await edit('gap-5');
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get('idempotent-replayed'), null);
    assert.equal(upstream.requests.length, 1);
  });
});
