import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { RetentionSweeper } from '../src/retention.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function hostedName(): Promise<string> {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
  const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
  return new URL(JSON.parse(res.body).data[0].url).pathname.split('/').pop()!;
}

describe('GET /img/<id>.<ext>', () => {
  it('needs no key, and HEAD works', async () => {
    const name = await hostedName();
    const res = await t.app.server.inject({ method: 'HEAD', url: `/img/${name}` });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'image/webp');
  });

  const bad = ['../retouch.db', '..%2Fretouch.db', '%2e%2e%2fretouch.db', 'img_..%2F..%2Fetc%2Fpasswd', 'retouch.db', 'img_01m85zjm4hbrvhvny8y93byqks.gif',
    'img_01m85zjm4hbrvhvny8y93byqks.webp', 'IMG_01M85ZJM4HBRVHVNY8Y93BYQKS.webp', 'img_01m85zjm4hbrvhvny8y93byqk.webp%00.png'];
  for (const name of bad) {
    it(`404 for ${name}`, async () => {
      assertError(await t.app.server.inject({ method: 'GET', url: `/img/${name}` }), 404, { code: 'not_found' });
    });
  }

  it('the extension must match what was stored', async () => {
    const name = await hostedName();
    assertError(await t.app.server.inject({ method: 'GET', url: `/img/${name.replace('.webp', '.png')}` }), 404, { code: 'not_found' });
  });

  it('expired results are 404, and the sweep deletes them', async () => {
    const name = await hostedName();
    const file = path.join(t.dataDir, 'images', name);
    const old = new Date(Date.now() - 25 * 3600_000);
    await utimes(file, old, old);
    assertError(await t.app.server.inject({ method: 'GET', url: `/img/${name}` }), 404, { code: 'not_found' });
    const fresh = await hostedName();
    const removed = await new RetentionSweeper(t.app.services.blobs, 24 * 3600_000, pino({ level: 'silent' })).sweepOnce();
    assert.ok(removed >= 1);
    assert.equal((await t.app.server.inject({ method: 'GET', url: `/img/${fresh}` })).statusCode, 200);
  });
});
