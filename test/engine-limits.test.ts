/**
 * The local engine's limits and refusals: the deadline and a client leaving answer at once, output
 * sizes are checked from the plan before any pixel work, and an edit that cannot be done whole is a
 * 400 rather than an image that leaves part of the prompt out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { LocalBackend } from '../src/backends/local/index.ts';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import type { Segmenter, SubjectMask } from '../src/backends/local/segment/index.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { RetouchError } from '../src/errors.ts';
import { jpegClaims } from './corpus/cases.ts';
import { decode, pixel } from './helpers/images.ts';
import { editRequest, limits } from './helpers/engine.ts';

const workers = new EngineWorkers();
after(() => workers.close());

const requestFor = (image: Buffer, prompt: string, mask?: Buffer, format = 'png') => editRequest(image, prompt, { output_format: format }, mask);

const isError = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof RetouchError, `not a RetouchError: ${e}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

/** A segmenter stuck in work that does not listen to the abort signal, as a libvips call is. */
class StuckSegmenter implements Segmenter {
  readonly name = 'stuck';
  /** Whether the step got here (the engine may stop before it, between steps). */
  hasEntered = false;
  private enter: () => void = () => {};
  readonly entered = new Promise<void>((r) => { this.enter = r; });
  /** Ends the stuck work, now or, when called before the step got here, as soon as it does. */
  release: () => void = () => {};
  private readonly released = new Promise<void>((r) => { this.release = r; });
  async segment(image: { width: number; height: number }): Promise<SubjectMask> {
    this.hasEntered = true;
    this.enter();
    await this.released;
    return { data: Buffer.alloc(image.width * image.height, 255), width: image.width, height: image.height, channels: 1 };
  }
}

describe('the deadline and a client leaving', () => {
  const photo = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
  // The engine's worker threads are started (and their modules loaded) before anything is timed:
  // on a loaded machine that took longer than the 150 ms deadline below, which then passed before
  // the stuck step was reached, and the step, reached later, was never released.
  before(async () => {
    await new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4 }, workers)
      .edit(await requestFor(await photo(), 'make it black and white'), { model: 'retouch-local-1', signal: new AbortController().signal });
  });

  it('the deadline answers 504 on time even while a step cannot be interrupted; the slot stays held until the work ends', async () => {
    const stuck = new StuckSegmenter();
    // A deadline of 1 s, not 150 ms: on a loaded machine the steps before the stuck one took longer
    // than 150 ms, and the deadline passed before the step it is about began.
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4, timeoutMs: 1000 }, workers, stuck);
    // The request is made and its prompt parsed once before the clock starts: only the edit is
    // timed. The first parse in a process compiles the lexicons, which took seconds on a loaded
    // machine (answered after 4-7 s under load), all before the edit's deadline even starts.
    const request = await requestFor(await photo(), 'remove the background');
    parsePrompt(request.prompt);
    const started = Date.now();
    const edit = engine.edit(request, { model: 'retouch-local-1', signal: new AbortController().signal });
    await assert.rejects(edit, isError('edit_timeout'));
    assert.ok(Date.now() - started < 1000 + 850, `answered after ${Date.now() - started} ms, the deadline being 1000 ms`);
    assert.ok(stuck.hasEntered, 'the deadline passed while the step was stuck, not before it began');
    // The work is still running: its slot is honestly still taken, and given back when it ends.
    assert.equal(engine.slotsInUse, 1);
    stuck.release();
    for (const end = Date.now() + 30_000; engine.slotsInUse > 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
    assert.equal(engine.slotsInUse, 0, 'the slot given back within 30 s of the step ending');
  });

  it('an edit holds the slots of the largest image its plan makes, not of its upload', async () => {
    // 10x10 framed by 3000px is 6010x6010 (36 MP): two slots of 25 MP, though the upload is tiny.
    const stuck = new StuckSegmenter();
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4, timeoutMs: 60_000 }, workers, stuck);
    const tiny = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#336699' } }).png().toBuffer();
    const client = new AbortController();
    const edit = engine.edit(await requestFor(tiny, 'remove the background and add a 3000px border'), { model: 'retouch-local-1', signal: client.signal });
    await stuck.entered;
    assert.equal(engine.slotsInUse, 2);
    client.abort();
    await assert.rejects(edit, isError('request_cancelled'));
    stuck.release();
  });

  it('a client that leaves gets its answer at once, not when the stuck step ends', async () => {
    const stuck = new StuckSegmenter();
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4, timeoutMs: 60_000 }, workers, stuck);
    const client = new AbortController();
    const edit = engine.edit(await requestFor(await photo(), 'remove the background'), { model: 'retouch-local-1', signal: client.signal });
    await stuck.entered;
    client.abort();
    const started = Date.now();
    await assert.rejects(edit, isError('request_cancelled'));
    assert.ok(Date.now() - started < 500);
    stuck.release();
  });
});

/**
 * The reporter's photo, drawn: blue sky over a brown table, a red cup standing on it in the middle
 * (x 0.4–0.6 of the width, y 0.35–0.75 of the height), faint texture on the table and cup.
 */
export async function cupPhoto(w = 800, h = 600): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const n = ((x * 7 + y * 13) % 11) - 5;
    const cup = x > w * 0.4 && x < w * 0.6 && y > h * 0.35 && y < h * 0.75;
    data.set(cup ? [210 + n, 30, 30] : y < h * 0.6 ? [90, 150, 230] : [120 + n, 80 + n, 50], (y * w + x) * 3);
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
}

/** An 8x8 JPEG whose header claims another size: any decode of it fails, so only header-time checks pass it. */
const claims = async (w: number, h: number) => jpegClaims(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).jpeg().toBuffer(), w, h);
const onePixel = () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer();

describe('output sizes are checked from the plan, before any pixel work', () => {
  const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4 }, workers);
  const edit = async (image: Buffer, prompt: string, format = 'png') =>
    engine.edit(await requestFor(image, prompt, undefined, format), { model: 'retouch-local-1', signal: new AbortController().signal });

  it('"add a 100000px border" on 800x600 is refused at once, naming the limit', async () => {
    // Drawn and parsed before the clock starts: only the refusal is timed.
    const photo = await cupPhoto();
    parsePrompt('add a 100000px border');
    const started = Date.now();
    await assert.rejects(edit(photo, 'add a 100000px border'), isError('unsupported_edit', /800x600 gives 200800x200600; each side must be from 1 to 8192 pixels/));
    assert.ok(Date.now() - started < 500, `refused after ${Date.now() - started} ms`);
  });

  it('is refused from the header alone: an upload whose pixel data is damaged is never decoded for it', async () => {
    await assert.rejects(edit(await claims(800, 600), 'add a 100000px border'), isError('unsupported_edit'));
  });

  it('"add a 5000px red border" on a 1x1 image would be 10001x10001: refused', async () => {
    await assert.rejects(edit(await onePixel(), 'add a 5000px red border'), isError('unsupported_edit', /1x1 gives 10001x10001; each side must be from 1 to 8192/));
  });

  it('a border or padding beyond 8192 a side is unsupported_edit, not a valid upload blamed as corrupt', async () => {
    await assert.rejects(edit(await cupPhoto(), 'add a 8200px red border'), isError('unsupported_edit', /8192/));
    await assert.rejects(edit(await cupPhoto(), 'extend the canvas by 9000 pixels'), isError('unsupported_edit', /800x600 gives 18800x18600/));
  });

  it('the configured pixel limit holds for outputs too', async () => {
    const small = new LocalBackend(1_000_000, { concurrency: 1, queue: 1 }, workers);
    const request = await requestFor(await cupPhoto(), 'add a 300px border');
    await assert.rejects(small.edit(request, { model: 'retouch-local-1', signal: new AbortController().signal }),
      isError('unsupported_edit', /gives 1400x1200 \(1\.7 MP\); the result may have at most 1\.0 MP/));
  });

  it('a rotation by an odd angle grows the canvas: checked too', async () => {
    await assert.rejects(edit(await claims(8000, 6000), 'rotate it 30 degrees'), isError('unsupported_edit', /Rotating 8000x6000 by 30 degrees gives 9928x9196/));
  });

  it('a result too wide for the output format is a 400 naming the format, not a corrupt upload', async () => {
    // 17000x50 is a valid upload (0.85 MP); WebP holds 16383 a side, and its encoder failed inside
    // the pipeline that still decoded the upload, which was blamed as "corrupt or truncated".
    const wide = await sharp({ create: { width: 17000, height: 50, channels: 3, background: '#336699' } }).png().toBuffer();
    await assert.rejects(edit(wide, 'make it black and white', 'webp'), isError('invalid_value', /WEBP holds at most 16383 pixels a side/));
  });

  it('a border that fits is still drawn', async () => {
    const out = await edit(await onePixel(), 'add a 100px red border');
    assert.deepEqual([out.images[0]!.width, out.images[0]!.height], [201, 201]);
  });

  it('a 0px border or padding asks for nothing: refused like every no-op, not a 1px frame', async () => {
    await assert.rejects(edit(await cupPhoto(), 'add a 0px border'), isError('unsupported_edit', /0px border adds nothing/));
    await assert.rejects(edit(await cupPhoto(), 'extend the canvas by 0 pixels'), isError('unsupported_edit', /0px padding adds nothing/));
  });
});

describe('a client mask that leaves the edit nowhere to go', () => {
  const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4 }, workers);
  const W = 400, H = 300;
  /** Opaque (kept) everywhere but a transparent (editable) rectangle in the middle 40%. */
  const centreOnly = () => {
    const rgba = Buffer.alloc(W * H * 4);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const centre = x >= W * 0.3 && x < W * 0.7 && y >= H * 0.3 && y < H * 0.7;
      rgba[(y * W + x) * 4 + 3] = centre ? 0 : 255;
    }
    return sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
  };
  const edit = async (prompt: string, mask: Buffer) =>
    engine.edit(await requestFor(await cupPhoto(W, H), prompt, mask), { model: 'retouch-local-1', signal: new AbortController().signal });

  it('text placed outside the editable area is refused, not silently left out', async () => {
    // It used to answer 200 with not one pixel changed: the mask step put the original back over the text.
    await assert.rejects(edit("add the text 'HI' in the top left", await centreOnly()), isError('unsupported_edit', /outside the area the mask leaves editable/));
  });

  it('text inside the editable area is drawn there, and only there', async () => {
    const out = await decode((await edit("add the text 'HI' in the center", await centreOnly())).images[0]!.bytes);
    const src = await decode(await cupPhoto(W, H));
    let inside = 0, outside = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      if (!pixel(out, x, y).slice(0, 3).some((v, i) => Math.abs(v - pixel(src, x, y)[i]!) > 8)) continue;
      if (x >= W * 0.3 && x < W * 0.7 && y >= H * 0.3 && y < H * 0.7) inside++;
      else outside++;
    }
    assert.ok(inside > 100, `text drawn in the centre: ${inside} pixels`);
    assert.equal(outside, 0);
  });

  it('a mask opaque everywhere leaves nothing to edit: 400 invalid_mask, whatever the prompt', async () => {
    const opaque = await sharp({ create: { width: W, height: H, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 1 } } }).png().toBuffer();
    for (const prompt of ['make it black and white', "add the text 'HI' in the center", 'blur it']) {
      await assert.rejects(edit(prompt, opaque), isError('invalid_mask', /leaves nothing to edit/), prompt);
    }
  });

  it('an edit that changes nothing inside the editable area is refused: corners darkened where the mask keeps them', async () => {
    await assert.rejects(edit('darken the corners', await centreOnly()), isError('unsupported_edit', /changes nothing in the area the mask leaves editable/));
  });
});

describe('edits that would change nothing', () => {
  const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4 }, workers);
  const edit = async (image: Buffer, prompt: string) =>
    engine.edit(await requestFor(image, prompt), { model: 'retouch-local-1', signal: new AbortController().signal });

  it('a single pixel has no background, corners or 16:9 crop: refused before any pixel work', async () => {
    for (const prompt of ['blur the background', 'darken the corners', 'blur it', "add the text 'HI'"]) {
      await assert.rejects(edit(await onePixel(), prompt), isError('unsupported_edit', /single pixel \(1x1\)/), prompt);
    }
    await assert.rejects(edit(await onePixel(), 'crop to 16:9'), isError('unsupported_edit', /Cropping 1x1 to 16:9 gives 1x1, which is not 16:9/));
  });

  it('edits of each pixel alone still work on a single pixel', async () => {
    const out = await decode((await edit(await onePixel(), 'invert the colors')).images[0]!.bytes);
    assert.deepEqual(pixel(out, 0, 0), [127, 127, 127]);
  });

  it('a small image is cropped as near the ratio as whole pixels allow', async () => {
    const small = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#123456' } }).png().toBuffer();
    const out = await edit(small, 'crop to 16:9');
    assert.deepEqual([out.images[0]!.width, out.images[0]!.height], [10, 6]);
  });

  it('a resize to the size the image already has is the answer asked for, not a refusal', async () => {
    const out = await edit(await cupPhoto(), 'make it 600px tall');
    assert.deepEqual([out.images[0]!.width, out.images[0]!.height], [800, 600]);
  });
});
