/**
 * The engine runs decode → operation → encode as one sharp pipeline when it can (pixels.ts). These
 * tests hold the fused path to the same answers as the step-by-step one: every input kind reports
 * its decoded shape truthfully, and orientation, alpha, chained operations and corrupt data behave
 * exactly as when each step materialises its pixels.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { RetouchError } from '../src/errors.ts';
import { probeImage } from '../src/images/input.ts';
import { decodeImage } from '../src/images/raster.ts';
import { card, decode, exifRotatedJpeg, pixel, solid } from './helpers/images.ts';
import { limits, localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

async function run(image: Buffer, prompt: string, fields: Record<string, string> = {}, mask?: Buffer) {
  return decode((await runEdit(engine, image, prompt, fields, mask)).images[0]!.bytes);
}

/** A photo-like RGB image: gradients and texture, so resampling and filters change real values. */
async function photo(w = 90, h = 70): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    data.set([(x * 255) / w, (y * 255) / h, 128 + 100 * Math.sin((x + y) / 5)], (y * w + x) * 3);
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

const maxDiff = (a: Buffer, b: Buffer) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('fused pipelines', () => {
  it('every input kind reports the shape its decode really has (or none, and is decoded first)', async () => {
    const rgb = await photo(20, 12);
    const inputs: Record<string, Buffer> = {
      'RGB PNG': rgb,
      'RGBA PNG': await solid(20, 12, [10, 200, 30], 'png', 128),
      'palette PNG': await sharp(rgb).png({ palette: true }).toBuffer(),
      'grey PNG': await sharp(Buffer.alloc(240, 90), { raw: { width: 20, height: 12, channels: 1 } }).png().toBuffer(),
      'grey+alpha PNG': await sharp(Buffer.alloc(480, 90), { raw: { width: 20, height: 12, channels: 2 } }).png().toBuffer(),
      '16-bit PNG': await sharp(rgb).toColourspace('rgb16').png().toBuffer(),
      'CMYK JPEG': await sharp(rgb).toColourspace('cmyk').jpeg().toBuffer(),
      'EXIF-rotated JPEG': await exifRotatedJpeg(),
      'WEBP with alpha': await solid(20, 12, [10, 200, 30], 'webp', 100),
    };
    for (const [name, bytes] of Object.entries(inputs)) {
      const probed = await probeImage(bytes, limits.maxInputPixels);
      const decoded = await decodeImage(probed, limits.maxInputPixels);
      assert.deepEqual([probed.width, probed.height], [decoded.width, decoded.height], name);
      if (probed.decodedChannels !== undefined) assert.equal(probed.decodedChannels, decoded.channels, name);
    }
  });

  it('a tone edit gives the same pixels fused as step by step (a mask that covers everything forces steps)', async () => {
    const image = await photo();
    const everywhere = await solid(90, 70, [0, 0, 0], 'png', 0);
    for (const prompt of ['make it black and white', 'make it sepia', 'increase the brightness by 20%', 'more contrast', 'make it warmer', 'invert the colors', 'blur it', 'sharpen it', 'add a vignette', 'more vivid']) {
      const fused = await run(image, prompt);
      const stepwise = await run(image, prompt, {}, everywhere);
      assert.deepEqual([fused.width, fused.height, fused.channels], [stepwise.width, stepwise.height, stepwise.channels], prompt);
      assert.ok(maxDiff(fused.data, stepwise.data) <= 1, `${prompt}: fused and step-by-step differ by ${maxDiff(fused.data, stepwise.data)}`);
    }
  });

  it('EXIF orientation is applied before a rotation in the same pipeline', async () => {
    // The card is 64x48 landscape; orientation 6 shows it as 48x64 with the green corner top-right.
    const out = await run(await exifRotatedJpeg(), 'rotate 90 degrees');
    assert.deepEqual([out.width, out.height], [64, 48]);
    // Shown: green top-right; rotated 90° clockwise again it ends bottom-right.
    const g = pixel(out, 60, 44);
    assert.ok(g[1]! > 200 && g[0]! < 60 && g[2]! < 60, `green corner after orientation + rotation: ${g}`);
  });

  it('a transparent PNG edited to JPEG is flattened onto white after the edit, as step by step', async () => {
    const half = await sharp({ create: { width: 40, height: 20, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: await solid(20, 20, [200, 40, 40]), left: 0, top: 0 }]).png().toBuffer();
    const out = await run(half, 'make it sepia', { output_format: 'jpeg' });
    assert.equal(out.format, 'jpeg');
    const bg = pixel(out, 35, 10);
    assert.ok(bg.every((v) => v >= 250), `transparent area should be white, not sepia-toned: ${bg}`);
    const fg = pixel(out, 5, 10);
    assert.ok(fg[0]! > fg[1]! && fg[1]! > fg[2]!, `subject is sepia: ${fg}`);
  });

  it('chained operations run in the order asked, across pipelines', async () => {
    const out = await run(await card(64, 48), 'rotate 90 degrees, add a 4px white border and make it black and white');
    assert.deepEqual([out.width, out.height], [56, 72]);
    assert.deepEqual(pixel(out, 0, 0), [255, 255, 255], 'border is white');
    // The green corner (top-left) moved top-right by the rotation, then greyed: luma of pure green.
    const g = pixel(out, 4 + 48 - 3, 4 + 2);
    assert.ok(Math.abs(g[0]! - 182) <= 2 && g[0] === g[1] && g[1] === g[2], `grey green corner: ${g}`);
  });

  it('a request size is fitted inside the same pipeline', async () => {
    const out = await run(await card(64, 48), 'flip horizontally', { size: '32x32' });
    assert.deepEqual([out.width, out.height], [32, 32]);
  });

  it('a crop keeps the interesting part: the window is chosen on a preview and cut from full pixels', async () => {
    // A bright textured patch near the right edge of a dull 1600x600 image; crop to square.
    const w = 1600, h = 600;
    const data = Buffer.alloc(w * h * 3, 40);
    for (let y = 200; y < 400; y++) for (let x = 1300; x < 1500; x++) data.set((x + y) % 16 < 8 ? [255, 220, 0] : [220, 20, 60], (y * w + x) * 3);
    const image = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const out = await run(image, 'crop to square');
    assert.deepEqual([out.width, out.height], [600, 600]);
    // The window is 600 wide and must hold the whole patch (x 1300..1500): it starts in 900..1000.
    // Full-resolution pixels: the patch's stripes are exact, not resampled.
    let patch = 0;
    for (let x = 0; x < 600; x++) if (pixel(out, x, 300)[0]! >= 220) patch++;
    assert.equal(patch, 200, 'the whole 200-pixel patch is in the crop');
    const edge = [...Array(600).keys()].find((x) => pixel(out, x, 300)[0]! >= 220)!;
    // Source pixel (1300, 300): (1300 + 300) % 16 = 0, a yellow stripe, unchanged.
    assert.deepEqual(pixel(out, edge, 300), [255, 220, 0]);
  });

  it('scaling an odd-sized image keeps every row and column (rounding is not a crop)', async () => {
    // 200x101 grey with a black frame two pixels wide: halving gives 100x51, and any crop (a window
    // 198 wide, say) would lose the frame on one side.
    const w = 200, h = 101;
    const data = Buffer.alloc(w * h * 3, 128);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      if (x < 2 || x >= w - 2 || y < 2 || y >= h - 2) data.set([0, 0, 0], (y * w + x) * 3);
    }
    const out = await run(await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer(), 'scale to 50%');
    assert.deepEqual([out.width, out.height], [100, 51]);
    for (const [x, y] of [[0, 25], [99, 25], [50, 0], [50, 50]] as const) {
      assert.ok(pixel(out, x, y)[0]! < 40, `frame still black at (${x}, ${y}): ${pixel(out, x, y)}`);
    }
  });

  it('a crop of an EXIF-rotated photo is taken in the orientation shown', async () => {
    const out = await run(await exifRotatedJpeg(), 'crop to square');
    // Shown 48x64 (portrait): the square is 48x48.
    assert.deepEqual([out.width, out.height], [48, 48]);
  });

  it('corrupt pixel data behind a good header is a 400 naming the image, not a 500', async () => {
    const jpeg = await sharp(await photo(400, 300)).jpeg().toBuffer();
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
    await assert.rejects(run(truncated, 'make it black and white'), (e: unknown) => {
      assert.ok(e instanceof RetouchError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.param, 'image');
      return true;
    });
  });
});
