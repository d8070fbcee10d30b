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

/** A photo from a function of (x, y) to RGB, with a little grain. */
const photo = (at: (x: number, y: number) => [number, number, number]) => synthPhoto(W, H, at, { grain: 5, seed: 7 });

/** A dim room (mean luma about 32): a dark wall getting lighter to the right, a brown box, the floor, and a small lit lamp. */
const darkRoom = () => photo((x, y) => {
  if (Math.hypot(x - 60, y - 50) < 5) return [250, 240, 210];
  if (x >= 120 && x < 200 && y >= 100 && y < 200) return [62, 46, 30];
  if (y >= 190) return [30, 26, 22];
  return [22 + (x / W) * 22, 20 + (x / W) * 20, 20 + (x / W) * 16];
});

/** A normally exposed landscape: sky, a bright sun, green ground. */
const landscape = () => photo((x, y) => {
  if (Math.hypot(x - 240, y - 40) < 14) return [255, 245, 200];
  if (y < 140) return [110 + (y / 140) * 90, 160 + (y / 140) * 65, 230 + (y / 140) * 15];
  return [70 - ((y - 140) / 100) * 30, 120 - ((y - 140) / 100) * 40, 50 - ((y - 140) / 100) * 20];
});

/** Mean luma (Rec. 709 on the encoded values), the share of pixels with a channel at 255, and one pixel. */
async function measure(bytes: Buffer) {
  const { data } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0, clipped = 0;
  for (let i = 0; i < data.length; i += 3) {
    sum += 0.2126 * data[i]! + 0.7152 * data[i + 1]! + 0.0722 * data[i + 2]!;
    if (Math.max(data[i]!, data[i + 1]!, data[i + 2]!) === 255) clipped++;
  }
  const at = (x: number, y: number) => [...data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
  return { mean: sum / (data.length / 3), clipped: clipped / (data.length / 3), at };
}

describe('"too dark" corrects the exposure from the image; an amount stays an amount', () => {
  const problems = ['This photo is way too dark, can you fix it?', '这张照片太暗了，看不清', '写真が暗すぎる', 'das Bild ist viel zu dunkel',
    'la photo est trop sombre', 'la foto está muy oscura', 'a foto está muito escura', 'the photo is underexposed'];
  for (const prompt of problems) {
    it(`"${prompt}": a photo at mean 32 is brought to a sane exposure, the lamp barely clipped`, async () => {
      const dark = await darkRoom();
      const before = await measure(dark);
      assert.ok(before.mean > 26 && before.mean < 36, `the test photo is dark: ${before.mean}`);
      const { bytes, revised } = await run(dark, prompt);
      assert.match(revised, /^brighten to correct the exposure/);
      const out = await measure(bytes);
      assert.ok(out.mean >= 95 && out.mean <= 150, `mean luma ${before.mean.toFixed(1)} → ${out.mean.toFixed(1)}: still under- or overexposed`);
      assert.ok(out.clipped < 0.01, `${(out.clipped * 100).toFixed(2)}% of the pixels pushed to white`);
      // A correction, not a wash: the box stays lighter than the wall beside it, the floor darker than the box.
      const [box, wall, floor] = [out.at(160, 150), out.at(100, 150), out.at(160, 220)];
      assert.ok(box[0]! > wall[0]! + 20 && box[0]! > floor[0]! + 20, `box ${box}, wall ${wall}, floor ${floor}`);
    });
  }

  it('a normally exposed photo called too dark still gets brighter, without blowing out', async () => {
    const land = await landscape();
    const before = await measure(land);
    const out = await measure((await run(land, "it's too dark")).bytes);
    assert.ok(out.mean >= before.mean * 1.08 && out.mean <= before.mean * 1.4, `mean ${before.mean.toFixed(1)} → ${out.mean.toFixed(1)}`);
    assert.ok(out.clipped - before.clipped < 0.01, `clipped ${before.clipped.toFixed(4)} → ${out.clipped.toFixed(4)}`);
  });

  it('a dark room with a bright window: the room is lifted (mid-tones), the window is not blown out', async () => {
    const room = await photo((x, y) => (x >= 20 && x < 90 && y >= 20 && y < 110 ? [225, 230, 235] : [28 + (x / W) * 14, 24 + (x / W) * 12, 22]));
    const before = await measure(room);
    const out = await measure((await run(room, "it's too dark")).bytes);
    assert.ok(out.mean >= before.mean * 1.6, `mean ${before.mean.toFixed(1)} → ${out.mean.toFixed(1)}`);
    assert.ok(out.at(200, 150)[0]! >= 70, `the room: ${out.at(200, 150)} (was ${before.at(200, 150)})`);
    assert.ok(out.clipped < 0.02, `${(out.clipped * 100).toFixed(2)}% of the pixels pushed to white (the window is ${(70 * 90 / W / H * 100).toFixed(0)}%)`);
  });

  it('"too bright" darkens the mid-tones and keeps white white', async () => {
    const land = await landscape();
    const before = await measure(land);
    const { bytes, revised } = await run(land, 'the photo is way too bright');
    assert.match(revised, /^darken to correct the exposure/);
    const out = await measure(bytes);
    assert.ok(out.mean <= before.mean / 1.1, `mean ${before.mean.toFixed(1)} → ${out.mean.toFixed(1)}`);
    assert.ok(out.at(240, 40)[0]! >= 250, `the sun stays white: ${out.at(240, 40)}`);
  });

  it('a cut-out is measured on its subject, not on the black stored under its transparency', async () => {
    // A mid-grey disc (luma ~120, a sane exposure) on transparency stored as black: its mean luma over all pixels is ~30.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><circle cx="160" cy="120" r="60" fill="#787878"/></svg>`;
    const rgba = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer();
    for (let i = 0; i < W * H; i++) if (rgba[i * 4 + 3] === 0) rgba.fill(0, i * 4, i * 4 + 3);
    const cutout = await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
    const out = await measure((await run(cutout, "it's too dark")).bytes);
    const centre = out.at(160, 120)[0]!;
    // Corrected as a sane photo called too dark (a step up), not as one at luma 30 (pushed near white).
    assert.ok(centre > 125 && centre < 175, `the disc went from 120 to ${centre}`);
  });

  it('an explicit instruction keeps its fixed amount: "make it 20% brighter" on the dark photo', async () => {
    const dark = await darkRoom();
    const before = await measure(dark);
    const { bytes, revised } = await run(dark, 'make it 20% brighter');
    assert.equal(revised, 'brighten by 20%');
    const out = await measure(bytes);
    assert.ok(Math.abs(out.mean / before.mean - 1.2) < 0.03, `mean ${before.mean.toFixed(1)} → ${out.mean.toFixed(1)}`);
  });

  it('a photo already near white called too dark is a 400, not the image back', async () => {
    const white = await photo(() => [240, 240, 236]);
    await assert.rejects(run(white, "it's too dark"), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /already bright/.test(e.message));
  });
});
