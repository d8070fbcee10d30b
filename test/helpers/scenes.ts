import sharp from 'sharp';

/**
 * A synthetic scene with exact ground truth for segmentation: a shaded red ball (radius 0.27·H, lit
 * from the top left) centred on a textured grey-blue background with a faint checker.
 */
export async function ballScene(w = 480, h = 360) {
  const data = Buffer.alloc(w * h * 3);
  const truth = new Uint8Array(w * h);
  const r = h * 0.27;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    if (Math.hypot(x - w / 2, y - h / 2) < r) {
      truth[i] = 1;
      const shade = 1 - 0.45 * ((x - w / 2 + y - h / 2) / (2 * r) + 0.5);
      data.set([230 * shade, 40 * shade, 35 * shade].map(Math.round), i * 3);
    } else {
      const n = ((x * 7 + y * 13) % 29) - 14 + (((x >> 4) + (y >> 4)) % 2) * 10;
      data.set([110 + n, 125 + n, 140 + n], i * 3);
    }
  }
  const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return { png, data, truth, w, h };
}

/** Intersection over union of a mask (≥ 128 = subject) against ground truth. */
export function iou(mask: Uint8Array | Buffer, truth: Uint8Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < truth.length; i++) {
    const m = mask[i]! >= 128 ? 1 : 0;
    if (m && truth[i]) inter++;
    if (m || truth[i]) union++;
  }
  return inter / union;
}

/**
 * A wide product photo: a shaded red ellipse 480x180 px centred in a 640x360 photo over texture. A
 * square crop of it must either cut the product or keep it whole.
 */
export async function wideProductScene(w = 640, h = 360, rgb: [number, number, number] = [225, 35, 30]) {
  const data = Buffer.alloc(w * h * 3);
  const rx = w * 0.375, ry = h * 0.25;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    const d = ((x - w / 2) / rx) ** 2 + ((y - h / 2) / ry) ** 2;
    if (d < 1) {
      const shade = 1 - 0.35 * ((y - h / 2) / ry + 1) / 2;
      data.set(rgb.map((v) => Math.round(v * shade)), i * 3);
    } else {
      const n = ((x * 7 + y * 13) % 29) - 14 + (((x >> 4) + (y >> 4)) % 2) * 10;
      data.set([120 + n, 130 + n, 140 + n], i * 3);
    }
  }
  const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return { png, w, h };
}

type RGB = [number, number, number];

/** Deterministic pseudo-random numbers in [0, 1) from a seed (the same scene on every run). */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

/**
 * A bottle (shoulders, neck, cap and a label) standing in the middle of a product photo. The backdrop
 * is busy by default: bold vertical stripes with large circles over them, in `palette`'s colours (the
 * failure seen in blind evaluations had the bottle in the backdrop's colours); or a plain studio
 * colour, lit a little brighter at the top.
 */
export async function bottleScene(o: { w?: number; h?: number; bottle?: RGB; label?: RGB; palette?: RGB[]; plain?: RGB; seed?: number } = {}) {
  const w = o.w ?? 480, h = o.h ?? 640;
  const palette = o.palette ?? [[225, 40, 45], [245, 240, 230], [30, 45, 110], [250, 200, 40]];
  const bottle = o.bottle ?? [245, 240, 230];
  const label = o.label ?? [225, 40, 45];
  const rand = rng(o.seed ?? 5);
  const stripe = Math.round(w / 12);
  const circles = Array.from({ length: 14 }, () => ({ x: rand() * w, y: rand() * h, r: (0.06 + rand() * 0.1) * w, c: Math.floor(rand() * palette.length) }));
  const cx = w / 2, bodyTop = h * 0.38, bottom = h * 0.86, half = w * 0.15, neck = w * 0.055, capTop = h * 0.14, neckTop = h * 0.2;
  const inBottle = (x: number, y: number) => {
    const dx = Math.abs(x - cx);
    if (y > bottom || y < capTop) return false;
    if (y >= bodyTop) return dx < half;
    if (y >= neckTop + h * 0.08) { const t = (y - neckTop - h * 0.08) / (bodyTop - neckTop - h * 0.08); return dx < neck + (half - neck) * Math.sin((t * Math.PI) / 2); }
    return dx < neck;
  };
  const data = Buffer.alloc(w * h * 3);
  const truth = new Uint8Array(w * h);
  const noise = rng((o.seed ?? 5) + 1);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    let c: RGB;
    if (inBottle(x, y)) {
      truth[i] = 1;
      const dx = (x - cx) / half;
      const shade = 0.72 + 0.28 * Math.cos(dx * 1.3) + (Math.abs(dx + 0.45) < 0.06 ? 0.15 : 0);
      const base = y < neckTop ? [40, 40, 45] as RGB : y > h * 0.52 && y < h * 0.7 ? label : bottle;
      c = base.map((v) => v * shade) as RGB;
    } else {
      const circle = circles.find((k) => Math.hypot(x - k.x, y - k.y) < k.r);
      c = o.plain ? o.plain.map((v) => v * (1.03 - 0.08 * (y / h))) as RGB
        : circle ? palette[circle.c]! : palette[Math.floor(x / stripe) % 2 === 0 ? 0 : 1]!;
    }
    const g = (noise() - 0.5) * 10;
    data.set(c.map((v) => Math.max(0, Math.min(255, Math.round(v + g)))), i * 3);
  }
  const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return { png, data, truth, w, h };
}

/**
 * A head-and-shoulders portrait: a face, dark hair and a neck over a shirt that fills the bottom of
 * the frame, in front of a plain wall. With `shirt` close to `wall` the shirt is hard to tell from it.
 */
export async function portraitScene(o: { w?: number; h?: number; wall?: RGB; shirt?: RGB; seed?: number } = {}) {
  const w = o.w ?? 480, h = o.h ?? 600;
  const wall = o.wall ?? [178, 172, 160];
  const shirt = o.shirt ?? [40, 70, 140];
  const skin: RGB = [225, 180, 150], hair: RGB = [50, 35, 25];
  const cx = w / 2, hy = h * 0.33, hrx = w * 0.14, hry = h * 0.15;
  const data = Buffer.alloc(w * h * 3);
  const truth = new Uint8Array(w * h);
  const noise = rng(o.seed ?? 9);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const i = y * w + x;
    const head = ((x - cx) / hrx) ** 2 + ((y - hy) / hry) ** 2 < 1;
    const hairCap = ((x - cx) / (hrx * 1.08)) ** 2 + ((y - hy + hry * 0.15) / (hry * 1.0)) ** 2 < 1 && y < hy - hry * 0.35;
    const neck = Math.abs(x - cx) < w * 0.06 && y > hy && y < h * 0.6;
    // Shoulders: an ellipse's upper half from y = 0.6·h, as wide as most of the frame.
    const body = y > h * 0.56 && ((x - cx) / (w * 0.42)) ** 2 + ((y - h * 1.02) / (h * 0.46)) ** 2 < 1;
    let c: RGB;
    if (hairCap) c = hair;
    else if (head || (neck && !body)) c = skin.map((v) => v * (1 - 0.25 * Math.max(0, (x - cx) / hrx))) as RGB;
    else if (body) { const fold = 0.9 + 0.1 * Math.sin(x / 9 + y / 30); c = shirt.map((v) => v * fold) as RGB; }
    else { const t = y / h; c = wall.map((v) => v * (1.04 - 0.1 * t)) as RGB; }
    if (hairCap || head || neck || body) truth[i] = 1;
    const g = (noise() - 0.5) * 8;
    data.set(c.map((v) => Math.max(0, Math.min(255, Math.round(v + g)))), i * 3);
  }
  const png = await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
  return { png, data, truth, w, h };
}

/**
 * Several objects on a table (outside QA's scene): 960×640, a wall gradient, a brown table from
 * y 400, an orange ball (centre 250,330, radius 95), a green cup with a handle (x 520–712,
 * y 250–420) and a blue book (x 740–910, y 380–420), noise ±9, JPEG quality 82. The segmenter's
 * foreground is all three, so a thing named by a noun alone ("the ball") cannot be told apart.
 */
export async function tableScene(seed = 3) {
  const w = 960, h = 640;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
<defs><linearGradient id="w" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#e9e1d0"/><stop offset="1" stop-color="#b8ae9a"/></linearGradient>
<linearGradient id="t" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7a4a28"/><stop offset="1" stop-color="#4e2c14"/></linearGradient>
<radialGradient id="b" cx="0.35" cy="0.35" r="0.7"><stop offset="0" stop-color="#ffb060"/><stop offset="1" stop-color="#d0600a"/></radialGradient>
<linearGradient id="c" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#1f7a2a"/><stop offset="0.5" stop-color="#3cb048"/><stop offset="1" stop-color="#1a6a22"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#w)"/><rect y="400" width="${w}" height="240" fill="url(#t)"/>
<circle cx="250" cy="330" r="95" fill="url(#b)"/>
<rect x="520" y="250" width="140" height="170" rx="10" fill="url(#c)"/><path d="M660 290 Q720 300 712 345 Q705 390 660 385" stroke="#2a8a34" stroke-width="18" fill="none"/>
<rect x="740" y="380" width="170" height="40" fill="#2848a8"/></svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).raw().toBuffer({ resolveWithObject: true });
  const noise = rng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + (noise() - 0.5) * 18)));
  const jpeg = await sharp(data, { raw: info }).jpeg({ quality: 82 }).toBuffer();
  return { jpeg, w, h };
}
