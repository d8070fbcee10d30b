import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';
import { decode, type Decoded, pixel } from './helpers/images.ts';
import { ballScene, iou } from './helpers/scenes.ts';
import { localEngine, runEdit } from './helpers/engine.ts';
import { GrabCutSegmenter } from '../src/backends/local/segment/grabcut.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';

const engine = localEngine();
const workers = new EngineWorkers();
const segmenter = new GrabCutSegmenter(workers);
after(() => Promise.all([engine.close(), workers.close()]));

const scene = () => ballScene();

async function run(image: Buffer | Buffer[], prompt: string, fields: Record<string, string> = {}) {
  const result = await runEdit(engine, image, prompt, fields);
  return { out: await decode(result.images[0]!.bytes), headers: result.headers };
}

/** Pixels well inside or well outside the subject (6 px from the edge; the mask edge is feathered), where the answer is certain. */
function certain(w: number, h: number, subject: boolean): Array<[number, number]> {
  const pts: Array<[number, number]> = [];
  const r = h * 0.27;
  for (let y = 0; y < h; y += 7) for (let x = 0; x < w; x += 7) {
    const d = Math.hypot(x - w / 2, y - h / 2);
    if (subject ? d < r - 6 : d > r + 6) pts.push([x, y]);
  }
  return pts;
}

describe('segmentation', () => {
  it('GrabCut finds the subject of a synthetic scene with IoU ≥ 0.9', async () => {
    const { data, truth, w, h } = await scene();
    const mask = await segmenter.segment({ data, width: w, height: h, channels: 3 }, new AbortController().signal);
    const score = iou(mask.data, truth);
    process.stdout.write(`# grabcut IoU on the synthetic scene: ${score.toFixed(3)}\n`);
    assert.ok(score >= 0.9, `IoU ${score}`);
  });
});

describe('background edits, on pixels', () => {
  const unchangedSubject = (out: Decoded, data: Buffer, w: number, h: number) => {
    for (const [x, y] of certain(w, h, true)) {
      const src = [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
      assert.ok(pixel(out, x, y).slice(0, 3).every((v, i) => Math.abs(v - src[i]!) <= 2), `subject pixel ${x},${y} ${pixel(out, x, y)} vs ${src}`);
    }
  };

  it('remove the background: transparent outside, subject unchanged and opaque', async () => {
    const { png, data, w, h } = await scene();
    const { out, headers } = await run(png, 'remove the background');
    assert.equal(headers?.['x-retouch-segmenter'], 'grabcut');
    assert.equal(out.channels, 4);
    for (const [x, y] of certain(w, h, false)) assert.equal(pixel(out, x, y)[3], 0, `background ${x},${y}`);
    for (const [x, y] of certain(w, h, true)) assert.equal(pixel(out, x, y)[3], 255);
    unchangedSubject(out, data, w, h);
  });

  /** How much neighbouring pixels differ at the given points: texture that pixelation flattens. */
  const roughness = (img: Decoded | { data: Buffer; w: number }, pts: Array<[number, number]>, w: number) => {
    const at = (x: number, y: number) => ('channels' in img ? pixel(img, x, y)[0]! : img.data[(y * img.w + x) * 3]!);
    return pts.filter(([x]) => x < w - 1).reduce((n, [x, y]) => n + Math.abs(at(x, y) - at(x + 1, y)), 0);
  };

  it('pixelate the background: blocks outside the subject, subject unchanged', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'pixelate the background with 12px blocks');
    const bg = certain(w, h, false);
    assert.ok(roughness(out, bg, w) < roughness({ data, w }, bg, w) * 0.5, 'background flattened into blocks');
    unchangedSubject(out, data, w, h);
  });

  it('pixelate the subject: blocks inside the subject, background unchanged', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'pixelate the person');
    const inside = certain(w, h, true);
    assert.ok(roughness(out, inside, w) < roughness({ data, w }, inside, w) * 0.8, 'subject flattened into blocks');
    for (const [x, y] of certain(w, h, false)) {
      const src = [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
      assert.ok(pixel(out, x, y).slice(0, 3).every((v, i) => Math.abs(v - src[i]!) <= 2), `background pixel ${x},${y} changed`);
    }
  });

  it('white studio background: background white, subject unchanged', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'put it on a white studio background');
    for (const [x, y] of certain(w, h, false)) assert.deepEqual(pixel(out, x, y).slice(0, 3), [255, 255, 255]);
    unchangedSubject(out, data, w, h);
  });

  it('white studio background with a soft shadow: a shadow just under the subject, white elsewhere', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'put it on a white studio background with a soft shadow');
    // The ball is centred with radius 0.27·h: its bottom is at 0.77·h. Just below it, darker than white;
    // far from it (the top corners), pure white; the subject itself unchanged.
    const below = pixel(out, Math.round(w / 2), Math.round(h * 0.77) + 3);
    assert.ok(below[0]! < 235 && below[0] === below[1] && below[1] === below[2], `grey shadow under the subject: ${below}`);
    for (const [x, y] of [[2, 2], [w - 3, 2]] as const) assert.deepEqual(pixel(out, x, y).slice(0, 3), [255, 255, 255]);
    unchangedSubject(out, data, w, h);
  });

  it('replace the background with a colour by name', async () => {
    const { png, w, h } = await scene();
    const { out } = await run(png, 'change the background to navy');
    for (const [x, y] of certain(w, h, false).slice(0, 50)) assert.deepEqual(pixel(out, x, y).slice(0, 3), [0, 0, 128]);
  });

  it('blur the background: background smoothed, subject unchanged', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'blur the background');
    // The texture varies by up to ±24 between neighbours; blurred, it nearly vanishes.
    let before = 0, afterBlur = 0;
    for (const [x, y] of certain(w, h, false).filter(([x]) => x < w - 1)) {
      before += Math.abs(data[(y * w + x) * 3]! - data[(y * w + x + 1) * 3]!);
      afterBlur += Math.abs(pixel(out, x, y)[0]! - pixel(out, x + 1, y)[0]!);
    }
    assert.ok(afterBlur < before / 3, `texture ${before} → ${afterBlur}`);
    unchangedSubject(out, data, w, h);
  });

  it('black-and-white background, subject keeps its colour', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'make the background black and white');
    for (const [x, y] of certain(w, h, false)) {
      const p = pixel(out, x, y);
      assert.ok(Math.abs(p[0]! - p[2]!) <= 2, `background ${p}`);
    }
    unchangedSubject(out, data, w, h);
  });

  it('the subject mask follows a rotation: "make the red ball blue, rotate it 90 degrees and make the background white"', async () => {
    // The mask is made before the rotation (for the recolour); the background step used to read it
    // unrotated (360x480 pixels, a 480x360 mask) and fail with a 500.
    const { png, w, h } = await scene();
    const { out } = await run(png, 'make the red ball blue, rotate it 90 degrees and make the background white');
    assert.deepEqual([out.width, out.height], [h, w]);
    // 90° clockwise: the source pixel (x, y) lands on (h − 1 − y, x).
    const at = (x: number, y: number) => pixel(out, h - 1 - y, x);
    for (const [x, y] of certain(w, h, false)) assert.deepEqual(at(x, y).slice(0, 3), [255, 255, 255], `background ${x},${y}`);
    for (const [x, y] of certain(w, h, true)) {
      const [r, , b] = at(x, y);
      assert.ok(b! > r! + 20, `subject ${x},${y} is blue: ${at(x, y)}`);
    }
  });

  it('the mask follows a crop and a flip too: "make the red ball blue, crop it to a square, flip it and blur the background"', async () => {
    const { png, h } = await scene();
    const { out } = await run(png, 'make the red ball blue, crop it to a square, flip it and blur the background');
    assert.deepEqual([out.width, out.height], [h, h]);
    const [r, , b] = pixel(out, h / 2, h / 2);
    assert.ok(b! > r! + 20, `the ball, still centred, is blue: ${pixel(out, h / 2, h / 2)}`);
  });

  it('a border is not background: "add a 20px border and make the background white" keeps the border black', async () => {
    const { png, data, w, h } = await scene();
    const { out } = await run(png, 'add a 20px border and make the background white');
    assert.deepEqual([out.width, out.height], [w + 40, h + 40]);
    for (const [x, y] of [[0, 0], [10, 10], [w + 39, h + 39], [w + 25, h / 2], [w / 2, 5], [w / 2, h + 30]]) {
      assert.deepEqual(pixel(out, x!, y!).slice(0, 3), [0, 0, 0], `border ${x},${y}`);
    }
    for (const [x, y] of certain(w, h, false)) assert.deepEqual(pixel(out, x + 20, y + 20).slice(0, 3), [255, 255, 255], `background ${x},${y}`);
    for (const [x, y] of certain(w, h, true)) {
      const src = [...data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3)];
      assert.ok(pixel(out, x + 20, y + 20).slice(0, 3).every((v, i) => Math.abs(v - src[i]!) <= 2), `subject ${x},${y}`);
    }
  });

  it('a border stays opaque around a removed background, and padding is kept like a border', async () => {
    const { png, w, h } = await scene();
    const { out } = await run(png, 'add a 20px red border and remove the background');
    assert.deepEqual(pixel(out, 5, 5), [255, 0, 0, 255]);
    for (const [x, y] of certain(w, h, false).slice(0, 40)) assert.equal(pixel(out, x + 20, y + 20)[3], 0);
    const padded = (await run(png, 'add 30px of yellow padding and make the background blue')).out;
    assert.deepEqual(pixel(padded, 3, 3).slice(0, 3), [255, 255, 0]);
    for (const [x, y] of certain(w, h, false).slice(0, 40)) assert.deepEqual(pixel(padded, x + 30, y + 30).slice(0, 3), [0, 0, 255]);
  });

  for (const prompt of ['replace the background with the second image', 'put the subject of the first image onto the second image']) {
    it(`two images: "${prompt}"`, async () => {
      const { png, data, w, h } = await scene();
      const beach = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 240, g: 200, b: 120 } } }).png().toBuffer();
      const { out } = await run([png, beach], prompt);
      assert.deepEqual([out.width, out.height], [w, h]);
      for (const [x, y] of certain(w, h, false)) assert.deepEqual(pixel(out, x, y).slice(0, 3), [240, 200, 120]);
      unchangedSubject(out, data, w, h);
    });
  }

  it('a plan for two images with one image, or one image too many, is a 400', async () => {
    const { png } = await scene();
    await assert.rejects(run(png, 'replace the background with the second image'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit');
    await assert.rejects(run([png, png], 'blur the background'), (e: unknown) => e instanceof RetouchError && /says? what to do with the second|uses one image/.test((e as Error).message));
  });

  it('is deterministic: the same image and prompt give the same bytes', async () => {
    const { png } = await scene();
    const a = await run(png, 'remove the background');
    const b = await run(png, 'remove the background');
    assert.ok(a.out.data.equals(b.out.data));
  });

  it('parses the background phrasings and leaves whole-image edits alone', () => {
    const action = (p: string) => { const op = parsePrompt(p).ops[0]!; return op.op === 'background' ? op.action : op.op; };
    assert.equal(action('remove the background'), 'remove');
    assert.equal(action('make the background transparent'), 'remove');
    assert.equal(action('cut out the product'), 'remove');
    assert.equal(action('replace the background with white'), 'color');
    assert.equal(action('white background'), 'color');
    assert.equal(action('blur the background'), 'blur');
    assert.equal(action('give it a bokeh background'), 'blur');
    assert.equal(action('make the background black and white and keep the subject in color'), 'grayscale');
    assert.equal(action('blur it'), 'blur');
    assert.equal(action('make it black and white'), 'grayscale');
  });
});
