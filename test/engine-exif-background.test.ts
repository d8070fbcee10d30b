/**
 * Background edits on EXIF-rotated photos: the subject mask is found on the pixels as shown (EXIF
 * orientation applied) and laid over those same pixels.
 *
 * Why: a QA report had "make the background white" on a scene tagged orientation 8 keep a book on the
 * table only as a faint ghost, where the untagged scene kept it whole, which looked like a mask made in
 * one orientation and applied in the other. It was not: the tagged file's result is pixel for pixel the
 * result for a file that stores the shown pixels without a tag, and the ghost came from IS-Net itself
 * seeing the scene turned on its side. These tests keep the orientation path honest for every step of
 * a background edit (decode, segment, background), so a difference that shows up only on a turned
 * photo can be put down to the segmenter, not to the engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decode, type Decoded, pixel } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';
import { tableScene } from './helpers/scenes.ts';

const engine = localEngine();
after(() => engine.close());

/** The QA scene (tableScene: a wall, a brown table, an orange ball, a green cup, a blue book at x 740–910, y 380–420), at 480×320. */
async function uprightScene(): Promise<Buffer> {
  return sharp((await tableScene(1)).jpeg).resize(480, 320).jpeg({ quality: 95 }).toBuffer();
}

/** Where a point (x, y) of the 480×320 upright picture is shown under each EXIF orientation. */
const shownAt: Record<number, (x: number, y: number) => [number, number]> = {
  1: (x, y) => [x, y],
  3: (x, y) => [479 - x, 319 - y],
  6: (x, y) => [319 - y, x],
  8: (x, y) => [y, 479 - x],
};

/** Points of the upright 480×320 picture: inside the book, the ball, the cup; on the wall. */
const POINTS = { book: [412, 200], ball: [125, 165], cup: [295, 170], wall: [30, 30] } as const;

describe('background edit on an EXIF-rotated photo', () => {
  let upright: Buffer;
  let uprightOut: Decoded;
  before(async () => {
    upright = await uprightScene();
    uprightOut = await decode((await runEdit(engine, upright, 'make the background white')).images[0]!.bytes);
  });

  it('the upright photo keeps the book, the ball and the cup, and whitens the wall', () => {
    const [bookR, bookG, bookB] = pixel(uprightOut, ...POINTS.book);
    assert.ok(bookB! > 120 && bookR! < 90, `book ${[bookR, bookG, bookB]}`);
    assert.ok(pixel(uprightOut, ...POINTS.ball)[0]! > 200 && pixel(uprightOut, ...POINTS.ball)[2]! < 120, `ball ${pixel(uprightOut, ...POINTS.ball)}`);
    assert.deepEqual(pixel(uprightOut, ...POINTS.wall).slice(0, 3), [255, 255, 255]);
  });

  for (const orientation of [3, 6, 8]) {
    it(`orientation ${orientation}: the result is the upright result turned the same way, and what a file of the shown pixels gives`, async () => {
      const tagged = await sharp(upright).withMetadata({ orientation }).jpeg({ quality: 95 }).toBuffer();
      // The same shown pixels, stored turned and untagged (lossless, so the engine gets the very same raster).
      const untagged = await sharp(tagged).autoOrient().png().toBuffer();
      const whiten = async (f: Buffer) => decode((await runEdit(engine, f, 'make the background white')).images[0]!.bytes);
      const [a, b] = await Promise.all([whiten(tagged), whiten(untagged)]);
      const quarter = orientation === 6 || orientation === 8;
      assert.deepEqual([a.width, a.height], quarter ? [320, 480] : [480, 320]);
      assert.deepEqual([b.width, b.height], [a.width, a.height]);
      assert.ok(a.data.equals(b.data), 'the tagged file and the untagged file of the same shown pixels give different results');
      for (const [name, [x, y]] of Object.entries(POINTS)) {
        const got = pixel(a, ...shownAt[orientation]!(x, y)).slice(0, 3);
        const want = pixel(uprightOut, x, y).slice(0, 3);
        assert.ok(got.every((v, k) => Math.abs(v! - want[k]!) <= 40), `${name}: ${got} where the upright photo gives ${want}`);
      }
    });
  }
});
