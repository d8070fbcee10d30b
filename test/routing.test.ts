import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import type { KeyedProviderConfig } from '../src/config/routing.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { type Script, startStandIn } from './helpers/stand-in.ts';

let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({ FALLBACK_KEY: 'AIza-from-env' }, {
    configFile: `
upstream: { timeoutMs: 30000, retries: 1 }
providers:
  gemini: { type: gemini, baseUrl: ${upstream.origin}, apiKey: \${FALLBACK_KEY} }
models:
  nano-banana-1: { route: ["gemini:gemini-2.5-flash-image", "local"] }
  house-style:   { route: ["gemini:gemini-3.1-flash-image-preview"] }
`,
  });
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

async function edit(prompt: string, model = 'nano-banana-1') {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: prompt }, { name: 'response_format', value: 'b64_json' }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('routes and fallback', () => {
  it('[gemini, local] with Gemini failing is served by local, and the usage record shows both attempts', async () => {
    script = () => ({ status: 503, json: { error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } } });
    const res = await edit('make it black and white');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['x-retouch-backend'], 'local');
    assert.equal(upstream.requests.length, 2, 'one call and one retry at Gemini first');
    assert.equal(upstream.requests[0]!.headers['x-goog-api-key'], 'AIza-from-env', '${VAR} expanded from the environment');
    const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
    const p = pixel(out, 20, 20);
    assert.ok(Math.abs(p[0]! - p[2]!) < 3, 'local did the edit');
    const record = (await t.app.services.store.usageForRequest(String(res.headers['x-request-id'])))!;
    assert.deepEqual(record.attempts!.map((a) => [a.backend, a.model, a.error ?? 'ok', a.calls ?? null]), [
      ['gemini', 'gemini-2.5-flash-image', 'upstream_error', 2],
      ['local', 'retouch-local-1', 'ok', null],
    ]);
    assert.equal(record.backend, 'local');
  });

  it('when the fallback cannot do the edit either, the answer is the upstream failure, explained', async () => {
    script = () => ({ status: 500, body: 'boom' });
    const err = assertError(await edit('put a hat on the cat'), 502, { code: 'upstream_error' });
    assert.match(err.message, /fallback \(local\) could not serve it either/);
  });

  it('a moderation block ends the route: no fallback to another backend', async () => {
    script = () => ({ json: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } } });
    assertError(await edit('make it black and white'), 400, { code: 'moderation_blocked' });
  });

  it('config models add to the defaults; /v1/models lists what is routable', async () => {
    const res = await t.app.server.inject({ method: 'GET', url: '/v1/models', headers: t.auth });
    const models = Object.fromEntries(JSON.parse(res.body).data.map((m: { id: string; owned_by: string }) => [m.id, m.owned_by]));
    assert.equal(models['house-style'], 'gemini');
    assert.equal(models['nano-banana-pro'], 'gemini');
    assert.equal(models['retouch-local-1'], 'retouch');
    assert.equal(models['gpt-image-1'], undefined, 'no openai provider, no openai models');
  });
});

describe('the RETOUCH_CONFIG file', () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cfg-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });
  const load = async (text: string, env: Record<string, string> = {}) => {
    const file = path.join(dir, `c${Math.random()}.yaml`);
    await writeFile(file, text);
    return loadConfig({ RETOUCH_CONFIG: file, ...env });
  };

  it('reads the README example', async () => {
    const c = await load(`
upstream:
  timeoutMs: 300000
  retries: 2
  maxConcurrent: 8
providers:
  openai:  { type: openai, baseUrl: https://api.openai.com/v1, apiKey: \${OPENAI_API_KEY} }
  gemini:  { type: gemini, baseUrl: https://generativelanguage.googleapis.com, apiKey: \${GEMINI_API_KEY} }
  relay:   { type: openai, baseUrl: https://relay.example/v1, apiKey: \${RELAY_KEY} }
models:
  nano-banana-1: { route: ["gemini:gemini-2.5-flash-image", "local"] }
  gpt-image-1:   { route: ["openai:gpt-image-1"] }
  house-style:   { route: ["relay:nano-banana-2"] }
`, { OPENAI_API_KEY: 'sk-a', GEMINI_API_KEY: 'g-b', RELAY_KEY: 'r-c' });
    assert.equal((c.routing.providers.get('relay') as KeyedProviderConfig).apiKey, 'r-c');
    assert.equal(c.routing.providers.get('relay')!.maxConcurrent, 8);
    assert.deepEqual(c.routing.models.get('house-style'), ['relay:nano-banana-2']);
  });

  it('accepts JSON too', async () => {
    const c = await load(JSON.stringify({ providers: { g: { type: 'gemini', apiKey: 'k' } }, models: { m: { route: ['g:gemini-2.5-flash-image'] } } }));
    assert.equal(c.routing.providers.get('g')!.baseUrl, 'https://generativelanguage.googleapis.com');
  });

  it('fails once with every problem listed', async () => {
    await assert.rejects(load(`
providers:
  relay: { type: openai, baseUrl: not-a-url, apiKey: \${MISSING_KEY} }
  weird: { type: midjourney, apiKey: x }
models:
  a: { route: ["nowhere:model-x"] }
  b: { route: ["relay"] }
`), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      assert.match(text, /MISSING_KEY is not set/);
      assert.match(text, /providers\.relay\.baseUrl/);
      assert.match(text, /providers\.weird\.type/);
      return true;
    });
    await assert.rejects(load(`
providers:
  relay: { type: openai, apiKey: k }
models:
  a: { route: ["nowhere:model-x"] }
  b: { route: ["relay"] }
`), (err: unknown) => err instanceof ConfigError && err.problems.length === 2 && /unknown provider 'nowhere'/.test(err.problems[0]!) && /provider:upstream-model/.test(err.problems[1]!));
  });

  it('an unreadable or unparsable file is a problem, not a crash', async () => {
    assert.throws(() => loadConfig({ RETOUCH_CONFIG: path.join(dir, 'missing.yaml') }), (e: unknown) => e instanceof ConfigError && /cannot read/.test(e.message));
    await assert.rejects(load('providers: [unclosed'), (e: unknown) => e instanceof ConfigError && /not valid YAML/.test(e.message));
  });

  it('`retouch config` prints the routes with keys masked', async () => {
    const file = path.join(dir, 'print.yaml');
    await writeFile(file, 'providers:\n  relay: { type: openai, baseUrl: https://relay.example/v1, apiKey: sk-relay-very-secret-key }\nmodels:\n  house-style: { route: ["relay:nano-banana-2", "local"] }\n');
    const bin = path.resolve(import.meta.dirname, '../bin/retouch.js');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'config'], { env: { ...process.env, RETOUCH_CONFIG: file, GEMINI_API_KEY: 'AIza-secret-gemini-key', RETOUCH_DATA_DIR: dir }, encoding: 'utf8' });
    assert.match(stdout, /house-style\s+→ relay:nano-banana-2 → local/);
    assert.match(stdout, /nano-banana-1\s+→ gemini:gemini-2\.5-flash-image/);
    assert.doesNotMatch(stdout, /very-secret|secret-gemini/);
  });
});
