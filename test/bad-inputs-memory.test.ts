import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, pngBomb } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function post(image: Buffer, prompt = 'make it black and white') {
  const { body, headers } = await nodeForm([{ name: 'image', file: image }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: prompt }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('decompression bombs', () => {
  it('a 30000x30000 PNG of a few hundred KB → 400 image_too_large without decoding it', async () => {
    const bomb = pngBomb(30000, 30000);
    assert.ok(bomb.length < 1024 * 1024, `bomb is ${bomb.length} bytes`);
    global.gc?.();
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const err = assertError(await post(bomb), 400, { code: 'image_too_large', param: 'image' });
    assert.match(err.message, /30000x30000/);
    const grown = process.memoryUsage().rss - before;
    // Decoding would need 900 MB+; reading the header needs next to nothing.
    assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${(grown / 1e6).toFixed(0)} MB`);
    assert.ok(performance.now() - started < 5000);
  });

  it('a bomb just under the pixel cap but with bogus data is refused at decode, not served', async () => {
    // 7000x7000 = 49 MP passes the header check; its IDAT is cut short, so decoding fails cleanly.
    const bomb = pngBomb(7000, 7000);
    const truncated = Buffer.concat([bomb.subarray(0, bomb.length - 200), bomb.subarray(bomb.length - 12)]);
    assertError(await post(truncated), 400, { code: 'invalid_image_file' });
  });

  it('the server keeps serving after a run of bad inputs, with bounded memory', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 10; i++) await post(pngBomb(20000, 20000));
    const grown = process.memoryUsage().rss - before;
    assert.ok(grown < 100 * 1024 * 1024, `RSS grew by ${(grown / 1e6).toFixed(0)} MB over 10 bombs`);
    assert.equal((await post(await card())).statusCode, 200);
  });
});
