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
  it('one record per request, successes and failures, with sizes, backend and latency', async () => {
    await post('grayscale');
    await post('add a hat');
    await post('grayscale', 'nope-1');
    const rows = await t.app.services.store.summarizeUsage(0);
    const local = rows.find((r) => r.model === 'nano-banana-1' && r.backend === 'local');
    assert.ok(local, JSON.stringify(rows));
    assert.equal(local.requests, 1);
    assert.ok(local.inputBytes > 0 && local.outputBytes > 0);
    assert.equal(local.outputPixels, 64 * 48);
    const failed = rows.filter((r) => r.backend === null).reduce((n, r) => n + r.errors, 0);
    assert.equal(failed, 2);
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
