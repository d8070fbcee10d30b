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
