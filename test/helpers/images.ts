import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

type RGB = [number, number, number];

/** A solid-colour image in a given format. */
export async function solid(width: number, height: number, rgb: RGB, format: 'png' | 'jpeg' | 'webp' = 'png', alpha?: number) {
  const channels = alpha === undefined ? 3 : 4;
  const background = { r: rgb[0], g: rgb[1], b: rgb[2], ...(alpha === undefined ? {} : { alpha: alpha / 255 }) };
  const img = sharp({ create: { width, height, channels, background } });
  return format === 'png' ? img.png().toBuffer() : format === 'jpeg' ? img.jpeg({ quality: 95 }).toBuffer() : img.webp({ lossless: true }).toBuffer();
}

/**
 * A test card with known pixels: left half red, right half blue, top-left 8x8 corner green. Any flip,
 * rotation or crop moves these in a way a test can check exactly.
 */
export async function card(width = 64, height = 48): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const rgb: RGB = x < 8 && y < 8 ? [0, 255, 0] : x < width / 2 ? [255, 0, 0] : [0, 0, 255];
      data.set(rgb, i);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** A JPEG whose stored pixels are landscape but whose EXIF orientation (6) says "rotate 90° clockwise". */
export async function exifRotatedJpeg(): Promise<Buffer> {
  return sharp(await card(64, 48)).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
}

export interface Decoded { data: Buffer; width: number; height: number; channels: number; format: string | undefined }

/** Decodes any image to raw pixels for pixel-level assertions. */
export async function decode(bytes: Buffer): Promise<Decoded> {
  const meta = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels, format: meta.format };
}

export function pixel(img: Decoded, x: number, y: number): number[] {
  const i = (y * img.width + x) * img.channels;
  return [...img.data.subarray(i, i + img.channels)];
}

/**
 * A real decompression bomb: a valid 1-bit greyscale PNG of width×height whose pixel data is all zero,
 * so it is a few hundred KB on disk but width×height pixels once decoded.
 */
export function pngBomb(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(typed));
    return Buffer.concat([len, typed, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale
  const rowBytes = 1 + Math.ceil(width / 8);
  const raw = Buffer.alloc(rowBytes * height); // filter byte 0 and zero pixels on every row
  const idat = deflateSync(raw, { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** The first bytes of a GIF89a (a complete 1x1 GIF). */
export const GIF_1x1 = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/** An animated (2-frame) WEBP made by sharp. */
export async function animatedWebp(): Promise<Buffer> {
  const frames = await Promise.all(['#f00', '#00f'].map((c) => sharp({ create: { width: 8, height: 8, channels: 3, background: c } }).png().toBuffer()));
  return sharp(frames, { join: { animated: true } }).webp().toBuffer();
}

/**
 * A synthetic photo of `width`×`height` from a function of (x, y) to RGB, seen through a gain per
 * channel (`cast`: a colour cast), with deterministic grain of ±`grain` from `seed`: the same
 * pixels on every run.
 */
export async function synthPhoto(width: number, height: number, at: (x: number, y: number) => RGB,
  o: { grain: number; seed: number; cast?: RGB }): Promise<Buffer> {
  let seed = o.seed;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
  const cast = o.cast ?? [1, 1, 1];
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const grain = noise() * o.grain;
    at(x, y).forEach((v, c) => { data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v * cast[c]! + grain))); });
  }
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}
