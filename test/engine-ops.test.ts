import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import type { EngineContext } from '../src/backends/local/context.ts';
import { RetouchError } from '../src/errors.ts';
import { decode, type Decoded, pixel, solid } from './helpers/images.ts';
import { editRequest, limits, localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

/** Runs the local engine on an image with a prompt, returning decoded PNG pixels. */
async function run(image: Buffer, prompt: string, fields: Record<string, string> = {}): Promise<Decoded> {
  return decode((await runEdit(engine, image, prompt, fields)).images[0]!.bytes);
}

/** A horizontal grey ramp (0..255) over a mid-tone colour stripe: tone changes show up as exact shifts. */
async function scene(w = 100, h = 60): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = (y * w + x) * 3;
    const v = Math.round((x / (w - 1)) * 255);
    data.set(y < h / 2 ? [v, v, v] : [180, 90, 60], i);
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

const luma = (p: number[]) => 0.2126 * p[0]! + 0.7152 * p[1]! + 0.0722 * p[2]!;
const hueOf = ([r, g, b]: number[]) => {
  const max = Math.max(r!, g!, b!), min = Math.min(r!, g!, b!), d = max - min;
  if (d === 0) return 0;
  const h = max === r ? ((g! - b!) / d) % 6 : max === g ? (b! - r!) / d + 2 : (r! - g!) / d + 4;
  return (h * 60 + 360) % 360;
};
const sat = ([r, g, b]: number[]) => { const max = Math.max(r!, g!, b!); return max === 0 ? 0 : (max - Math.min(r!, g!, b!)) / max; };

describe('tone operations, on pixels', () => {
  it('sepia: greys become warm browns, in order of lightness', async () => {
    const out = await run(await scene(), 'make it sepia');
    const p = pixel(out, 50, 10);
    assert.ok(p[0]! > p[1]! && p[1]! > p[2]!, `sepia pixel ${p}`);
  });
  it('invert: 255 − v exactly', async () => {
    const src = await decode(await scene());
    const out = await run(await scene(), 'invert the colors');
    for (const [x, y] of [[0, 5], [50, 5], [99, 5], [10, 50]]) {
      assert.deepEqual(pixel(out, x!, y!), pixel(src, x!, y!).map((v) => 255 - v));
    }
  });
  it('brightness: brighter raises, darker lowers, by the stated amount', async () => {
    const src = await decode(await scene());
    const up = await run(await scene(), 'increase the brightness by 20%');
    const down = await run(await scene(), 'make it a bit darker');
    const v = pixel(src, 50, 10)[0]!;
    assert.ok(Math.abs(pixel(up, 50, 10)[0]! - Math.round(v * 1.2)) <= 1);
    assert.ok(Math.abs(pixel(down, 50, 10)[0]! - Math.round(v * 0.9)) <= 1);
  });
  it('contrast: mid-grey stays, ends spread', async () => {
    const src = await decode(await scene());
    const out = await run(await scene(), 'increase the contrast');
    const lo = pixel(src, 20, 10)[0]!, hi = pixel(src, 80, 10)[0]!;
    assert.ok(pixel(out, 20, 10)[0]! < lo && pixel(out, 80, 10)[0]! > hi);
  });
  it('saturation: more vivid raises saturation, muted lowers it, hue kept', async () => {
    const src = pixel(await decode(await scene()), 50, 45);
    const vivid = pixel(await run(await scene(), 'make the colors more vivid'), 50, 45);
    const muted = pixel(await run(await scene(), 'muted colors'), 50, 45);
    assert.ok(sat(vivid) > sat(src) && sat(muted) < sat(src), `${src} ${vivid} ${muted}`);
    assert.ok(Math.abs(hueOf(vivid) - hueOf(src)) < 8);
  });
  it('warmer adds red and removes blue; cooler the reverse', async () => {
    const src = pixel(await decode(await scene()), 50, 10);
    const warm = pixel(await run(await scene(), 'make it warmer'), 50, 10);
    const cool = pixel(await run(await scene(), 'cooler tones'), 50, 10);
    assert.ok(warm[0]! > src[0]! && warm[2]! < src[2]!);
    assert.ok(cool[0]! < src[0]! && cool[2]! > src[2]!);
  });
  // sharp rotates hue in LCh (perceptual) space, so measured in HSV the shift is near, not equal, to the angle.
  it('hue shift moves the hue by about the angle', async () => {
    const src = pixel(await decode(await scene()), 50, 45);
    const out = pixel(await run(await scene(), 'shift the hue by 120 degrees'), 50, 45);
    const d = (hueOf(out) - hueOf(src) + 360) % 360;
    assert.ok(d > 90 && d < 160, `hue moved ${d}`);
  });
  it('tint blends toward the named colour', async () => {
    const out = pixel(await run(await solid(20, 20, [128, 128, 128]), 'give it a blue tint'), 10, 10);
    assert.ok(out[2]! > out[0]! + 40, `tinted ${out}`);
  });
});

describe('geometry operations, exact', () => {
  it('crop to square and 16:9', async () => {
    assert.deepEqual([(await run(await scene(), 'crop it to a square')).width, (await run(await scene(), 'crop to square')).height], [60, 60]);
    const wide = await run(await scene(100, 100), 'crop to 16:9');
    assert.deepEqual([wide.width, wide.height], [100, 56]);
  });
  it('trim removes a uniform border; no border is a 400', async () => {
    const framed = await sharp(await scene(40, 30)).extend({ top: 10, bottom: 10, left: 10, right: 10, background: '#ffffff' }).png().toBuffer();
    const out = await run(framed, 'trim the white border');
    assert.deepEqual([out.width, out.height], [40, 30]);
    await assert.rejects(run(await scene(), 'trim the borders'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit');
  });
  /** Blue sky over a brown table with a red cup on it: its top rows are one colour, but no border. */
  async function skyOverTable(w = 200, h = 150): Promise<Buffer> {
    const data = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const cup = x > w * 0.4 && x < w * 0.6 && y > h * 0.35 && y < h * 0.75;
      data.set(cup ? [210, 30, 30] : y < h * 0.6 ? [90, 150, 230] : [120 + ((x * 7 + y * 13) % 11), 80, 50], (y * w + x) * 3);
    }
    return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  }

  it('trim takes only a border that runs round the image: the sky at the top of a photo is not one', async () => {
    // It used to cut the top 53 rows: the sky matched the top-left pixel right across.
    await assert.rejects(run(await skyOverTable(), 'trim the white border'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /no #ffffff border/.test(e.message));
    await assert.rejects(run(await skyOverTable(), 'trim the borders'), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit');
  });

  it('trim needs a border along two opposite sides: a white sky over snow in both bottom corners is no border', async () => {
    // Corners all white, but only the top rows are white right across: the old rule cut the sky off.
    const w = 200, h = 150;
    const data = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const snow = y > h * 0.7 && (x < w * 0.2 || x > w * 0.8);
      const rock = y > h * 0.5 && !snow;
      data.set(y < h * 0.3 || snow ? [250, 250, 252] : rock ? [70 + ((x * 7 + y * 13) % 11), 66, 60] : [200, 215, 235], (y * w + x) * 3);
    }
    const snowy = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    for (const prompt of ['trim the border', 'entferne den Rand', 'trim the white border']) {
      await assert.rejects(run(snowy, prompt), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /only the top edge is one colour/.test(e.message), prompt);
    }
    // Bars on the left and right only (pillarbox) are a border.
    const pillared = await sharp(await scene(40, 30)).extend({ left: 7, right: 7, background: '#000000' }).png().toBuffer();
    const out = await run(pillared, 'trim the black border');
    assert.deepEqual([out.width, out.height], [40, 30]);
  });

  it('trim: black bars at the top and bottom are a border (they reach all four corners)', async () => {
    const barred = await sharp(await scene(40, 30)).extend({ top: 6, bottom: 6, background: '#000000' }).png().toBuffer();
    const out = await run(barred, 'trim the black bars');
    assert.deepEqual([out.width, out.height], [40, 30]);
  });

  it('trim with a named colour: only a border of that colour is trimmed', async () => {
    const { stepsFor, runSteps } = await import('../src/backends/local/engine.ts');
    const { EngineWorkers } = await import('../src/backends/local/worker-pool.ts');
    const workers = new EngineWorkers();
    const noSegmenter = { name: 'none', segment: () => Promise.reject(new Error('not used')) };
    // The plan as the parser gives it once it keeps the colour it reads ("the white border").
    const trimmed = async (image: Buffer, color: [number, number, number]) => {
      const plan = { ops: [{ op: 'trim' as const, color }], kept: [] };
      const request = await editRequest(image, 'trim the border');
      const ctx: EngineContext = { request, plan, maxPixels: limits.maxInputPixels, signal: new AbortController().signal, workers };
      await runSteps(ctx, stepsFor(plan, false, noSegmenter));
      return decode(ctx.output!.bytes);
    };
    try {
      const paper = await sharp(await scene(40, 30)).extend({ top: 10, bottom: 10, left: 10, right: 10, background: '#f4f1ea' }).png().toBuffer();
      assert.deepEqual([(await trimmed(paper, [255, 255, 255])).width, (await trimmed(paper, [255, 255, 255])).height], [40, 30], 'off-white paper is a white border');
      const black = await sharp(await scene(40, 30)).extend({ top: 10, bottom: 10, left: 10, right: 10, background: '#000000' }).png().toBuffer();
      await assert.rejects(trimmed(black, [255, 255, 255]), (e: unknown) => e instanceof RetouchError && /no #ffffff border/.test(e.message));
      await assert.rejects(trimmed(await skyOverTable(), [255, 255, 255]), (e: unknown) => e instanceof RetouchError && /no #ffffff border/.test(e.message));
    } finally {
      await workers.close();
    }
  });

  it('border: N px in the named colour', async () => {
    const out = await run(await scene(40, 30), 'add a 5px red border');
    assert.deepEqual([out.width, out.height], [50, 40]);
    assert.deepEqual(pixel(out, 2, 2).slice(0, 3), [255, 0, 0]);
    assert.deepEqual(pixel(out, 47, 37).slice(0, 3), [255, 0, 0]);
  });
  it('pad: transparent or coloured canvas on every side', async () => {
    const out = await run(await scene(40, 30), 'extend the canvas by 10 pixels with transparent padding');
    assert.deepEqual([out.width, out.height, out.channels], [60, 50, 4]);
    assert.equal(pixel(out, 3, 3)[3], 0);
    const white = await run(await scene(40, 30), 'add 4px of white padding');
    assert.deepEqual(pixel(white, 1, 1).slice(0, 3), [255, 255, 255]);
  });
});

describe('filters', () => {
  it('blur smooths a hard edge', async () => {
    const edge = await sharp(Buffer.from(Array.from({ length: 40 * 20 * 3 }, (_, i) => ((i / 3) % 40 < 20 ? 0 : 255))), { raw: { width: 40, height: 20, channels: 3 } }).png().toBuffer();
    const out = await run(edge, 'blur it');
    const v = pixel(out, 19, 10)[0]!;
    assert.ok(v > 20 && v < 235, `edge pixel ${v}`);
  });
  it('sharpen increases local contrast at an edge', async () => {
    const soft = await sharp(await scene()).blur(2).png().toBuffer();
    const before = await decode(soft);
    const out = await run(soft, 'sharpen the image');
    const spread = (d: Decoded) => Math.abs(pixel(d, 20, 28)[0]! - pixel(d, 20, 31)[0]!);
    assert.ok(spread(out) > spread(before));
  });
  it('denoise removes salt-and-pepper specks', async () => {
    const data = Buffer.alloc(30 * 30 * 3, 128);
    data.set([255, 255, 255], (15 * 30 + 15) * 3);
    const noisy = await sharp(data, { raw: { width: 30, height: 30, channels: 3 } }).png().toBuffer();
    assert.deepEqual(pixel(await run(noisy, 'remove the noise'), 15, 15), [128, 128, 128]);
  });
  it('pixelate makes uniform blocks', async () => {
    const out = await run(await scene(96, 64), 'pixelate it with 8px blocks');
    assert.deepEqual(pixel(out, 8, 8), pixel(out, 15, 15));
    assert.notDeepEqual(pixel(out, 8, 8), pixel(out, 16, 8));
  });
  it('vignette darkens corners, not the centre', async () => {
    const src = await solid(100, 100, [200, 200, 200]);
    const out = await run(src, 'add a vignette');
    assert.ok(luma(pixel(out, 2, 2)) < 170);
    assert.ok(luma(pixel(out, 50, 50)) > 195);
  });
});

describe('overlays', () => {
  const changed = (a: Decoded, b: Decoded, x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (pixel(a, x, y).some((v, i) => Math.abs(v - pixel(b, x, y)[i]!) > 8)) n++;
    return n;
  };
  it("text is drawn only in the named region: 'SALE' top right", async () => {
    const src = await solid(200, 200, [40, 90, 160]);
    const before = await decode(src);
    const out = await run(src, "add the text 'SALE' in the top right corner");
    assert.ok(changed(before, out, 100, 0, 200, 100) > 50, 'text drawn top right');
    assert.equal(changed(before, out, 0, 100, 200, 200), 0, 'nothing in the bottom half');
    assert.equal(changed(before, out, 0, 0, 90, 100), 0, 'nothing top left');
  });
  it('text keeps its case and its "and"', async () => {
    const { parsePrompt } = await import('../src/backends/local/parse/index.ts');
    assert.deepEqual(parsePrompt('add the text "Fish and Chips" at the bottom in red and make it brighter').ops[0], {
      op: 'text', text: 'Fish and Chips', position: 'bottom', color: [255, 0, 0],
    });
  });
  it('a watermark is translucent and bottom-right by default', async () => {
    const src = await solid(200, 200, [0, 0, 0]);
    const before = await decode(src);
    const out = await run(src, "add a watermark 'DRAFT' with 30% opacity");
    assert.ok(changed(before, out, 100, 100, 200, 200) > 30);
    assert.equal(changed(before, out, 0, 0, 200, 100), 0);
    let brightest = 0;
    for (let y = 100; y < 200; y++) for (let x = 100; x < 200; x++) brightest = Math.max(brightest, pixel(out, x, y)[0]!);
    assert.ok(brightest < 120, `30% white over black stays dark: ${brightest}`);
  });
});
