import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function post(prompt: string, model = 'nano-banana-1') {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: prompt }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('usage records', () => {
  it('one record per request, successes and failures, with sizes, backend, attempts and latency', async () => {
    const ok = await post('grayscale');
    const refused = await post('add a hat');
    const unknown = await post('grayscale', 'nope-1');
    const store = t.app.services.store;
    const a = (await store.usageForRequest(String(ok.headers['x-request-id'])))!;
    assert.equal(a.status, 200);
    assert.equal(a.model, 'nano-banana-1');
    assert.equal(a.backend, 'local');
    assert.ok(a.inputBytes > 0 && a.outputBytes > 0);
    assert.equal(a.inputPixels, 64 * 48);
    assert.equal(a.outputPixels, 64 * 48);
    assert.ok(a.latencyMs >= 0);
    assert.match(a.keyId!, /^key_/);
    assert.deepEqual(a.attempts!.map((x) => [x.backend, x.error]), [['local', undefined]]);
    const b = (await store.usageForRequest(String(refused.headers['x-request-id'])))!;
    assert.deepEqual([b.status, b.errorCode, b.backend], [400, 'unsupported_edit', 'local']);
    const c = (await store.usageForRequest(String(unknown.headers['x-request-id'])))!;
    assert.deepEqual([c.status, c.errorCode, c.backend], [404, 'model_not_found', null]);
    const rows = await store.summarizeUsage(0);
    assert.equal(rows.reduce((n, r) => n + r.requests, 0), 3);
  });

  it('a request refused by its Content-Length alone is recorded with its error code', async () => {
    const before = (await t.app.services.store.summarizeUsage(0)).reduce((n, r) => n + r.requests, 0);
    const res = await t.app.server.inject({
      method: 'POST', url: '/v1/images/edits', payload: 'x',
      headers: { ...t.auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(200 * 1024 * 1024) },
    });
    const after = (await t.app.services.store.summarizeUsage(0)).reduce((n, r) => n + r.requests, 0);
    assert.equal(res.statusCode, 413);
    assert.equal(after, before + 1);
  });
});
