import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';

describe('GET /health and /v1/models', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp(); });
  after(async () => { await t.close(); });

  it('/health is ok with a request id', async () => {
    const res = await t.app.server.inject({ method: 'GET', url: '/health' });
    assert.deepEqual(JSON.parse(res.body), { status: 'ok' });
    assert.match(String(res.headers['x-request-id']), /^req_/);
  });

  it('/v1/models has the OpenAI list shape', async () => {
    const res = await t.app.server.inject({ method: 'GET', url: '/v1/models', headers: t.auth });
    const body = JSON.parse(res.body);
    assert.equal(body.object, 'list');
    for (const m of body.data) {
      assert.deepEqual(Object.keys(m).sort(), ['created', 'id', 'object', 'owned_by']);
      assert.equal(m.object, 'model');
    }
    assert.deepEqual(body.data.map((m: { id: string }) => m.id).sort(), ['gemini-2.5-flash-image', 'nano-banana', 'nano-banana-1', 'retouch-local-1']);
    const one = await t.app.server.inject({ method: 'GET', url: '/v1/models/nano-banana-1', headers: t.auth });
    assert.equal(JSON.parse(one.body).id, 'nano-banana-1');
    assert.equal((await t.app.server.inject({ method: 'GET', url: '/v1/models/nope', headers: t.auth })).statusCode, 404);
  });

  it('no CORS headers unless configured', async () => {
    const res = await t.app.server.inject({ method: 'OPTIONS', url: '/v1/images/edits', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS when RETOUCH_CORS_ORIGINS allows it', () => {
  let t: TestApp;
  before(async () => { t = await startTestApp({ RETOUCH_CORS_ORIGINS: 'https://app.example' }); });
  after(async () => { await t.close(); });

  it('answers the preflight for an allowed origin only', async () => {
    const ok = await t.app.server.inject({ method: 'OPTIONS', url: '/v1/images/edits', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example');
    const no = await t.app.server.inject({ method: 'OPTIONS', url: '/v1/images/edits', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.notEqual(no.headers['access-control-allow-origin'], 'https://evil.example');
  });
});
