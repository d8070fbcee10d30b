import sharp from 'sharp';

/** Width and height of a 4:3 image of about `mp` megapixels. */
export function dims43(mp: number): [number, number] {
  const w = Math.round(Math.sqrt((mp * 1e6 * 4) / 3));
  return [w, Math.round((w * 3) / 4)];
}

/** A photo-like image: smooth gradients plus noise (what users upload), as JPEG or PNG. */
export async function photo(w: number, h: number, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  let seed = 7;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = (seed >> 16) % 24;
    const i = (y * w + x) * 3;
    data[i] = (x * 255) / w * 0.8 + n;
    data[i + 1] = (y * 255) / h * 0.7 + n;
    data[i + 2] = 120 + 60 * Math.sin(x / 90) + n;
  }
  const p = sharp(data, { raw: { width: w, height: h, channels: 3 } });
  return format === 'jpeg' ? p.jpeg({ quality: 90 }).toBuffer() : p.png({ compressionLevel: 6 }).toBuffer();
}
