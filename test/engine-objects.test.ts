import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { parsePrompt } from '../src/backends/local/parse/index.ts';
import { GrabCutSegmenter } from '../src/backends/local/segment/grabcut.ts';
import { maskObjects, ONE_OBJECT_SHARE } from '../src/backends/local/segment/objects.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { RetouchError } from '../src/errors.ts';
import { toRaster } from '../src/images/raster.ts';
import { decode, pixel } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';
import { bottleScene, tableScene } from './helpers/scenes.ts';

/**
 * A thing named by a noun alone is looked for as the subject, which on a table of a ball, a cup and a
 * book is all three: outside QA saw "make the ball blue" turn the cup blue (the largest, so the main
 * colour) and "black and white except the cup" keep the ball and book in colour too. Such an edit is
 * refused when the subject mask is several objects; named with its colour, the thing is found by it.
 *
 * Measured (largest piece's share of the mask, GrabCut / IS-Net): the table 0.45 / 0.46 (3 pieces);
 * the tests' ball, bottle, wide product and portrait scenes, QA's bottle and portrait 1.00 with
 * GrabCut; IS-Net 1.00 on all but bottleScene's default busy palette (0.57, 4 pieces).
 */
const engine = localEngine();
const workers = new EngineWorkers();
after(() => { engine.close(); void workers.close?.(); });

const severalObjects = (thing: string) => (e: unknown) =>
  e instanceof RetouchError && e.code === 'unsupported_edit' && e.message.includes(`"the ${thing}"`) && /3 separate objects/.test(e.message);

describe('a thing named by a noun on a photo of several objects', () => {
  it('the table scene\'s subject mask is three objects, a single bottle one', async () => {
    const seg = new GrabCutSegmenter(workers);
    const table = await maskObjects(await seg.segment(await toRaster(sharp((await tableScene()).jpeg)), new AbortController().signal));
    assert.equal(table.objects, 3);
    assert.ok(table.largestShare < 0.6, `largest ${table.largestShare}`);
    const bottle = await maskObjects(await seg.segment(await toRaster(sharp((await bottleScene({ plain: [235, 235, 235], bottle: [40, 130, 60], label: [240, 230, 200] })).png)), new AbortController().signal));
    assert.ok(bottle.largestShare >= ONE_OBJECT_SHARE, `largest ${bottle.largestShare}`);
  });

  it('names the kept object in the plan', () => {
    assert.deepEqual(parsePrompt('make it black and white except the cup').ops, [{ op: 'background', action: 'grayscale', object: 'cup' }]);
    assert.deepEqual(parsePrompt('make it black and white except the subject').ops, [{ op: 'background', action: 'grayscale' }]);
  });

  for (const [prompt, thing] of [['make the ball blue', 'ball'], ['make the book yellow', 'book'], ['make the ball blue and the cup red', 'ball'],
    ['make the cup red and the ball blue', 'cup'], ['make it black and white except the cup', 'cup']] as const) {
    it(`refuses "${prompt}"`, async () => {
      await assert.rejects(runEdit(engine, (await tableScene()).jpeg, prompt), severalObjects(thing));
    });
  }

  it('"make the orange ball purple" still recolours only the ball', async () => {
    const src = (await tableScene()).jpeg;
    const before = await decode(src);
    const out = await decode((await runEdit(engine, src, 'make the orange ball purple')).images[0]!.bytes);
    const [r, g, b] = pixel(out, 250, 330) as [number, number, number];
    assert.ok(b > g + 40 && r > g + 20, `ball centre ${[r, g, b]}`);
    for (const [x, y, what] of [[590, 330, 'cup'], [825, 400, 'book'], [100, 100, 'wall'], [480, 560, 'table']] as const) {
      const was = pixel(before, x, y), now = pixel(out, x, y);
      assert.ok(was.every((v, k) => Math.abs(v - now[k]!) <= 12), `${what} ${was} → ${now}`);
    }
  });
});

describe('a thing named by a noun on a photo of one object', () => {
  it('"make the bottle blue" recolours the bottle', async () => {
    const { png, w, h } = await bottleScene({ plain: [235, 235, 235], bottle: [40, 130, 60], label: [240, 230, 200] });
    const out = await decode((await runEdit(engine, png, 'make the bottle blue')).images[0]!.bytes);
    const [r, g, b] = pixel(out, Math.round(w / 2), Math.round(h * 0.75)) as [number, number, number];
    assert.ok(b > r + 40 && b > g + 40, `bottle ${[r, g, b]}`);
  });
});
