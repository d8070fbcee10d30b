/**
 * Issue 14, defect 1 (and two of the small ones): no secret reaches a client or a log line. An
 * upstream that echoes our request headers in its 400 message must not hand our upstream key to
 * the client; a key in a query string is not logged; a refused prompt is logged as a length and a
 * hash at info, its text only at debug.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redactor, secretsIn } from '../src/redact.ts';
import { upstreamText } from '../src/backends/upstream/errors.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { type Script, startStandIn } from './helpers/stand-in.ts';

// A key shaped like no known token (no sk-, no Bearer): only the configured-secret list can catch it.
const RELAY_KEY = 'relay-7f3a9c21e4b8d6a0';
const OPENAI_KEY = 'sk-upstream-secret-0001';

describe('Redactor', () => {
  it('replaces configured secrets, their JSON-escaped forms, and credential shapes', () => {
    const r = new Redactor(['plain-secret-value', 'quo"ted\\secret']);
    const out = r.redact('a plain-secret-value b {"k":"quo\\"ted\\\\secret"} Authorization: Bearer abcdefgh123 sk-proj-AAAAAAAAAAAAAAAA AIzaSyA1234567890abcdefghijklmnopqrstu /x?key=hunter22&b=1 "x-goog-api-key": "zzzz9999"');
    for (const leaked of ['plain-secret-value', 'quo', 'abcdefgh123', 'sk-proj-AAAA', 'AIzaSy', 'hunter22', 'zzzz9999']) {
      assert.ok(!out.includes(leaked), `${leaked} in ${out}`);
    }
    assert.match(out, /b=1/);
  });

  it('finds every secret in a configuration, whatever it is called or nested in', () => {
    const config = {
      apiKeys: ['static-key-0001'], logLevel: 'info', port: 8080,
      routing: { providers: new Map([['relay', { name: 'relay', baseUrl: 'https://u:url-password-1@relay.example/v1', apiKey: RELAY_KEY }]]) },
      webhooks: { signingSecret: 'whsec-0123456789' }, admin: { token: 'admin-token-xyz' },
    };
    assert.deepEqual(new Set(secretsIn(config)), new Set(['static-key-0001', 'url-password-1', RELAY_KEY, 'whsec-0123456789', 'admin-token-xyz']));
  });

  it('upstream text is never cut inside a word, so no half secret survives', () => {
    const text = `${'word '.repeat(59)}abc ${RELAY_KEY}${'z'.repeat(40)} more`;
    const out = upstreamText(text);
    assert.ok(out.length <= 301, String(out.length));
    assert.ok(!out.includes('relay-'), out);
  });
});

describe('secrets through the server', () => {
  let upstream: Awaited<ReturnType<typeof startStandIn>>;
  let script: Script;
  let t: TestApp;
  const logs = { level: 'debug', lines: [] as string[] };

  before(async () => {
    upstream = await startStandIn((req, n) => script(req, n));
    t = await startTestApp({}, {
      logLines: logs,
      configFile: `
upstream: { timeoutMs: 30000, retries: 0 }
providers:
  openai: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: ${OPENAI_KEY} }
  relay: { type: openai, baseUrl: ${upstream.origin}/relay/v1, apiKey: ${RELAY_KEY} }
models:
  via-relay: { route: ["relay:gpt-image-1"] }
`,
    });
  });
  after(async () => { await t.close(); await upstream.close(); });

  async function edit(model: string, prompt = 'make it black and white') {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: prompt }]);
    return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
  }

  it('an upstream 400 that echoes our Authorization header reaches neither the client nor the log', async () => {
    // A relay that helpfully quotes the request it got, headers and all.
    script = (req) => ({
      status: 400,
      json: { error: { message: `Invalid size. Request headers: {"authorization":"${req.headers.authorization}","x-key":"${String(req.headers.authorization).slice(7)}"}`, type: 'invalid_request_error', code: 'invalid_size' } },
    });
    logs.lines.length = 0;
    for (const model of ['gpt-image-1', 'via-relay']) {
      const res = await edit(model);
      assert.equal(res.statusCode, 400, res.body);
      const body = JSON.parse(res.body);
      assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
      assert.match(body.error.message, /Invalid size/, 'the upstream\'s own words still come through');
      assert.doesNotMatch(res.body, /sk-upstream-secret|relay-7f3a9c21/);
    }
    const log = logs.lines.join('');
    assert.match(log, /Invalid size/, 'the failure is logged');
    assert.doesNotMatch(log, /sk-upstream-secret|relay-7f3a9c21/);
  });

  it('a key in a query string is not logged with the request URL', async () => {
    logs.lines.length = 0;
    const res = await t.app.server.inject({ method: 'GET', url: `/v1/models?api_key=${t.key}&key=${t.key}` });
    assert.equal(res.statusCode, 401);
    const log = logs.lines.join('');
    assert.match(log, /\/v1\/models\?/, 'the request is logged');
    assert.ok(!log.includes(t.key), log);
    assert.ok(!log.includes(t.key.slice(3)), log);
  });

  it('a refused prompt is logged as its length and hash at info, its text only at debug', async () => {
    logs.lines.length = 0;
    const secretish = 'please levitate the confidential-project-walrus logo';
    const res = await edit('retouch-local-1', secretish);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(JSON.parse(res.body).error.code, 'unsupported_edit');
    const entries = logs.lines.map((l) => JSON.parse(l) as { level: number; msg: string; prompt?: { chars: number; sha256: string } });
    const info = entries.filter((e) => e.level >= 30);
    assert.ok(info.every((e) => !JSON.stringify(e).includes('walrus')), JSON.stringify(info));
    const refused = info.find((e) => e.msg === 'edit refused');
    assert.ok(refused, JSON.stringify(info));
    assert.equal(refused.prompt?.chars, secretish.length);
    assert.match(refused.prompt?.sha256 ?? '', /^[0-9a-f]{16}$/);
    assert.ok(entries.some((e) => e.level === 20 && e.msg.includes('walrus')), 'the text is there at debug');
  });
});
