import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { greyscaleOf, type Reply, type Script, startStandIn } from './helpers/stand-in.ts';

const UPSTREAM_KEY = 'sk-upstream-secret-0001';
let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
let base: string;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({}, {
    configFile: `
upstream: { timeoutMs: 30000, retries: 2 }
providers:
  openai: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: ${UPSTREAM_KEY}, maxResponseBytes: 1048576 }
  tight: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: ${UPSTREAM_KEY}, maxConcurrent: 1, maxQueue: 0, timeoutMs: 5000, retries: 0 }
  stalling: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: ${UPSTREAM_KEY}, timeoutMs: 400 }
models:
  tight-model: { route: ["tight:gpt-image-1"] }
  stalled-model: { route: ["stalling:gpt-image-1"] }
`,
  });
  base = await t.listen();
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

const greyAnswer: Script = async (req) => {
  const image = req.parts.find((p) => p.name === 'image' || p.name === 'image[]')!.bytes!;
  return { json: { created: 1, data: [{ b64_json: (await greyscaleOf(image)).toString('base64') }], usage: { input_tokens: 50, output_tokens: 4160, total_tokens: 4210 } } };
};

async function edit(extra: Part[] = [], model = 'gpt-image-1', image?: Buffer) {
  const { body, headers } = await nodeForm([{ name: 'image', file: image ?? await card(), contentType: 'application/octet-stream' }, { name: 'model', value: model }, { name: 'prompt', value: 'make it black and white' }, ...extra]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

const field = (name: string) => upstream.requests[0]!.parts.find((p) => p.name === name)?.value;

describe('OpenAI-compatible upstream', () => {
  it('sends the exact request the Images API expects, and re-hosts the answer', async () => {
    script = greyAnswer;
    const res = await edit([{ name: 'quality', value: 'high' }, { name: 'user', value: 'u-1' }]);
    assert.equal(res.statusCode, 200, res.body);
    const req = upstream.requests[0]!;
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v1/images/edits');
    assert.equal(req.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.doesNotMatch(JSON.stringify(req.headers), new RegExp(t.key), "the client's key never goes upstream");
    assert.deepEqual(req.parts.map((p) => p.name), ['model', 'prompt', 'n', 'output_format', 'quality', 'user', 'image']);
    assert.deepEqual([field('model'), field('prompt'), field('n'), field('output_format'), field('quality')], ['gpt-image-1', 'make it black and white', '1', 'webp', 'high']);
    assert.equal(field('response_format'), undefined, 'GPT image models reject response_format');
    const image = req.parts.find((p) => p.name === 'image')!;
    assert.equal(image.type, 'image/png', 'sniffed, though the client sent octet-stream');
    assert.deepEqual(image.bytes, await card());
    const json = JSON.parse(res.body);
    assert.equal(res.headers['x-retouch-backend'], 'openai');
    assert.deepEqual(json.usage, { input_tokens: 50, output_tokens: 4160, total_tokens: 4210 });
    assert.doesNotMatch(res.body, /upstream-secret/);
    const img = await t.app.server.inject({ method: 'GET', url: new URL(json.data[0].url).pathname });
    const out = await decode(img.rawPayload);
    assert.equal(out.format, 'webp', 'converted to the requested output format');
    const p = pixel(out, 20, 20);
    assert.ok(Math.abs(p[0]! - p[2]!) < 4);
    const record = (await t.app.services.store.usageForRequest(String(res.headers['x-request-id'])))!;
    assert.deepEqual([record.backend, record.upstreamModel, record.inputTokens, record.outputTokens], ['openai', 'gpt-image-1', 50, 4160]);
    assert.ok(record.upstreamLatencyMs! >= 0);
  });

  it('several images go as repeated image[] parts; the mask as mask', async () => {
    script = greyAnswer;
    const mask = await solid(64, 48, [0, 0, 0], 'png', 0);
    const res = await edit([{ name: 'image', file: await solid(64, 48, [1, 2, 3], 'jpeg') }, { name: 'mask', file: mask }]);
    assert.equal(res.statusCode, 200, res.body);
    const parts = upstream.requests[0]!.parts.filter((p) => p.bytes);
    assert.deepEqual(parts.map((p) => [p.name, p.type]), [['image[]', 'image/png'], ['image[]', 'image/jpeg'], ['mask', 'image/png']]);
  });

  it('dall-e-2 gets response_format=b64_json and none of the GPT image fields', async () => {
    script = greyAnswer;
    assert.equal((await edit([{ name: 'size', value: '512x512' }], 'dall-e-2')).statusCode, 200);
    assert.deepEqual(upstream.requests[0]!.parts.filter((p) => p.value).map((p) => p.name), ['model', 'prompt', 'n', 'size', 'response_format']);
    assert.equal(field('response_format'), 'b64_json');
  });

  it('a size the upstream does not offer is applied to the result instead', async () => {
    script = greyAnswer;
    const res = await edit([{ name: 'size', value: '40x30' }, { name: 'response_format', value: 'b64_json' }]);
    assert.equal(field('size'), undefined);
    const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
    assert.deepEqual([out.width, out.height], [40, 30]);
  });

  it('a url result is downloaded and re-hosted', async () => {
    upstream.files.set('result.png', await greyscaleOf(await card()));
    script = () => ({ json: { created: 1, data: [{ url: `${upstream.origin}/files/result.png` }] } });
    const res = await edit([{ name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'), upstream.files.get('result.png'), 'png in, png out: bytes passed through');
  });

  it('moderation_blocked → 400 moderation_blocked, not retried', async () => {
    script = () => ({ status: 400, json: { error: { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', code: 'moderation_blocked', param: null } } });
    assertError(await edit(), 400, { code: 'moderation_blocked', type: 'image_generation_user_error' });
    assert.equal(upstream.requests.length, 1);
  });

  it('another 400 stays a 400 with the upstream message, not retried', async () => {
    script = () => ({ status: 400, json: { error: { message: "Invalid value: 'x'.", type: 'invalid_request_error', code: 'invalid_value', param: 'quality' } } });
    const err = assertError(await edit(), 400, { code: 'invalid_value', param: 'quality' });
    assert.match(err.message, /Invalid value/);
    assert.equal(upstream.requests.length, 1);
  });

  it('429 with retry-after is waited out, then succeeds', async () => {
    script = (req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'slow down', type: 'rate_limit_exceeded', code: null, param: null } } } : greyAnswer(req, n));
    const started = Date.now();
    const res = await edit();
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(upstream.requests.length, 2);
    assert.ok(Date.now() - started >= 900, 'retry-after honoured');
  });

  it('500 then success → 200 after one retry', async () => {
    script = (req, n) => (n === 1 ? { status: 500, body: 'oops' } : greyAnswer(req, n));
    assert.equal((await edit()).statusCode, 200);
    assert.equal(upstream.requests.length, 2);
  });

  it('500 every time → 502 upstream_error after 1 + 2 retries', async () => {
    script = () => ({ status: 503, body: 'down' });
    const res = await edit();
    assertError(res, 502, { code: 'upstream_error', type: 'server_error' });
    assert.equal(upstream.requests.length, 3);
    const record = (await t.app.services.store.usageForRequest(String(res.headers['x-request-id'])))!;
    assert.deepEqual(record.attempts!.map((a) => [a.backend, a.error, a.calls]), [['openai', 'upstream_error', 3]]);
  });

  it('a stalled upstream → 504 upstream_timeout, each attempt timed out', async () => {
    script = () => 'stall';
    // Its own provider has the short timeout: with 400 ms on every call, answers that took longer
    // on a loaded machine (the stand-in greys the image in this process) timed out and were retried.
    assertError(await edit([], 'stalled-model'), 504, { code: 'upstream_timeout' });
    assert.equal(upstream.requests.length, 3);
  });

  it('malformed JSON → 502, a huge body → 502, no image → 502 upstream_no_image', async () => {
    script = () => ({ body: '{"data": [' });
    assertError(await edit(), 502, { code: 'upstream_error' });
    script = () => ({ hugeBytes: 3 * 1024 * 1024 });
    assertError(await edit(), 502, { code: 'upstream_error' });
    script = () => ({ json: { created: 1, data: [] } });
    assertError(await edit(), 502, { code: 'upstream_no_image' });
    script = () => ({ json: { created: 1, data: [{ b64_json: Buffer.from('not an image').toString('base64') }] } });
    assertError(await edit(), 502, { code: 'upstream_error' });
  });

  it('bad upstream credentials → 502 that names no key', async () => {
    script = () => ({ status: 401, json: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}`, type: 'invalid_request_error', code: 'invalid_api_key', param: null } } });
    const err = assertError(await edit(), 502, { code: 'upstream_error' });
    assert.doesNotMatch(err.message, /upstream-secret/);
  });

  it('a full provider queue → 429 with retry-after; a client that leaves aborts the upstream call', async () => {
    script = () => 'stall';
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'tight-model' }, { name: 'prompt', value: 'grayscale' }]);
    const client = new AbortController();
    const first = fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, ...t.auth }, signal: client.signal }).catch(() => null);
    while (upstream.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
    const second = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
    assertError(second, 429, { code: 'rate_limit_exceeded', type: 'rate_limit_exceeded' });
    assert.ok(Number(second.headers['retry-after']) > 0);
    client.abort();
    await first;
    // The upstream sees its request closed well before its 5 s timeout.
    const closedIn = await Promise.race([upstream.requests[0]!.closed.then(() => 'closed'), new Promise((r) => setTimeout(() => r('still open'), 2000))]);
    assert.equal(closedIn, 'closed');
  });
});

export type { Reply };
