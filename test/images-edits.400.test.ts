import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { animatedWebp, card, GIF_1x1, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp({ RETOUCH_MAX_INPUT_MEGAPIXELS: '1' }); });
after(async () => { await t.close(); });

const base = async (): Promise<Part[]> => [
  { name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'make it black and white' },
];
const without = (parts: Part[], name: string) => parts.filter((p) => p.name !== name);
const withField = (parts: Part[], name: string, value: string) => [...without(parts, name), { name, value }];

async function post(parts: Part[]) {
  const { body, headers } = await nodeForm(parts);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('the contract error table', () => {
  for (const field of ['prompt', 'image', 'model']) {
    it(`missing ${field} → 400 missing_required_parameter, param ${field}`, async () => {
      assertError(await post(without(await base(), field)), 400, { code: 'missing_required_parameter', type: 'invalid_request_error', param: field });
    });
  }
  for (const field of ['prompt', 'model']) {
    it(`empty ${field} → 400 missing_required_parameter`, async () => {
      assertError(await post(withField(await base(), field, '   ')), 400, { code: 'missing_required_parameter', param: field });
    });
  }

  const invalid: Array<[string, string]> = [
    ['size', '1024x9000'], ['size', '10x10'], ['size', 'big'], ['size', '0:1'], ['n', '0'], ['n', '11'], ['n', 'two'],
    ['output_format', 'gif'], ['response_format', 'xml'], ['output_compression', '101'], ['background', 'green'],
  ];
  for (const [field, value] of invalid) {
    it(`${field}=${value} → 400 invalid_value, param ${field}`, async () => {
      assertError(await post(withField(await base(), field, value)), 400, { code: 'invalid_value', type: 'invalid_request_error', param: field });
    });
  }

  it('transparent background with jpeg → 400 invalid_value, param background', async () => {
    const parts = withField(withField(await base(), 'background', 'transparent'), 'output_format', 'jpeg');
    assertError(await post(parts), 400, { code: 'invalid_value', param: 'background' });
  });

  it('a prompt over 32000 characters → 400', async () => {
    assertError(await post(withField(await base(), 'prompt', 'grayscale '.repeat(3300))), 400, { code: 'invalid_value', param: 'prompt' });
  });

  it('not an image → 400 invalid_image_file', async () => {
    const parts = [...without(await base(), 'image'), { name: 'image', file: Buffer.from('hello, I am text'), filename: 'a.png', contentType: 'image/png' }];
    assertError(await post(parts), 400, { code: 'invalid_image_file', param: 'image' });
  });

  it('too many pixels → 400 image_too_large, before decoding', async () => {
    const parts = [...without(await base(), 'image'), { name: 'image', file: await solid(1200, 1000, [1, 2, 3]) }];
    const err = assertError(await post(parts), 400, { code: 'image_too_large', param: 'image' });
    assert.match(err.message, /1200x1000/);
  });

  it('mask of another size → 400 invalid_mask', async () => {
    const parts = [...await base(), { name: 'mask', file: await solid(10, 10, [0, 0, 0], 'png', 0) }];
    assertError(await post(parts), 400, { code: 'invalid_mask', param: 'mask' });
  });

  it('mask without alpha → 400 invalid_mask', async () => {
    const parts = [...await base(), { name: 'mask', file: await solid(64, 48, [0, 0, 0], 'png') }];
    assertError(await post(parts), 400, { code: 'invalid_mask', param: 'mask' });
  });

  it('unknown model → 404 model_not_found, naming nothing secret', async () => {
    const err = assertError(await post(withField(await base(), 'model', 'dall-e-9')), 404, { code: 'model_not_found', param: 'model' });
    assert.match(err.message, /dall-e-9/);
  });

  it('a prompt the local engine cannot do → 400 unsupported_edit naming the clause and what it can do', async () => {
    const err = assertError(await post(withField(await base(), 'prompt', 'make it black and white and add a cowboy hat')), 400, { code: 'unsupported_edit', param: 'prompt' });
    assert.match(err.message, /add a cowboy hat/);
    assert.match(err.message, /black and white/);
  });

  it('more images than the local edit uses → 400 unsupported_edit, not a silent drop', async () => {
    const parts = [...await base(), { name: 'image', file: await card() }];
    assertError(await post(parts), 400, { code: 'unsupported_edit' });
  });

  it('a mask with a geometry change → 400 unsupported_edit', async () => {
    const parts = [...withField(await base(), 'prompt', 'rotate 90 degrees'), { name: 'mask', file: await solid(64, 48, [0, 0, 0], 'png', 0) }];
    assertError(await post(parts), 400, { code: 'unsupported_edit' });
  });

  it('more than 16 images → 400', async () => {
    const img = await solid(8, 8, [1, 1, 1]);
    const parts = [...without(await base(), 'image'), ...Array.from({ length: 17 }, () => ({ name: 'image[]', file: img }))];
    assertError(await post(parts), 400, { code: 'invalid_value', param: 'image' });
  });
});

describe('unsupported and broken image files', () => {
  const corpus: Array<[string, () => Promise<Buffer> | Buffer]> = [
    ['an empty file', () => Buffer.alloc(0)],
    ['a GIF', () => GIF_1x1],
    ['a BMP header', () => Buffer.from('BM6\0\0\0\0\0\0\x006\0\0\0(\0\0\0', 'latin1')],
    ['a TIFF', () => sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } }).tiff().toBuffer()],
    ['an SVG', () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
    ['a ZIP', () => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(40)])],
    ['text named .png', () => Buffer.from('this is not a png, honestly it is not at all')],
    ['a truncated PNG', async () => (await solid(300, 200, [200, 10, 10])).subarray(0, 300)],
    ['a truncated JPEG', async () => {
      const noisy = await sharp(Buffer.from(Array.from({ length: 300 * 200 * 3 }, (_, i) => (i * 7919) % 256)), { raw: { width: 300, height: 200, channels: 3 } }).jpeg().toBuffer();
      return noisy.subarray(0, Math.floor(noisy.length / 2));
    }],
    ['a truncated WEBP', async () => (await solid(300, 200, [200, 10, 10], 'webp')).subarray(0, 40)],
    ['a PNG signature and nothing else', () => Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['an animated WEBP', animatedWebp],
  ];
  for (const [what, make] of corpus) {
    it(`${what} → 400 invalid_image_file`, async () => {
      const parts = [...without(await base(), 'image'), { name: 'image', file: await make(), filename: 'x.png', contentType: 'image/png' }];
      assertError(await post(parts), 400, { code: 'invalid_image_file', param: 'image' });
    });
  }

  it('a truncated mask → 400 invalid_image_file naming mask', async () => {
    const mask = (await solid(64, 48, [0, 0, 0], 'png', 0)).subarray(0, 20);
    assertError(await post([...await base(), { name: 'mask', file: mask }]), 400, { code: 'invalid_image_file', param: 'mask' });
  });
});

describe('malformed requests', () => {
  const raw = (headers: Record<string, string>, payload: string | Buffer) =>
    t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, ...headers }, payload });

  it('multipart without a boundary → 400', async () => {
    assertError(await raw({ 'content-type': 'multipart/form-data' }, 'xx'), 400, { code: 'invalid_multipart' });
  });
  it('multipart cut off mid-part → 400', async () => {
    const { body, headers } = await nodeForm(await base());
    assertError(await raw(headers, body.subarray(0, body.length - 200)), 400, { code: 'invalid_multipart' });
  });
  it('malformed JSON → 400 invalid_json', async () => {
    assertError(await raw({ 'content-type': 'application/json' }, '{"model": "nano-banana-1", '), 400, { code: 'invalid_json' });
  });
  it('a JSON array → 400', async () => {
    assertError(await raw({ 'content-type': 'application/json' }, '[1,2]'), 400, { code: 'invalid_json' });
  });
  it('an unsupported content type → 400', async () => {
    assertError(await raw({ 'content-type': 'text/plain' }, 'make it black and white'), 400, { code: 'invalid_content_type' });
  });
  it('no body at all → 400 missing parameter', async () => {
    const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: t.auth });
    const err = assertError(res, 400, { code: 'missing_required_parameter', param: 'image' });
    assert.match(err.message, /no body.*multipart\/form-data/);
  });
});
