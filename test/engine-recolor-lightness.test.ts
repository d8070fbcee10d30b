import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { decode, pixel } from './helpers/images.ts';
import { localEngine, runEdit } from './helpers/engine.ts';

const engine = localEngine();
after(() => engine.close());

const W = 480, H = 360;
/** The cup's body, and where the light falls on it: lit at x = 220, in shadow towards its right edge. */
const BODY = { x0: 180, x1: 300, y0: 100, y1: 280 };
const shadeAt = (x: number) => 0.45 + 0.55 * Math.max(0, Math.cos(((x - 220) / 90) * (Math.PI / 2)));

/** A red cup lit from the left, with a handle, on a light textured background. */
async function cup(): Promise<Buffer> {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const n = ((x * 7 + y * 13) % 17) - 8;
    const body = x >= BODY.x0 && x < BODY.x1 && y >= BODY.y0 && y < BODY.y1;
    const handle = Math.abs(Math.hypot(x - 315, y - 190) - 30) < 6 && x >= BODY.x1;
    const s = shadeAt(Math.min(x, BODY.x1));
    data.set(body || handle ? [200 * s, 30 * s, 35 * s].map(Math.round) : [200 + n, 205 + n, 210 + n], (y * W + x) * 3);
  }
  return sharp(data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer();
}

const luminance = ([r, g, b]: number[]) => {
  const lin = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
};
/** CIE lightness L* (0–100) of an sRGB pixel: how light it looks. */
const lightness = (p: number[]) => {
  const y = luminance(p);
  return y > 216 / 24389 ? 116 * Math.cbrt(y) - 16 : (24389 / 27) * y;
};
const hue = ([r, g, b]: number[]) => {
  const max = Math.max(r!, g!, b!), d = max - Math.min(r!, g!, b!);
  if (d === 0) return 0;
  const h = max === r ? ((g! - b!) / d) % 6 : max === g ? (b! - r!) / d + 2 : (r! - g!) / d + 4;
  return (h * 60 + 360) % 360;
};

/** The cup after a prompt: its mean lightness and colour over the body, and its lit and shadowed columns. */
async function recoloured(prompt: string) {
  const out = await decode((await runEdit(engine, await cup(), prompt)).images[0]!.bytes);
  const column = (x: number) => {
    const ps = Array.from({ length: 100 }, (_, i) => pixel(out, x, BODY.y0 + 40 + i));
    return [0, 1, 2].map((c) => ps.reduce((a, p) => a + p[c]!, 0) / ps.length);
  };
  let sumL = 0, count = 0;
  const sum = [0, 0, 0];
  for (let y = BODY.y0 + 10; y < BODY.y1 - 10; y += 2) for (let x = BODY.x0 + 10; x < BODY.x1 - 10; x += 2) {
    const p = pixel(out, x, y);
    sumL += lightness(p);
    p.slice(0, 3).forEach((v, c) => { sum[c]! += v; });
    count++;
  }
  return { lightness: sumL / count, mean: sum.map((v) => Math.round(v / count)), lit: column(220), shadow: column(290) };
}

describe('a recolour takes the target colour\'s lightness, and keeps the thing\'s shading', () => {
  const ratio = (c: { lit: number[]; shadow: number[] }) => luminance(c.lit) / luminance(c.shadow);
  const sourceRatio = (200 ** 2.2) / ((200 * shadeAt(290)) ** 2.2);

  it('"cambia la taza roja a azul marino": a navy cup is dark blue, far darker than a plain blue one', async () => {
    const navy = await recoloured('cambia la taza roja a azul marino');
    const blue = await recoloured('make the red cup blue');
    for (const c of [navy, blue]) assert.ok(Math.abs(hue(c.mean) - 240) < 15, `not blue: ${c.mean}`);
    assert.ok(navy.lightness < blue.lightness - 10, `navy L* ${navy.lightness.toFixed(1)} ${navy.mean}, blue L* ${blue.lightness.toFixed(1)} ${blue.mean}`);
    assert.ok(Math.max(...navy.mean) < 150, `navy is dark: ${navy.mean}`);
    // The shading is the source's: its lit side as many times brighter than its shadowed side.
    for (const c of [navy, blue]) assert.ok(Math.abs(ratio(c) / sourceRatio - 1) < 0.2, `lit/shadow ${ratio(c).toFixed(2)}, source ${sourceRatio.toFixed(2)}`);
  });

  it('a light target comes out light, a dark one dark, with the same hue and the shading in the same places', async () => {
    const light = await recoloured('make the red cup light blue');
    const dark = await recoloured('make the red cup navy');
    const pink = await recoloured('make the red cup light pink');
    assert.ok(light.lightness > dark.lightness + 40, `light blue L* ${light.lightness.toFixed(1)} ${light.mean}, navy L* ${dark.lightness.toFixed(1)} ${dark.mean}`);
    assert.ok(pink.lightness > 80, `light pink L* ${pink.lightness.toFixed(1)} ${pink.mean}`);
    assert.ok(pink.mean[0]! > pink.mean[1]! + 10, `light pink is pink: ${pink.mean}`);
    // A light colour under strong light is compressed, not bleached: the lit side still lighter than the shadowed one, and not white.
    for (const c of [light, pink]) {
      assert.ok(ratio(c) > 1.15, `lit ${c.lit.map(Math.round)} vs shadow ${c.shadow.map(Math.round)}`);
      assert.ok(Math.min(...c.lit) < 250, `the lit side is bleached: ${c.lit.map(Math.round)}`);
    }
  });
});
