import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { greyscaleOf, type Script, startStandIn } from './helpers/stand-in.ts';

/** The submit-and-poll providers' own rules, each against a scripted stand-in. */
let script: Script;
let up: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;

before(async () => {
  up = await startStandIn((req, n) => script(req, n));
  up.files.set('grey.png', await greyscaleOf(await card()));
  t = await startTestApp({}, {
    configFile: `
upstream: { timeoutMs: 5000, retries: 0 }
providers:
  bfl: { type: bfl, baseUrl: ${up.origin}, apiKey: bfl-key }
  fal: { type: fal, baseUrl: ${up.origin}, apiKey: fal-key, safetyTolerance: 3 }
  replicate: { type: replicate, baseUrl: ${up.origin}/v1, apiKey: r8-key }
models:
  pinned: { route: ["replicate:someone/kontext-fork:5c7d5dc6dd8b"] }
  kontext-chain: { route: ["bfl:flux-kontext-pro", "fal:fal-ai/flux-pro/kontext", "local"] }
`,
  });
});
after(async () => { await t.close(); await up.close(); });
beforeEach(() => { up.requests.length = 0; });

async function edit(model: string, extra: Part[] = [], prompt = 'make it black and white') {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: prompt }, { name: 'response_format', value: 'b64_json' }, ...extra]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

const grey = () => `${up.origin}/files/grey.png`;

describe('bfl', () => {
  const bfl = (status: (n: number) => unknown): Script => (req, n) => (req.method === 'POST'
    ? { json: { id: 't1', polling_url: `${up.origin}/v1/get_result?id=t1` } }
    : { json: { id: 't1', ...(status(n) as object) } });

  it('sends the Kontext body (aspect_ratio, output_format, safety_tolerance) and polls with x-key', async () => {
    script = bfl((n) => (n < 3 ? { status: 'Pending' } : { status: 'Ready', result: { sample: grey() } }));
    const res = await edit('flux-kontext-max', [{ name: 'size', value: '1536x1024' }, { name: 'output_format', value: 'jpeg' }]);
    assert.equal(res.statusCode, 200, res.body);
    const [submit, ...polls] = up.requests;
    assert.equal(submit!.path, '/v1/flux-kontext-max');
    assert.deepEqual(Object.keys(submit!.json).sort(), ['aspect_ratio', 'input_image', 'output_format', 'prompt', 'safety_tolerance']);
    assert.deepEqual([submit!.json.aspect_ratio, submit!.json.output_format, submit!.json.safety_tolerance], ['3:2', 'jpeg', 2]);
    assert.equal(polls.length, 2);
    assert.ok(polls.every((p) => p.method === 'GET' && p.path === '/v1/get_result?id=t1' && p.headers['x-key'] === 'bfl-key'));
    const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
    assert.deepEqual([out.format, out.width, out.height], ['jpeg', 1536, 1024]);
  });

  it('Error and Task not found → 502, without a second submit', async () => {
    for (const status of ['Error', 'Task not found']) {
      up.requests.length = 0;
      script = bfl(() => ({ status }));
      const err = assertError(await edit('flux-kontext-pro'), 502, { code: 'upstream_error' });
      assert.match(err.message, new RegExp(status));
      assert.equal(up.requests.filter((r) => r.method === 'POST').length, 1);
    }
  });

  it('a polling_url on a foreign host is not followed, and the key is not sent there', async () => {
    script = () => ({ json: { id: 't1', polling_url: 'http://169.254.169.254/latest/meta-data' } });
    const err = assertError(await edit('flux-kontext-pro'), 502, { code: 'upstream_error' });
    assert.match(err.message, /outside its own host/);
    assert.equal(up.requests.length, 1);
  });

  it('a result on a private address that is not the upstream is refused', async () => {
    const port = new URL(up.origin).port;
    script = bfl(() => ({ status: 'Ready', result: { sample: `http://localhost:${port}/files/grey.png` } }));
    const err = assertError(await edit('flux-kontext-pro'), 502, { code: 'upstream_error' });
    assert.match(err.message, /will not fetch/);
  });

  it('a 402 (no credits) lets the route fall back across types: bfl → fal', async () => {
    script = (req) => {
      if (req.path.startsWith('/v1/flux-')) return { status: 402, json: { detail: 'Insufficient credits' } };
      if (req.method === 'POST') return { json: { request_id: 'r1', status_url: `${up.origin}/fal-ai/flux-pro/requests/r1/status`, response_url: `${up.origin}/fal-ai/flux-pro/requests/r1` } };
      if (req.path.endsWith('/status')) return { json: { status: 'COMPLETED' } };
      return { json: { images: [{ url: grey() }], has_nsfw_concepts: [false] } };
    };
    const res = await edit('kontext-chain');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-retouch-backend'], 'fal');
    const record = (await t.app.services.store.usageForRequest(String(res.headers['x-request-id'])))!;
    assert.deepEqual(record.attempts!.map((a) => [a.backend, a.error ?? 'ok']), [['bfl', 'upstream_error'], ['fal', 'ok']]);
  });
});

describe('fal', () => {
  const fal = (result: () => { status?: number; json: unknown }): Script => (req) => {
    if (req.method === 'POST') return { json: { request_id: 'r1', status_url: `${up.origin}/fal-ai/flux-pro/requests/r1/status`, response_url: `${up.origin}/fal-ai/flux-pro/requests/r1` } };
    if (req.path.endsWith('/status')) return { json: { status: 'COMPLETED', response_url: `${up.origin}/fal-ai/flux-pro/requests/r1` } };
    return result();
  };

  it('n=2 is one request with num_images=2; several images go as image_urls', async () => {
    script = fal(() => ({ json: { images: [{ url: grey() }, { url: grey() }], has_nsfw_concepts: [false, false] } }));
    const res = await edit('fal-ai/flux-pro/kontext', [{ name: 'n', value: '2' }, { name: 'image', file: await solid(64, 48, [9, 9, 9]) }]);
    assert.equal(res.statusCode, 200, res.body);
    const submit = up.requests[0]!;
    assert.equal(submit.path, '/fal-ai/flux-pro/kontext');
    assert.equal(submit.headers.authorization, 'Key fal-key');
    assert.equal(submit.json.num_images, 2);
    assert.equal(submit.json.safety_tolerance, '3');
    assert.equal(submit.json.image_urls.length, 2);
    assert.match(submit.json.image_urls[0], /^data:image\/png;base64,/);
    assert.equal(JSON.parse(res.body).data.length, 2);
    assert.equal(up.requests.filter((r) => r.method === 'POST').length, 1);
  });

  it('has_nsfw_concepts: [true] → 400 moderation_blocked', async () => {
    script = fal(() => ({ json: { images: [{ url: grey() }], has_nsfw_concepts: [true] } }));
    assertError(await edit('fal-ai/flux-pro/kontext'), 400, { code: 'moderation_blocked' });
  });

  it('a 422 content_policy_violation at submit → moderation_blocked; other 422s stay 400s', async () => {
    script = () => ({ status: 422, json: { detail: [{ loc: ['body', 'image_url'], msg: 'flagged', type: 'content_policy_violation' }] } });
    assertError(await edit('fal-ai/flux-pro/kontext'), 400, { code: 'moderation_blocked' });
    script = () => ({ status: 422, json: { detail: [{ loc: ['body', 'prompt'], msg: 'too long', type: 'string_too_long' }] } });
    assertError(await edit('fal-ai/flux-pro/kontext'), 400, { code: 'upstream_rejected' });
  });
});

describe('replicate', () => {
  const prediction = (status: string, extra: object = {}) => ({ id: 'p1', status, urls: { get: `${up.origin}/v1/predictions/p1`, cancel: `${up.origin}/v1/predictions/p1/cancel` }, ...extra });

  it('asks to wait; a prediction done at once is not polled; a list output is read', async () => {
    script = () => ({ status: 201, json: prediction('succeeded', { output: [grey()] }) });
    const res = await edit('black-forest-labs/flux-kontext-pro', [{ name: 'size', value: '16:9' }]);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(up.requests.length, 1);
    const submit = up.requests[0]!;
    assert.equal(submit.path, '/v1/models/black-forest-labs/flux-kontext-pro/predictions');
    assert.equal(submit.headers.prefer, 'wait');
    assert.equal(submit.headers.authorization, 'Bearer r8-key');
    assert.deepEqual([submit.json.input.aspect_ratio, submit.json.input.output_format], ['16:9', 'png']);
    assert.match(submit.json.input.input_image, /^data:image\/png;base64,/);
  });

  it('a version-pinned model goes to /predictions with its version', async () => {
    script = () => ({ status: 201, json: prediction('succeeded', { output: grey() }) });
    assert.equal((await edit('pinned')).statusCode, 200);
    assert.equal(up.requests[0]!.path, '/v1/predictions');
    assert.equal(up.requests[0]!.json.version, '5c7d5dc6dd8b');
  });

  it('a failure that is not a safety refusal → 502; a canceled one → 502', async () => {
    script = (req) => (req.method === 'POST' ? { status: 201, json: prediction('starting') } : { json: prediction('failed', { error: 'CUDA out of memory' }) });
    assert.match(assertError(await edit('black-forest-labs/flux-kontext-pro'), 502, { code: 'upstream_error' }).message, /CUDA/);
    script = (req) => (req.method === 'POST' ? { status: 201, json: prediction('starting') } : { json: prediction('canceled') });
    assertError(await edit('black-forest-labs/flux-kontext-pro'), 502, { code: 'upstream_error' });
  });
});

describe('default routes of the new types', () => {
  it('/v1/models lists them, each owned by its provider; flux-kontext-pro goes to bfl first', async () => {
    const res = await t.app.server.inject({ method: 'GET', url: '/v1/models', headers: t.auth });
    const models = Object.fromEntries(JSON.parse(res.body).data.map((m: { id: string; owned_by: string }) => [m.id, m.owned_by]));
    assert.equal(models['flux-kontext-pro'], 'bfl');
    assert.equal(models['fal-ai/flux-pro/kontext/max'], 'fal');
    assert.equal(models['black-forest-labs/flux-kontext-max'], 'replicate');
    assert.equal(models['kontext-chain'], 'bfl');
  });

  it('`retouch config` prints the new providers and their models, keys masked', async () => {
    const file = path.join(t.dataDir, 'print.yaml');
    await writeFile(file, 'providers:\n  bfl: { type: bfl, apiKey: bfl-very-secret-key }\n  fal: { type: fal, apiKey: fal-very-secret-key }\n  vertex: { type: vertex, project: proj-9, location: us-central1 }\n');
    const bin = path.resolve(import.meta.dirname, '../bin/retouch.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'config'], { env: { ...process.env, RETOUCH_CONFIG: file, RETOUCH_DATA_DIR: t.dataDir }, encoding: 'utf8' });
    assert.match(stdout, /flux-kontext-pro\s+→ bfl:flux-kontext-pro/);
    assert.match(stdout, /fal-ai\/flux-pro\/kontext\/max\s+→ fal:fal-ai\/flux-pro\/kontext\/max/);
    assert.match(stdout, /nano-banana-1\s+→ vertex:gemini-2\.5-flash-image/);
    assert.match(stdout, /vertex\s+vertex\s+https:\/\/us-central1-aiplatform\.googleapis\.com\s+project proj-9, us-central1, default credentials/);
    assert.doesNotMatch(stdout, /very-secret/);
  });
});
