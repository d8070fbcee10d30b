import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { RetouchError } from '../src/errors.ts';
import { editedImage, localEngine } from './helpers/engine.ts';
import { synthPhoto } from './helpers/images.ts';

const engine = localEngine();
after(() => engine.close());

const run = (image: Buffer, prompt: string) => editedImage(engine, image, prompt);

const W = 320, H = 240;
type RGB = [number, number, number];

/** A photo from a function of (x, y) to RGB, seen through a colour cast (a gain per channel), with a little grain. */
const photo = (at: (x: number, y: number) => RGB, cast: RGB = [1, 1, 1]) => synthPhoto(W, H, at, { grain: 4, seed: 11, cast });

/** A room: a grey wall, a wooden floor (brown: its own colour, not a cast), a white egg, a green ball and a blue box. */
const room = (x: number, y: number): RGB => {
  if (((x - 150) / 22) ** 2 + ((y - 120) / 30) ** 2 < 1) return [236, 234, 228];
  if (Math.hypot(x - 240, y - 100) < 25) return [60, 140, 70];
  if (x >= 40 && x < 90 && y >= 140 && y < 160) return [50, 70, 170];
  if (y >= 160) return x % 12 < 6 ? [150, 100, 60] : [130, 85, 50];
  return [168 + (y / 160) * 14, 168 + (y / 160) * 14, 168 + (y / 160) * 14];
};
/** A tungsten-strength yellow cast: the wall comes out about (180, 153, 78), the mean about (154, 128, 62). */
const YELLOW: RGB = [1.03, 0.88, 0.45];

/** The mean colour of a region, and how far it is from grey: (R − B) / luma and (G − (R + B) / 2) / luma. */
async function region(bytes: Buffer, x0: number, y0: number, x1: number, y1: number) {
  const { data } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    for (let c = 0; c < 3; c++) sum[c]! += data[(y * W + x) * 3 + c]!;
    n++;
  }
  const [r, g, b] = sum.map((v) => v / n) as RGB;
  const luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return { rgb: [r, g, b].map(Math.round), warm: (r - b) / luma, green: (g - (r + b) / 2) / luma, luma };
}
const wall = (bytes: Buffer) => region(bytes, 100, 10, 300, 60);
const whole = (bytes: Buffer) => region(bytes, 0, 0, W, H);

describe('a described colour cast is measured in the image and taken out; an amount stays an amount', () => {
  const cooler = ['too yellow 😅', '太黄了', 'Farbstich zu gelb, bitte korrigieren', 'tá muito amarelada', 'ちょっと黄色っぽいので直して'];
  for (const prompt of cooler) {
    it(`"${prompt}": a strong yellow cast is taken out, the grey wall ends near grey and the floor stays brown`, async () => {
      const cast = await photo(room, YELLOW);
      const before = await wall(cast);
      assert.ok(before.warm > 0.6, `the test photo has a strong cast: ${before.rgb}`);
      const { bytes, revised } = await run(cast, prompt);
      assert.match(revised, /^cool colours to correct the colour cast/);
      const after = await wall(bytes);
      assert.ok(Math.abs(after.warm) < 0.1 && Math.abs(after.green) < 0.06, `wall ${before.rgb} → ${after.rgb}`);
      const floor = await region(bytes, 0, 170, W, H);
      assert.ok(floor.warm > 0.25, `the wooden floor keeps its colour: ${floor.rgb}`);
      const [lumaBefore, lumaAfter] = [(await whole(cast)).luma, (await whole(bytes)).luma];
      assert.ok(Math.abs(lumaAfter / lumaBefore - 1) < 0.1, `mean luma ${lumaBefore.toFixed(1)} → ${lumaAfter.toFixed(1)}`);
    });
  }

  for (const prompt of ['fix the white balance', 'the white balance is off', 'corrige la balance des blancs', 'the photo has a colour cast']) {
    it(`"${prompt}" names no direction: the cast is measured and taken out whichever way it goes`, async () => {
      const { bytes, revised } = await run(await photo(room, YELLOW), prompt);
      assert.match(revised, /^correct the colour cast/);
      const after = await wall(bytes);
      assert.ok(Math.abs(after.warm) < 0.1 && Math.abs(after.green) < 0.06, `wall ${after.rgb}`);
    });
  }

  it('"it\'s too blue": a blue cast is taken out the other way', async () => {
    const { bytes, revised } = await run(await photo(room, [0.72, 0.9, 1.08]), "it's too blue");
    assert.match(revised, /^warm colours to correct the colour cast/);
    const after = await wall(bytes);
    assert.ok(Math.abs(after.warm) < 0.1 && Math.abs(after.green) < 0.06, `wall ${after.rgb}`);
  });

  it('a neutral photo called too yellow changes little (a little cooler), and "fix the white balance" on it is a 400', async () => {
    const neutral = await photo(room);
    const [before, after] = [await wall(neutral), await wall((await run(neutral, 'too yellow')).bytes)];
    assert.ok(after.warm < before.warm && before.warm - after.warm < 0.12, `wall ${before.rgb} → ${after.rgb}`);
    await assert.rejects(run(neutral, 'fix the white balance'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /already look neutral/.test(e.message));
  });

  it('a sunset called too yellow is cooled but stays a warm sunset, not grey', async () => {
    // An orange sky, a pale sun, dark hills: the warmth is the light of the scene, beyond any white-balance error.
    const sunset = await photo((x, y) => {
      if (Math.hypot(x - 160, y - 130) < 16) return [255, 240, 200];
      if (y > 150 + 10 * Math.sin(x / 30)) return [40, 25, 20];
      return [250 - y * 0.2, 150 - y * 0.35, 50 + y * 0.1];
    });
    const sky = (b: Buffer) => region(b, 0, 20, 120, 100);
    const [before, after] = [await sky(sunset), await sky((await run(sunset, 'too yellow')).bytes)];
    assert.ok(after.warm < before.warm - 0.1, `cooled: ${before.rgb} → ${after.rgb}`);
    assert.ok(after.warm > 0.6, `still a warm sky: ${before.rgb} → ${after.rgb}`);
  });

  it('reads which prompts describe a cast (measured) and which ask for an amount (fixed)', () => {
    const op = (p: string) => parsePrompt(p).ops[0];
    for (const p of ['too yellow', 'remove the yellow cast', 'quita el tono amarillo']) assert.deepEqual(op(p), { op: 'temperature', amount: -0.2, auto: true }, p);
    for (const p of ['fix the white balance', 'remove the tint', 'the photo is tinted', '去掉偏色']) assert.deepEqual(op(p), { op: 'temperature', amount: 0, auto: true }, p);
    for (const p of ['make it cooler', 'less yellow', 'the photo is 20% too yellow']) assert.deepEqual(op(p), { op: 'temperature', amount: -0.2 }, p);
    // Asking for a tint is not a cast to correct; a filter may be more than a colour cast.
    for (const p of ['give it a tint', 'remove the filter']) {
      assert.throws(() => parsePrompt(p), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit', p);
    }
  });

  it('an explicit amount keeps it: "make it 20% cooler" on the yellow photo is the fixed shift, not a correction', async () => {
    const cast = await photo(room, YELLOW);
    const { bytes, revised } = await run(cast, 'make it 20% cooler');
    assert.equal(revised, 'cool colours by 20%');
    const [before, after] = [await wall(cast), await wall(bytes)];
    // The fixed map: red × 0.88, blue × 1.12.
    assert.ok(Math.abs(after.rgb[0]! / before.rgb[0]! - 0.88) < 0.02 && Math.abs(after.rgb[2]! / before.rgb[2]! - 1.12) < 0.03, `${before.rgb} → ${after.rgb}`);
    assert.ok(after.warm > 0.4, `still yellow, as 20% leaves it: ${after.rgb}`);
  });
});
