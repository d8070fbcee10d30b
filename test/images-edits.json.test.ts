import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel, solid } from './helpers/images.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;
const post = (body: unknown) =>
  t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('JSON bodies (contract 2.3)', () => {
  it('images: [{image_url: data URL}] with numbers as numbers', async () => {
    const res = await post({ model: 'nano-banana-1', prompt: 'flip vertically', images: [{ image_url: dataUrl(await card()) }], n: 1, response_format: 'b64_json', output_format: 'png' });
    assert.equal(res.statusCode, 200, res.body);
    const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
    // Flipped top-bottom: the green corner is bottom-left.
    assert.ok(pixel(out, 3, 44)[1]! > 200);
  });

  it('image as a data URL string', async () => {
    const res = await post({ model: 'nano-banana-1', prompt: 'grayscale', image: dataUrl(await card()) });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(JSON.parse(res.body).data[0].url, /\.webp$/);
  });

  it('mask as {image_url}', async () => {
    const res = await post({ model: 'nano-banana-1', prompt: 'grayscale', images: [{ image_url: dataUrl(await card()) }], mask: { image_url: dataUrl(await solid(10, 10, [0, 0, 0], 'png', 0)) } });
    assertError(res, 400, { code: 'invalid_mask', param: 'mask' });
  });

  it('a data URL that is not an image → 400 invalid_image_file', async () => {
    assertError(await post({ model: 'nano-banana-1', prompt: 'grayscale', image: `data:image/png;base64,${Buffer.from('hello').toString('base64')}` }), 400, { code: 'invalid_image_file' });
  });

  it('a remote URL when remote images are disabled → 400 invalid_value naming image', async () => {
    const err = assertError(await post({ model: 'nano-banana-1', prompt: 'grayscale', images: [{ image_url: 'https://example.com/cat.png' }] }), 400, { code: 'invalid_value', param: 'image' });
    assert.match(err.message, /RETOUCH_REMOTE_IMAGES/);
  });

  it('missing image in JSON → 400 missing_required_parameter', async () => {
    assertError(await post({ model: 'nano-banana-1', prompt: 'grayscale' }), 400, { code: 'missing_required_parameter', param: 'image' });
  });

  it('a data URL whose base64 is not base64 → 400 invalid_image_file saying so (not "empty")', async () => {
    const err = assertError(await post({ model: 'nano-banana-1', prompt: 'grayscale', image: 'data:image/png;base64,!!!!' }), 400, { code: 'invalid_image_file', param: 'image' });
    assert.match(err.message, /not valid base64/);
  });

  it('a prompt or model that is not text → 400 invalid_value naming the field, not an edit of "123"', async () => {
    const image = dataUrl(await card());
    const prompt = assertError(await post({ model: 'nano-banana-1', prompt: 123, image }), 400, { code: 'invalid_value', param: 'prompt' });
    assert.match(prompt.message, /expected a string, got a number/);
    assertError(await post({ model: true, prompt: 'grayscale', image }), 400, { code: 'invalid_value', param: 'model' });
    assert.equal((await post({ model: 'nano-banana-1', prompt: 'grayscale', image, n: 1, partial_images: 0 })).statusCode, 200, 'numbers stay numbers where they are numbers');
  });

  it('a bad image_url type → 400', async () => {
    assertError(await post({ model: 'nano-banana-1', prompt: 'grayscale', images: [{ image_url: 42 }] }), 400, { code: 'invalid_value', param: 'image' });
  });
});
