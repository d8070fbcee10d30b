import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { decode, pixel } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';

// Which pixels a recolour takes is a colour judgement: only the colour named, all of it, and
// smoothly. Scenes as an outside QA run drew them (SVG, saved as JPEG with its noise and
// half-resolution colour), where the engine used to answer with a wrong image.

const engine = localEngine();
after(() => engine.close());

/** 800×533: a beige wall, a brown table (#8a5a34) at y ≥ 330, a red cup (#c8201c) and a green cup (#2a8a30). */
const twoCups = () => sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="533"><rect width="800" height="533" fill="#d8cbb5"/><rect y="330" width="800" height="203" fill="#8a5a34"/>
<rect x="150" y="200" width="150" height="170" rx="12" fill="#c8201c"/><rect x="500" y="200" width="150" height="170" rx="12" fill="#2a8a30"/></svg>`)).jpeg().toBuffer();

/** 900×600: a sky gradient (#7fb2e5 at the top, paler downwards; the band ends at y 300), grass, a road, a blue car with light-blue windows. */
const car = () => sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600">
<defs><linearGradient id="s" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7fb2e5"/><stop offset="1" stop-color="#d9ecfa"/></linearGradient>
<linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#6a6a6a"/><stop offset="1" stop-color="#3a3a3a"/></linearGradient>
<radialGradient id="b" cx="0.4" cy="0.3" r="0.8"><stop offset="0" stop-color="#3d6fd6"/><stop offset="1" stop-color="#12307a"/></radialGradient></defs>
<rect width="900" height="380" fill="url(#s)"/><rect y="380" width="900" height="220" fill="url(#g)"/>
<rect x="0" y="300" width="900" height="80" fill="#4a7a3a"/>
<path d="M200 420 L260 330 L560 320 L660 400 L760 410 L760 470 L180 470 Z" fill="url(#b)"/>
<rect x="300" y="340" width="110" height="50" fill="#cfe6f7"/><rect x="430" y="340" width="110" height="50" fill="#cfe6f7"/>
<circle cx="300" cy="475" r="45" fill="#111"/><circle cx="640" cy="475" r="45" fill="#111"/>
<circle cx="300" cy="475" r="18" fill="#999"/><circle cx="640" cy="475" r="18" fill="#999"/></svg>`)).jpeg({ quality: 88 }).toBuffer();

/** A mask over the car scene's sky: transparent (edit) in the top 300 rows, opaque below. */
const skyMask = () => sharp({ create: { width: 900, height: 600, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 255 } } })
  .composite([{ input: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="900" height="600"><rect width="900" height="300" fill="black"/></svg>'), blend: 'dest-out' }])
  .png().toBuffer();

const edit = async (image: Buffer, prompt: string, mask?: Buffer) => decode((await runEdit(engine, image, prompt, {}, mask)).images[0]!.bytes);
const maxDiff = (a: number[], b: number[]) => Math.max(...[0, 1, 2].map((c) => Math.abs(a[c]! - b[c]!)));

describe('which pixels a recolour takes', () => {
  it('"change red to blue": the red cup turns blue, the brown table, the beige wall and the green cup stay', async () => {
    const src = await twoCups();
    const before = await decode(src);
    const out = await edit(src, 'change red to blue');
    const cup = pixel(out, 225, 285);
    assert.ok(cup[2]! > 150 && cup[0]! < 60 && cup[1]! < 60, `red cup not blue: ${cup}`);
    // Brown is not red: before the fix (50,450) went from #8a5a34 to (39,25,193).
    for (const [x, y] of [[50, 450], [400, 500], [750, 340], [400, 100], [575, 285]] as const) {
      assert.ok(maxDiff(pixel(out, x, y), pixel(before, x, y)) <= 3, `(${x},${y}) changed: ${pixel(before, x, y)} → ${pixel(out, x, y)}`);
    }
  });

  describe('"change blue to green" on a sky gradient', async () => {
    const src = await car();
    const before = await decode(src);
    const out = await edit(src, 'change blue to green');
    it('recolours the sky all the way down, pale blue included', () => {
      // Before the fix the recolour stopped at y ≈ 263 in a hard edge, leaving the paler sky light blue.
      for (const x of [50, 450, 850]) for (let y = 0; y < 298; y += 4) {
        const p = pixel(out, x, y);
        assert.ok(p[1]! > p[0]! + 60 && p[1]! > p[2]! + 60, `sky (${x},${y}) not green: ${pixel(before, x, y)} → ${p}`);
      }
    });
    it('keeps a smooth sky smooth: no step between rows much larger than the input\'s', () => {
      // Before the fix, rows 60–79 of column 50 rose smoothly in the input but jumped between
      // 130, 111, 131 and 116 in the output's blue channel.
      for (const x of [50, 450, 850]) for (let y = 1; y < 296; y++) {
        const stepIn = maxDiff(pixel(before, x, y), pixel(before, x, y - 1));
        const stepOut = maxDiff(pixel(out, x, y), pixel(out, x, y - 1));
        assert.ok(stepOut <= stepIn + 3, `column ${x}, rows ${y - 1}–${y}: input step ${stepIn}, output step ${stepOut} (${pixel(out, x, y - 1)} → ${pixel(out, x, y)})`);
      }
    });
    it('leaves the grass, the road and the grey hub caps', () => {
      for (const [x, y] of [[50, 340], [850, 360], [50, 550], [300, 475], [640, 475]] as const) {
        assert.ok(maxDiff(pixel(out, x, y), pixel(before, x, y)) <= 3, `(${x},${y}) changed: ${pixel(before, x, y)} → ${pixel(out, x, y)}`);
      }
    });
  });

  it('a mask over the sky with "make the sky purple": the whole masked sky turns purple, nothing outside it changes', async () => {
    const src = await car();
    const before = await decode(src);
    const out = await edit(src, 'make the sky purple', await skyMask());
    // Before the fix only y < 263 turned purple; the paler sky inside the mask stayed light blue.
    for (const x of [10, 450, 890]) for (let y = 0; y < 300; y += 3) {
      const p = pixel(out, x, y);
      assert.ok(p[0]! > p[1]! + 60 && p[2]! > p[1]! + 60, `masked sky (${x},${y}) not purple: ${pixel(before, x, y)} → ${p}`);
    }
    for (const [x, y] of [[50, 340], [450, 420], [350, 360], [50, 550]] as const) {
      assert.deepEqual(pixel(out, x, y).slice(0, 3), pixel(before, x, y).slice(0, 3), `(${x},${y}) outside the mask`);
    }
  });
});
