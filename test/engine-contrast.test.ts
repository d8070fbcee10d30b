import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { RetouchError } from '../src/errors.ts';
import { editedImage, localEngine } from './helpers/engine.ts';
import { synthPhoto } from './helpers/images.ts';

const engine = localEngine();
after(() => engine.close());

const run = (image: Buffer, prompt: string) => editedImage(engine, image, prompt);

const W = 320, H = 240;
type RGB = [number, number, number];

/** A photo from a function of (x, y) to RGB, with a little grain. */
const photo = (at: (x: number, y: number) => RGB) => synthPhoto(W, H, at, { grain: 3, seed: 5 });

/** A room with a wall, a floor, a pale egg, a green ball and a dark box, at full contrast. */
const room = (x: number, y: number): RGB => {
  if (((x - 150) / 22) ** 2 + ((y - 120) / 30) ** 2 < 1) return [236, 230, 215];
  if (Math.hypot(x - 240, y - 100) < 25) return [50, 130, 60];
  if (x >= 40 && x < 90 && y >= 140 && y < 160) return [30, 35, 60];
  if (y >= 160) return x % 12 < 6 ? [120, 80, 50] : [95, 62, 40];
  return [150 + (y / 160) * 30, 148 + (y / 160) * 30, 140 + (y / 160) * 30];
};
/** The same room seen through haze: every value pulled 75% of the way to a light grey. */
const hazy = (x: number, y: number) => room(x, y).map((v) => 0.25 * v + 0.75 * 140) as RGB;

/** Luma percentiles (Rec. 709 on the encoded values), the mean, and the share of pixels with a channel at 0 or 255. */
async function levels(bytes: Buffer) {
  const { data } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const luma: number[] = [];
  let clipped = 0;
  for (let i = 0; i < data.length; i += 3) {
    luma.push(0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!);
    if (Math.max(data[i]!, data[i + 1]!, data[i + 2]!) === 255 || Math.min(data[i]!, data[i + 1]!, data[i + 2]!) === 0) clipped++;
  }
  luma.sort((a, b) => a - b);
  const q = (p: number) => luma[Math.floor(p * (luma.length - 1))]!;
  return { spread: q(0.95) - q(0.05), median: q(0.5), mean: luma.reduce((a, b) => a + b, 0) / luma.length, clipped: clipped / luma.length };
}

describe('"it looks flat" stretches the contrast from the image; an amount stays an amount', () => {
  for (const prompt of ['The photo looks kinda flat', 'la foto se ve plana', 'コントラストが低い', '对比度太低', 'the contrast is too low']) {
    it(`"${prompt}": a hazy photo's luma spread grows to most of the range, with few pixels clipped`, async () => {
      const flat = await photo(hazy);
      const before = await levels(flat);
      assert.ok(before.spread < 45, `the test photo is flat: spread ${before.spread.toFixed(1)}`);
      const { bytes, revised } = await run(flat, prompt);
      assert.match(revised, /^increase contrast to correct the flat look/);
      const after = await levels(bytes);
      assert.ok(after.spread >= before.spread * 2.5, `spread ${before.spread.toFixed(1)} → ${after.spread.toFixed(1)}`);
      assert.ok(after.clipped < 0.02, `${(after.clipped * 100).toFixed(2)}% of the pixels clipped`);
    });
  }

  it('a photo that already spans the range, called flat, gets a moderate S-curve: black and white stay, the mid-tones spread', async () => {
    const normal = await photo(room);
    const before = await levels(normal);
    const after = await levels((await run(normal, 'it looks a bit flat')).bytes);
    assert.ok(after.spread >= before.spread * 1.12 && after.spread <= before.spread * 1.6, `spread ${before.spread.toFixed(1)} → ${after.spread.toFixed(1)}`);
    assert.ok(Math.abs(after.mean - before.mean) < 20, `mean ${before.mean.toFixed(1)} → ${after.mean.toFixed(1)}`);
    // The levels stretch sets the darkest and the brightest half percent to black and white, no more.
    assert.ok(after.clipped - before.clipped < 0.015, `clipped ${before.clipped.toFixed(4)} → ${after.clipped.toFixed(4)}`);
  });

  it('instructions keep their fixed amounts: "increase the contrast by 13%", "too much contrast"', async () => {
    const flat = await photo(hazy);
    const before = await levels(flat);
    const { bytes, revised } = await run(flat, 'increase the contrast by 13%');
    assert.equal(revised, 'increase contrast by 13%');
    const after = await levels(bytes);
    assert.ok(Math.abs(after.spread / before.spread - 1.13) < 0.06, `spread ${before.spread.toFixed(1)} → ${after.spread.toFixed(1)}`);
    assert.equal((await run(flat, 'too much contrast')).revised, 'decrease contrast by 25%');
  });

  it('a photo already black and white at its extremes, called flat, is a 400, not the image back', async () => {
    const harsh = await photo((x) => (x < W / 2 ? [0, 0, 0] : [255, 255, 255]));
    await assert.rejects(run(harsh, 'it looks flat'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /already spans/.test(e.message));
  });
});
