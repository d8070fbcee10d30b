import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, exifRotatedJpeg, pixel, solid } from './helpers/images.ts';
import { nodeForm, type Part, pythonForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function edit(parts: Part[], style: 'node' | 'python' = 'node') {
  const { body, headers } = style === 'node' ? await nodeForm(parts) : pythonForm(parts);
  const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
  return { res, json: JSON.parse(res.body) };
}

async function fetchResult(json: { data: Array<{ url?: string; b64_json?: string }> }, i = 0) {
  const entry = json.data[i]!;
  if (entry.b64_json) return Buffer.from(entry.b64_json, 'base64');
  const url = new URL(entry.url!);
  const res = await t.app.server.inject({ method: 'GET', url: url.pathname });
  assert.equal(res.statusCode, 200);
  return res.rawPayload;
}

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 2 && Math.abs(p[1]! - p[2]!) <= 2;

describe('POST /v1/images/edits succeeds', () => {
  it('answers the relay example shape: created, data[0].url to a WEBP, and grey pixels', async () => {
    const { res, json } = await edit([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'make it black and white' }], 'python');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(typeof json.created, 'number');
    assert.ok(Math.abs(json.created - Date.now() / 1000) < 60);
    assert.equal(json.data.length, 1);
    assert.match(json.data[0].url, /^http:\/\/localhost(:\d+)?\/img\/img_[0-9a-z]{26}\.webp$/);
    assert.equal(res.headers['x-retouch-backend'], 'local');
    assert.match(String(res.headers['x-request-id']), /^req_/);
    assert.equal(json.data[0].revised_prompt, 'convert to black and white');
    const out = await decode(await fetchResult(json));
    assert.equal(out.format, 'webp');
    assert.deepEqual([out.width, out.height], [64, 48]);
    for (const [x, y] of [[2, 2], [20, 20], [50, 30]]) assert.ok(isGrey(pixel(out, x!, y!)), `pixel ${x},${y} = ${pixel(out, x!, y!)}`);
    // Red and blue have different luminance: the halves must differ, so it is not a flat grey.
    assert.ok(Math.abs(pixel(out, 20, 20)[0]! - pixel(out, 50, 30)[0]!) > 20);
  });

  for (const style of ['node', 'python'] as const) {
    for (const name of ['image', 'image[]', 'image[0]']) {
      it(`accepts the file as '${name}' in ${style} part order, with an octet-stream or missing type`, async () => {
        const { res } = await edit([
          { name: 'prompt', value: 'flip horizontally' },
          { name, file: await card(), contentType: style === 'node' ? 'application/octet-stream' : undefined as never, filename: 'photo.bin' },
          { name: 'model', value: 'retouch-local-1' },
          { name: 'response_format', value: 'b64_json' },
        ], style);
        assert.equal(res.statusCode, 200, res.body);
      });
    }
  }

  it('sniffs the format from bytes even when the part says image/gif and the name says .txt', async () => {
    const { res, json } = await edit([
      { name: 'image', file: await solid(20, 10, [10, 200, 30], 'jpeg'), contentType: 'image/gif', filename: 'notes.txt' },
      { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'rotate 90 degrees' }, { name: 'response_format', value: 'b64_json' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
    const out = await decode(await fetchResult(json));
    assert.deepEqual([out.width, out.height], [10, 20]);
  });

  it('returns b64_json only when asked, in the requested output format', async () => {
    for (const format of ['png', 'jpeg', 'webp'] as const) {
      const { res, json } = await edit([
        { name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'mirror it' },
        { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: format },
      ]);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(Object.keys(json.data[0]).sort(), ['b64_json', 'revised_prompt']);
      const out = await decode(await fetchResult(json));
      assert.equal(out.format, format);
      // Mirrored: the green corner is now top-right, red on the right half.
      const corner = pixel(out, 60, 3);
      assert.ok(corner[1]! > 200 && corner[0]! < 60, `corner ${corner}`);
      assert.ok(pixel(out, 40, 30)[0]! > 200);
    }
  });

  it('serves the hosted result with the right content type and cache headers', async () => {
    const { json } = await edit([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'output_format', value: 'png' }]);
    const res = await t.app.server.inject({ method: 'GET', url: new URL(json.data[0].url).pathname });
    assert.equal(res.headers['content-type'], 'image/png');
    assert.match(String(res.headers['cache-control']), /^public, max-age=\d+, immutable$/);
    assert.equal((await decode(res.rawPayload)).format, 'png');
  });

  it('uses RETOUCH_PUBLIC_URL for result URLs when set', async () => {
    const other = await startTestApp({ RETOUCH_PUBLIC_URL: 'https://img.example.com/' });
    try {
      const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
      const res = await other.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...other.auth }, payload: body });
      assert.match(JSON.parse(res.body).data[0].url, /^https:\/\/img\.example\.com\/img\/img_\w+\.webp$/);
    } finally {
      await other.close();
    }
  });

  it('gives n entries for n=3', async () => {
    const { json } = await edit([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'n', value: '3' }]);
    assert.equal(json.data.length, 3);
  });

  it('applies EXIF orientation on input', async () => {
    const { json } = await edit([{ name: 'image', file: await exifRotatedJpeg() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'response_format', value: 'b64_json' }]);
    const out = await decode(await fetchResult(json));
    // Stored 64x48 with orientation 6 displays as 48x64.
    assert.deepEqual([out.width, out.height], [48, 64]);
  });

  it('produces identical bytes for the same input and prompt', async () => {
    const parts: Part[] = [{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'rotate 30 degrees' }, { name: 'response_format', value: 'b64_json' }];
    const a = await edit(parts);
    const b = await edit(parts);
    assert.equal(a.json.data[0].b64_json, b.json.data[0].b64_json);
  });

  describe('size', () => {
    const cases: Array<[string, [number, number]]> = [
      ['auto', [64, 48]], ['', [64, 48]], ['32x32', [32, 32]], ['100x20', [100, 20]], ['1:1', [48, 48]], ['16:9', [64, 36]],
      ['512', [512, 384]], ['1k', [1024, 768]], ['2K', [2048, 1536]],
    ];
    for (const [size, [w, h]] of cases) {
      it(`size='${size}' gives ${w}x${h} from 64x48`, async () => {
        const { res, json } = await edit([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'size', value: size }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
        assert.equal(res.statusCode, 200, res.body);
        const out = await decode(await fetchResult(json));
        assert.deepEqual([out.width, out.height], [w, h]);
      });
    }
  });

  describe('mask', () => {
    it('edits only where the mask is transparent', async () => {
      // Mask: left half transparent (edit), right half opaque (keep).
      const w = 64, h = 48;
      const rgba = Buffer.alloc(w * h * 4, 255);
      for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) rgba[(y * w + x) * 4 + 3] = 0;
      const { default: sharp } = await import('sharp');
      const mask = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
      const blue = await solid(w, h, [0, 0, 255]);
      const { res, json } = await edit([{ name: 'image', file: blue }, { name: 'mask', file: mask }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'black and white' }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
      assert.equal(res.statusCode, 200, res.body);
      const out = await decode(await fetchResult(json));
      assert.ok(isGrey(pixel(out, 10, 20)), `left ${pixel(out, 10, 20)}`);
      assert.deepEqual(pixel(out, 50, 20).slice(0, 3), [0, 0, 255]);
    });
  });

  it('black and white keeps transparency (regression: sharp grayscale() dropped alpha on raw input)', async () => {
    const { json } = await edit([{ name: 'image', file: await solid(16, 16, [200, 30, 30], 'png', 0) }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'output_format', value: 'png' }, { name: 'response_format', value: 'b64_json' }]);
    const out = await decode(await fetchResult(json));
    assert.equal(out.channels, 4);
    assert.equal(pixel(out, 3, 3)[3], 0);
  });

  describe('background', () => {
    it("'opaque' flattens transparency onto white; 'transparent' keeps it", async () => {
      const clear = await solid(16, 16, [0, 0, 0], 'png', 0);
      for (const [background, alpha] of [['opaque', undefined], ['transparent', 0]] as const) {
        const { json } = await edit([{ name: 'image', file: clear }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'flip it' }, { name: 'background', value: background }, { name: 'output_format', value: 'png' }, { name: 'response_format', value: 'b64_json' }]);
        const out = await decode(await fetchResult(json));
        if (alpha === undefined) assert.deepEqual(pixel(out, 3, 3).slice(0, 3), [255, 255, 255]);
        else assert.equal(pixel(out, 3, 3)[3], 0);
      }
    });
  });
});
