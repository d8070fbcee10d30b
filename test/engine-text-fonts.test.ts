import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { textFonts } from '../src/backends/local/fonts.ts';
import { RetouchError } from '../src/errors.ts';
import { localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

const W = 1200, H = 800;
const grey = () => sharp({ create: { width: W, height: H, channels: 3, background: { r: 110, g: 110, b: 110 } } }).png().toBuffer();

const run = (image: Buffer, prompt: string) => runEdit(engine, image, prompt);

interface Mask { data: Uint8Array; width: number; height: number }

/** Pixels of the text's fill colour (the outline drawn under it is another colour), cropped to their bounding box. */
async function inkOf(png: Buffer, isInk: (p: number[]) => boolean): Promise<Mask> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let [x0, y0, x1, y1] = [info.width, info.height, -1, -1];
  const at = (x: number, y: number) => isInk([...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)]);
  for (let y = 0; y < info.height; y++) for (let x = 0; x < info.width; x++) if (at(x, y)) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  assert.ok(x1 >= 0, 'no ink at all');
  const width = x1 - x0 + 1, height = y1 - y0 + 1;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = at(x0 + x, y0 + y) ? 1 : 0;
  return { data: mask, width, height };
}

/** The string drawn straight from the CJK font's glyph outlines (no font lookup, no fallback): what real glyphs look like. */
async function outlines(text: string): Promise<Buffer> {
  const font = textFonts().find((f) => f.font.hasGlyphForCodePoint(0x65b0))!.font;
  let x = 0;
  const paths = [...text].map((ch) => {
    const glyph = font.glyphForCodePoint(ch.codePointAt(0)!);
    const d = glyph.path.translate(x, 0).toSVG();
    x += glyph.advanceWidth;
    return `<path d="${d}"/>`;
  });
  const em = font.unitsPerEm;
  return sharp(Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(x / em * 100) + 20}" height="140">
    <rect width="100%" height="100%" fill="#000"/><g transform="translate(10 110) scale(${100 / em} ${-100 / em})" fill="#fff">${paths.join('')}</g></svg>`)).png().toBuffer();
}

/** Intersection over union of two ink masks, the second scaled onto the first's box. */
async function overlap(a: Mask, b: Mask): Promise<number> {
  const scaled = await sharp(Buffer.from(b.data.map((v) => v * 255)), { raw: { width: b.width, height: b.height, channels: 1 } })
    .resize(a.width, a.height, { fit: 'fill' }).extractChannel(0).raw().toBuffer();
  let both = 0, either = 0;
  a.data.forEach((v, i) => { const w = scaled[i]! > 127 ? 1 : 0; both += v & w; either += v | w; });
  return both / either;
}

describe('text in Chinese and Japanese is drawn with real glyphs from the bundled fonts', () => {
  const cases: Array<[string, string, (p: number[]) => boolean]> = [
    ['在右下角加上红色文字"新品"', '新品', ([r, g, b]) => r! - g! > 100 && r! - b! > 100],
    ['左下に白い文字で「夏休み」と入れて', '夏休み', ([r, g, b]) => r! > 190 && g! > 190 && b! > 190],
  ];
  for (const [prompt, text, isInk] of cases) {
    it(`"${prompt}": the ink has the shape of the font's glyphs for "${text}", not boxes`, async () => {
      const result = await run(await grey(), prompt);
      assert.match(result.revisedPrompt!, new RegExp(`add text "${text}"`));
      const drawn = await inkOf(result.images[0]!.bytes, isInk);
      const truth = await inkOf(await outlines(text), ([v]) => v! > 127);
      const score = await overlap(drawn, truth);
      // Real glyphs score about 0.92; the boxes of hex digits a host without a CJK font drew, about 0.3.
      assert.ok(score > 0.75, `the drawn ink matches the glyph outlines with IoU ${score.toFixed(2)}`);
    });
  }

  it('Latin text (with accents) is drawn by the bundled Noto Sans, on any host', async () => {
    const result = await run(await grey(), "add the text 'Größe' at the top in red");
    const drawn = await inkOf(result.images[0]!.bytes, ([r, g, b]) => r! > 200 && g! < 70 && b! < 70);
    assert.ok(drawn.width > 60 && drawn.height > 15, `ink ${drawn.width}x${drawn.height}`);
    assert.equal(textFonts()[0]!.family, 'Noto Sans');
  });

  it('text with a character no bundled font has (emoji, Hangul) is a 400 naming it', async () => {
    for (const [prompt, named] of [["add the text 'Party 🎉' at the top", /"🎉" \(U\+1F389\)/], ["add the text '세일' at the bottom", /"세" \(U\+C138\), "일" \(U\+C77C\)/]] as const) {
      await assert.rejects(run(await grey(), prompt), (e: unknown) => e instanceof RetouchError && e.code === 'unsupported_edit' && named.test(e.message), prompt);
    }
  });
});

describe('text that is wider than the image', () => {
  it('is drawn smaller to fit between the margins, not cut off at the edges', async () => {
    const W2 = 600, H2 = 900;
    const blue = await sharp({ create: { width: W2, height: H2, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toBuffer();
    const out = await run(blue, "add the text 'Grand opening sale this weekend only' in the center");
    const { data, info } = await sharp(out.images[0]!.bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    let left = W2, right = -1;
    for (let y = 0; y < H2; y++) for (let x = 0; x < W2; x++) {
      const i = (y * W2 + x) * info.channels;
      if (data[i]! > 240 && data[i + 1]! > 240 && data[i + 2]! > 240) { left = Math.min(left, x); right = Math.max(right, x); }
    }
    assert.ok(right > left, 'the text was drawn');
    assert.ok(left >= 10 && right <= W2 - 10, `the white ink spans x ${left}–${right}, inside the margins of a ${W2} px image`);
    assert.ok(right - left > W2 * 0.6, `and it is as large as fits (${right - left} px wide)`);
  });

  it('longer than 500 characters is refused before any drawing, with its length', async () => {
    const blue = await sharp({ create: { width: 600, height: 400, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toBuffer();
    await assert.rejects(run(blue, `add the text '${'A'.repeat(3000)}' at the bottom`),
      (err: RetouchError) => err.code === 'unsupported_edit' && /3000 characters long; .* up to 500 characters/.test(err.message));
  });

  it('is refused when it would fit only below a legible size', async () => {
    const tiny = await sharp({ create: { width: 5, height: 5, channels: 3, background: { r: 90, g: 140, b: 200 } } }).png().toBuffer();
    await assert.rejects(run(tiny, "add the text 'HI' in the center"), (err: RetouchError) => err.code === 'unsupported_edit' && /does not fit this 5x5 image legibly/.test(err.message));
  });
});
