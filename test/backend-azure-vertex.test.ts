import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import type { AccessToken } from '../src/backends/provider.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { geminiImageAnswer, greyAnswer, greyscaleOf, type Script, startStandIn } from './helpers/stand-in.ts';

let script: Script;
let up: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
/** What the injected token source hands out next, and how often it was asked. */
const tokens = { next: { token: 'ya29.first', expiresAt: Date.now() + 3600_000 } as AccessToken, asked: 0 };

before(async () => {
  up = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({}, {
    configFile: `
upstream: { timeoutMs: 5000, retries: 0 }
providers:
  azure: { type: azure, baseUrl: ${up.origin}, apiKey: az-key }
  vertex: { type: vertex, baseUrl: ${up.origin}, project: proj-1, location: europe-west4 }
  broken: { type: vertex, project: proj-1, credentials: '{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com","private_key":"not a key"}' }
models:
  broken-model: { route: ["broken:gemini-2.5-flash-image"] }
`,
    tokenSource: (p) => (p.name === 'broken' ? undefined : { getAccessToken: async () => { tokens.asked++; return tokens.next; } }),
  });
});
after(async () => { await t.close(); await up.close(); });
beforeEach(() => { up.requests.length = 0; });

async function configWith(text: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cfg-'));
  try {
    await writeFile(path.join(dir, 'c.yaml'), text);
    return loadConfig({ RETOUCH_CONFIG: path.join(dir, 'c.yaml'), RETOUCH_DATA_DIR: dir });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function edit(model: string) {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: 'make it black and white' }, { name: 'response_format', value: 'b64_json' }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

const openaiAnswer = greyAnswer;
const geminiAnswer: Script = async (req) => ({ json: geminiImageAnswer(await greyscaleOf(Buffer.from(req.json.contents[0].parts[1].inline_data.data, 'base64'))) });

describe('azure', () => {
  it('without a deployment, the route\'s model names it; the OpenAI form goes with api-key and the default api-version', async () => {
    script = openaiAnswer;
    const res = await edit('gpt-image-1.5');
    assert.equal(res.statusCode, 200, res.body);
    const req = up.requests[0]!;
    assert.equal(req.path, '/openai/deployments/gpt-image-1.5/images/edits?api-version=2025-04-01-preview');
    assert.equal(req.headers['api-key'], 'az-key');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.parts.find((p) => p.name === 'model')?.value, 'gpt-image-1.5');
  });

  it('content_filter (the chat-style code) is a moderation block too; other 400s stay 400s', async () => {
    script = () => ({ status: 400, json: { error: { code: 'content_filter', message: 'The response was filtered', status: 400 } } });
    assertError(await edit('gpt-image-1'), 400, { code: 'moderation_blocked' });
    script = () => ({ status: 400, json: { error: { code: 'invalid_value', message: 'bad size', param: 'size' } } });
    assertError(await edit('gpt-image-1'), 400, { code: 'invalid_value' });
  });

  it('a provider without baseUrl is a config problem', async () => {
    await assert.rejects(configWith('providers:\n  a: { type: azure, apiKey: k }\n'), (e: unknown) => e instanceof ConfigError && /providers\.a\.baseUrl: a azure provider needs its baseUrl/.test(e.message));
  });
});

describe('vertex', () => {
  it('calls the regional publisher-model address with a Bearer token, fetched once and reused', async () => {
    script = geminiAnswer;
    tokens.asked = 0;
    assert.equal((await edit('nano-banana-pro')).statusCode, 200);
    assert.equal((await edit('nano-banana-1')).statusCode, 200);
    assert.deepEqual(up.requests.map((r) => r.path), [
      '/v1/projects/proj-1/locations/europe-west4/publishers/google/models/gemini-3-pro-image-preview:generateContent',
      '/v1/projects/proj-1/locations/europe-west4/publishers/google/models/gemini-2.5-flash-image:generateContent',
    ]);
    assert.ok(up.requests.every((r) => r.headers.authorization === `Bearer ${tokens.next.token}`));
    assert.equal(up.requests[0]!.headers['x-goog-api-key'], undefined);
    assert.ok(tokens.asked <= 1, 'the token was cached');
  });

  it('a 401 drops the token; a token about to expire is renewed, a fresh one reused', async () => {
    script = () => ({ status: 401, json: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } });
    assertError(await edit('nano-banana-1'), 502, { code: 'upstream_error' });
    script = geminiAnswer;
    tokens.asked = 0;
    // 30 s from expiry is within the renewal margin: every call asks again.
    tokens.next = { token: 'ya29.short', expiresAt: Date.now() + 30_000 };
    await edit('nano-banana-1');
    await edit('nano-banana-1');
    assert.equal(tokens.asked, 2);
    tokens.next = { token: 'ya29.long', expiresAt: Date.now() + 3600_000 };
    await edit('nano-banana-1');
    await edit('nano-banana-1');
    assert.equal(tokens.asked, 3);
    assert.deepEqual(up.requests.slice(-4).map((r) => r.headers.authorization), ['Bearer ya29.short', 'Bearer ya29.short', 'Bearer ya29.long', 'Bearer ya29.long']);
  });

  it('with real (here broken) service-account credentials, google-auth-library is loaded and its failure is a 502 that names no secret', async () => {
    const err = assertError(await edit('broken-model'), 502, { code: 'upstream_error' });
    assert.match(err.message, /access token/);
    assert.doesNotMatch(err.message, /not a key|private_key/);
    assert.equal(up.requests.length, 0);
  });

  it('the default base URL follows the location', async () => {
    const c = await configWith('providers:\n  g: { type: vertex, project: p }\n  r: { type: vertex, project: p, location: us-central1 }\n');
    assert.equal(c.routing.providers.get('g')!.baseUrl, 'https://aiplatform.googleapis.com');
    assert.equal(c.routing.providers.get('r')!.baseUrl, 'https://us-central1-aiplatform.googleapis.com');
  });
});
