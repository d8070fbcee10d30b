import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { RetouchError } from '../src/errors.ts';
import { decode } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

async function run(image: Buffer, prompt: string) {
  const result = await runEdit(engine, image, prompt);
  return { out: await decode(result.images[0]!.bytes), headers: result.headers };
}

const W = 240, H = 180;
const ORANGE = [255, 136, 0];

/**
 * An orange disc with an anti-aliased edge (and a blue bar across its top edge) on full
 * transparency whose stored colour is black, as most editors write it: the colour a wrong
 * mask shows as a dark outline.
 */
async function cutout(): Promise<{ png: Buffer; rgba: Buffer }> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><circle cx="120" cy="95" r="60" fill="#ff8800"/></svg>`;
  const rgba = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer();
  for (let i = 0; i < W * H; i++) if (rgba[i * 4 + 3] === 0) rgba.fill(0, i * 4, i * 4 + 3);
  return { png: await sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer(), rgba };
}

describe('an upload that is already a cut-out: its transparency is the background', () => {
  for (const prompt of ['add a white background', 'ajoute un fond blanc']) {
    it(`"${prompt}": flattened onto white by the image's own alpha, with no dark fringe`, async () => {
      const { png, rgba } = await cutout();
      const { out, headers } = await run(png, prompt);
      assert.equal(headers?.['x-retouch-segmenter'], 'alpha');
      let edge = 0;
      for (let i = 0; i < W * H; i++) {
        const a = rgba[i * 4 + 3]!;
        const got = [...out.data.subarray(i * out.channels, i * out.channels + 3)];
        if (out.channels === 4) assert.equal(out.data[i * out.channels + 3], 255, 'opaque');
        // Over white, every pixel lies between the disc's colour and white, channel by channel.
        got.forEach((v, c) => assert.ok(v >= Math.min(ORANGE[c]!, 255) - 3, `pixel ${i % W},${Math.floor(i / W)} (alpha ${a}) is ${got}: darker than orange and white`));
        // And it is the exact flatten: colour·α + white·(1 − α).
        const want = ORANGE.map((o) => Math.round(o * (a / 255) + 255 * (1 - a / 255)));
        got.forEach((v, c) => assert.ok(Math.abs(v - want[c]!) <= 3, `pixel ${i % W},${Math.floor(i / W)}: ${got}, want ${want}`));
        if (a > 0 && a < 255) edge++;
      }
      assert.ok(edge > 100, `the disc has a soft edge to check (${edge} pixels)`);
    });
  }

  it('blurring, greying or removing a transparent background is a 400, not the image back', async () => {
    const { png } = await cutout();
    for (const prompt of ['blur the background', 'remove the background', 'make the background black and white', 'pixelate the background']) {
      await assert.rejects(run(png, prompt), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && /transparent/.test(e.message), prompt);
    }
  });

  it('an opaque photo with an alpha band, or one turned so its corners are transparent, is still segmented', async () => {
    const { png } = await cutout();
    const opaque = await sharp(png).flatten({ background: '#2060a0' }).ensureAlpha().png().toBuffer();
    assert.equal((await run(opaque, 'make the background white')).headers?.['x-retouch-segmenter'], 'grabcut');
    const rgb = await sharp(png).flatten({ background: '#2060a0' }).png().toBuffer();
    assert.equal((await run(rgb, 'rotate 30 degrees and make the background white')).headers?.['x-retouch-segmenter'], 'grabcut');
  });
});
