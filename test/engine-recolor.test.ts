import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';
import { decode, pixel } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

const W = 480, H = 360;
/** A shaded red ball in the centre, grey boxes beside it, a red square in the top-left corner, on a light textured background. */
async function scene() {
  const data = Buffer.alloc(W * H * 3);
  const r = H * 0.25;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = (y * W + x) * 3;
    const d = Math.hypot(x - W / 2, y - H / 2);
    const n = ((x * 7 + y * 13) % 17) - 8;
    if (d < r) { const shade = 0.55 + 0.45 * (1 - d / r); data.set([Math.round(220 * shade), Math.round(35 * shade), Math.round(30 * shade)], i); }
    else if ((x > 40 && x < 100 && y > 140 && y < 220) || (x > 380 && x < 440 && y > 140 && y < 220)) data.set([128, 128, 128], i);
    else if (x < 20 && y < 20) data.set([230, 20, 20], i);
    else data.set([200 + n, 205 + n, 210 + n], i);
  }
  return { png: await sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer(), data };
}

async function run(image: Buffer, prompt: string, mask?: Buffer) {
  return decode((await runEdit(engine, image, prompt, {}, mask)).images[0]!.bytes);
}

const hue = ([r, g, b]: number[]) => {
  const max = Math.max(r!, g!, b!), d = max - Math.min(r!, g!, b!);
  if (d === 0) return 0;
  const h = max === r ? ((g! - b!) / d) % 6 : max === g ? (b! - r!) / d + 2 : (r! - g!) / d + 4;
  return (h * 60 + 360) % 360;
};

/** Relative luminance of an sRGB pixel, 0–1. */
const luminance = ([r, g, b]: number[]) => {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
};

describe('recolouring, on pixels', () => {
  it('"make the red ball green": the ball turns green with its shading; grey boxes, background and the corner square stay', async () => {
    const { png, data } = await scene();
    const out = await run(png, 'make the red ball green');
    const src = (x: number, y: number) => [...data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
    const ball = [[240, 180], [200, 160], [270, 200], [240, 120]] as const;
    for (const [x, y] of ball) {
      const p = pixel(out, x, y);
      assert.ok(Math.abs(hue(p) - 120) < 15, `ball pixel ${x},${y} ${p} hue ${hue(p)}`);
    }
    // Shading kept: each point's luminance relative to the centre's, as in the source (the light
    // that fell on the red ball falls on the green one).
    const [cx, cy] = ball[0];
    for (const [x, y] of ball.slice(1)) {
      const before = luminance(src(x, y)) / luminance(src(cx, cy));
      const after = luminance(pixel(out, x, y)) / luminance(pixel(out, cx, cy));
      assert.ok(Math.abs(after / before - 1) < 0.1, `${x},${y}: ${before.toFixed(3)} of the centre before, ${after.toFixed(3)} after`);
    }
    for (const [x, y] of [[70, 180], [410, 180], [10, 10], [450, 30], [30, 330]] as const) {
      assert.deepEqual(pixel(out, x, y), src(x, y), `outside pixel ${x},${y}`);
    }
  });

  it('"replace the red ball with a blue ball" gives blue', async () => {
    const { png } = await scene();
    const out = await run(png, 'replace the red ball with a blue ball');
    assert.ok(Math.abs(hue(pixel(out, 240, 180)) - 240) < 15);
  });

  it('"change red to blue" with no object recolours every red, the corner square too', async () => {
    const { png } = await scene();
    const out = await run(png, 'change red to blue');
    assert.ok(Math.abs(hue(pixel(out, 240, 180)) - 240) < 15);
    assert.ok(Math.abs(hue(pixel(out, 10, 10)) - 240) < 15);
    assert.deepEqual(pixel(out, 70, 180), [128, 128, 128]);
  });

  it('nothing of that colour → 400, not an unchanged image', async () => {
    const { png } = await scene();
    await assert.rejects(run(png, 'make the purple ball orange'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /Could not find/.test(e.message));
  });

  it('parses the recolour phrasings, and refuses the ones it cannot do honestly', () => {
    const op = (p: string) => parsePrompt(p).ops[0];
    assert.deepEqual(op('make the red cup green'), { op: 'recolor', from: [255, 0, 0], to: [0, 128, 0], object: 'cup', scope: 'subject' });
    assert.deepEqual(op('replace the red car with a blue car'), { op: 'recolor', from: [255, 0, 0], to: [0, 0, 255], object: 'car', scope: 'subject' });
    assert.deepEqual(op('change the color of the car to yellow'), { op: 'recolor', from: null, to: [255, 255, 0], object: 'car', scope: 'subject' });
    assert.deepEqual(op('turn all the blue into purple'), { op: 'recolor', from: [0, 0, 255], to: [128, 0, 128], object: null, scope: 'all' });
    assert.deepEqual(op('paint the car red'), { op: 'recolor', from: null, to: [255, 0, 0], object: 'car', scope: 'subject' });
    // Parts of a subject or of the scene: only inside a client's mask (the engine refuses them without one).
    for (const part of ['make the sky orange', 'make her shirt red', 'change the color of the spacesuit to blue', 'make the red shirt blue']) {
      assert.equal((op(part) as { scope?: string }).scope, 'mask', part);
    }
    // White, grey and black things are found by lightness inside the subject, never by hue across the image.
    assert.deepEqual(op('make the white car red'), { op: 'recolor', from: [255, 255, 255], to: [255, 0, 0], object: 'car', scope: 'subject' });
    for (const refused of ['change white to red', 'change the background to a forest', 'fix the red eyes', 'replace the red car with a blue truck']) {
      assert.throws(() => parsePrompt(refused), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit', refused);
    }
  });

  describe('a part of the subject (the spacesuit of an astronaut)', () => {
    // A white suit (left) beside a skin-toned face (right): recolouring "the subject" would turn both blue.
    const astronaut = async () => {
      const w = 160, h = 100, data = Buffer.alloc(w * h * 3);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x < 100 ? [235 - (y % 9), 236 - (y % 9), 238 - (y % 9)] : [224, 172, 140], (y * w + x) * 3);
      return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    };
    // Transparent (edit here) over the suit, opaque over the face.
    const suitMask = () => {
      const w = 160, h = 100, data = Buffer.alloc(w * h * 4);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([0, 0, 0, x < 100 ? 0 : 255], (y * w + x) * 4);
      return sharp(data, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
    };
    it('without a mask: 400 that says to send one, no image', async () => {
      await assert.rejects(run(await astronaut(), 'change the color of the spacesuit to blue'),
        (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /mask/.test(e.message));
    });
    it('with a mask over the suit: the suit turns blue, the face keeps its colour', async () => {
      const out = await run(await astronaut(), 'change the color of the spacesuit to blue', await suitMask());
      const suit = pixel(out, 50, 50);
      const face = pixel(out, 130, 50);
      assert.ok(suit[2]! > suit[0]! + 40 && suit[2]! > suit[1]! + 20, `suit not blue: ${suit}`);
      assert.deepEqual(face.slice(0, 3), [224, 172, 140]);
    });
  });
});
