import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ResultCache } from '../src/edits/result-cache.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function edit(prompt: string, headers: Record<string, string> = t.auth) {
  const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: prompt }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...h, ...headers }, payload: body });
}

describe('the local engine result cache', () => {
  it('answers the same request again from the cache, per API key, unless told no-cache', async () => {
    const first = await edit('rotate 180 degrees');
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['x-retouch-cache'], 'miss');
    const again = await edit('rotate 180 degrees');
    assert.equal(again.headers['x-retouch-cache'], 'hit');
    assert.equal(again.json().data[0].b64_json, first.json().data[0].b64_json);
    const out = await decode(Buffer.from(again.json().data[0].b64_json, 'base64'));
    assert.ok(pixel(out, 60, 44)[1]! > 200, 'the rotated image');
    const usage = await t.app.services.store.usageForRequest(String(again.headers['x-request-id']));
    assert.deepEqual([usage!.backend, usage!.outputPixels], ['local', 64 * 48], 'a hit is recorded (and charged) as the edit it repeats');

    assert.equal((await edit('rotate 90 degrees')).headers['x-retouch-cache'], 'miss', 'another prompt');
    const other = await t.app.services.keys.create('other');
    assert.equal((await edit('rotate 180 degrees', { authorization: `Bearer ${other.secret}` })).headers['x-retouch-cache'], 'miss', 'another key sees nothing of the first');
    const opted = await edit('rotate 180 degrees', { ...t.auth, 'cache-control': 'no-cache' });
    assert.equal(opted.statusCode, 200);
    assert.equal(opted.headers['x-retouch-cache'], undefined);
  });

  it('is bounded by bytes (least recently used out) and by age', () => {
    let now = 0;
    const cache = new ResultCache(100, 1000, () => now);
    const answer = { created: 1, data: [] };
    const entry = { answer, headers: {}, images: 1, pixels: 1, usage: {} };
    cache.set('a', entry, 40);
    cache.set('b', entry, 40);
    assert.ok(cache.get('a'), 'a is now the most recently used');
    cache.set('c', entry, 40);
    assert.equal(cache.get('b'), undefined, 'b went to make room');
    assert.ok(cache.get('a') && cache.get('c'));
    assert.equal(cache.size, 80);
    cache.set('huge', entry, 101);
    assert.equal(cache.get('huge'), undefined, 'larger than the cache: not kept');
    now = 1000;
    assert.equal(cache.get('a'), undefined, 'expired');
    assert.equal(cache.size, 40);
  });
});
