/**
 * The bad-input corpus: generated, never committed. Every case is built here from a few small
 * source images with seeded randomness, so the same cases come out on every machine, and
 * `npm run corpus` (scripts/bad-input-corpus.ts) writes them to test-output/corpus/ to look at.
 *
 * Expectations: `reject` must answer a 4xx envelope; `valid` must answer 200 with the given
 * display size and colours (EXIF orientation applied, colour converted to sRGB; `pixels` are the
 * card's known colours, independent of any decoder); `either` may be
 * a 4xx or a 200 (a flipped bit in entropy-coded data can still be a well-formed image), but never
 * a 5xx, and a 200 must hold an image of the size the header declares.
 */
import { crc32, deflateSync } from 'node:zlib';
import sharp, { type Sharp } from 'sharp';

type RGB = [number, number, number];

export interface PixelCheck {
  /** Position as fractions of the output's width and height. */
  at: [number, number];
  rgb: RGB;
}

export type Expectation =
  | { kind: 'reject'; codes?: string[] }
  | { kind: 'valid'; width: number; height: number; pixels?: PixelCheck[]; alpha?: boolean }
  | { kind: 'either'; width?: number; height?: number };

export interface CorpusCase {
  /** `group/name.ext`: also its path under test-output/corpus/. */
  name: string;
  bytes: Buffer;
  /** What the client claims; never trusted, sometimes a lie on purpose. */
  filename: string;
  contentType: string;
  expect: Expectation;
}

const RED: RGB = [255, 0, 0];
const BLUE: RGB = [0, 0, 255];
const GREEN: RGB = [0, 255, 0];

/** mulberry32: a small seeded PRNG, so every case reproduces. */
export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The test card as raw RGB: left half red, right half blue, top-left 8x8 green. */
function cardRaw(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    data.set(x < 8 && y < 8 ? GREEN : x < width / 2 ? RED : BLUE, (y * width + x) * 3);
  }
  return data;
}

const CARD_CHECKS: PixelCheck[] = [{ at: [0.05, 0.08], rgb: GREEN }, { at: [0.25, 0.6], rgb: RED }, { at: [0.75, 0.6], rgb: BLUE }];

/** A photo-like image (gradients and noise), so every part of the file carries image data. */
function photoRaw(width: number, height: number, seed = 7): Buffer {
  const data = Buffer.alloc(width * height * 3);
  const rand = rng(seed);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const n = rand() * 30;
    const i = (y * width + x) * 3;
    data[i] = (x * 200) / width + n;
    data[i + 1] = (y * 200) / height + n;
    data[i + 2] = 100 + 60 * Math.sin(x / 9) + n;
  }
  return data;
}

const raw = (data: Buffer, width: number, height: number, channels: 1 | 2 | 3 | 4 = 3) => sharp(data, { raw: { width, height, channels } });

// ---- PNG chunk surgery ---------------------------------------------------------------------

function pngChunk(type: string, body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(typed));
  return Buffer.concat([len, typed, sum]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IEND = pngChunk('IEND', Buffer.alloc(0));

/** A PNG's chunks as [type, body]. */
function pngChunks(png: Buffer): Array<[string, Buffer]> {
  const chunks: Array<[string, Buffer]> = [];
  for (let at = 8; at + 8 <= png.length;) {
    const len = png.readUInt32BE(at);
    chunks.push([png.toString('latin1', at + 4, at + 8), png.subarray(at + 8, at + 8 + len)]);
    at += 12 + len;
  }
  return chunks;
}

const buildPng = (chunks: Array<[string, Buffer]>) => Buffer.concat([PNG_SIGNATURE, ...chunks.map(([t, b]) => pngChunk(t, b))]);

/** The PNG with its IHDR rewritten by `edit` (CRC recomputed, so only the lie remains). */
function editIhdr(png: Buffer, edit: (ihdr: Buffer) => void): Buffer {
  return buildPng(pngChunks(png).map(([type, body]) => {
    if (type !== 'IHDR') return [type, body];
    const copy = Buffer.from(body);
    edit(copy);
    return [type, copy];
  }));
}

/** Inserts chunks right after IHDR. */
const withChunks = (png: Buffer, extra: Array<[string, Buffer]>) => {
  const [ihdr, ...rest] = pngChunks(png);
  return buildPng([ihdr!, ...extra, ...rest]);
};

/** A 1-bit grey PNG of width×height, all zero: a few hundred KB that decode to width×height pixels. */
function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const rows = Buffer.alloc((1 + Math.ceil(width / 8)) * height);
  return buildPng([['IHDR', ihdr], ['IDAT', deflateSync(rows, { level: 9 })], ['IEND', Buffer.alloc(0)]]);
}

// ---- JPEG and WebP surgery ----------------------------------------------------------------

/** The JPEG with its frame header (SOF0/SOF2) claiming another size. */
export function jpegClaims(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; i++) {
    if (out[i] === 0xff && (out[i + 1] === 0xc0 || out[i + 1] === 0xc2)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
  }
  throw new Error('no SOF marker');
}

/** A JPEG segment (APPn, COM) inserted after SOI. */
function jpegWithSegment(jpeg: Buffer, marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** A lossy WebP whose VP8 key-frame header claims another size. */
function webpClaims(webp: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(webp);
  const at = out.indexOf('VP8 ', 12, 'latin1');
  if (at < 0) throw new Error('not a lossy WebP');
  // Chunk header (8) + frame tag (3) + start code (3), then 14-bit width and height.
  out.writeUInt16LE(width & 0x3fff, at + 8 + 6);
  out.writeUInt16LE(height & 0x3fff, at + 8 + 8);
  return out;
}

/** A WebP cut to `length` with its RIFF size patched to match, so only the image data is short. */
function webpCutConsistently(webp: Buffer, length: number): Buffer {
  const out = Buffer.from(webp.subarray(0, length));
  if (out.length >= 8) out.writeUInt32LE(out.length - 8, 4);
  const vp8 = out.indexOf('VP8', 12, 'latin1');
  if (vp8 >= 0 && vp8 + 8 <= out.length) out.writeUInt32LE(Math.max(0, out.length - vp8 - 8), vp8 + 4);
  return out;
}

// ---- Other formats, hand-made ---------------------------------------------------------------

function bmp(width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * height, 0x80);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  return out;
}

function ico(): Buffer {
  const out = Buffer.alloc(22 + 40, 0);
  out.writeUInt16LE(1, 2);
  out.writeUInt16LE(1, 4);
  out[6] = 16; out[7] = 16;
  out.writeUInt32LE(40, 14);
  out.writeUInt32LE(22, 18);
  return out;
}

function zipOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(10, 4);
  header.writeUInt32LE(crc32(content), 14);
  header.writeUInt32LE(content.length, 18);
  header.writeUInt32LE(content.length, 22);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, Buffer.from(name), content]);
}

function gifBomb(): Buffer {
  // A GIF89a header and logical screen of 65535x65535, one empty image.
  const out = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
  out.writeUInt16LE(65535, 6);
  out.writeUInt16LE(65535, 8);
  return out;
}

// ---- EXIF orientation ---------------------------------------------------------------------

/** Where display pixel (x, y) is stored, for an image stored as sw×sh under orientation `o`. */
function storedAt(o: number, x: number, y: number, sw: number, sh: number): [number, number] {
  switch (o) {
    case 2: return [sw - 1 - x, y];
    case 3: return [sw - 1 - x, sh - 1 - y];
    case 4: return [x, sh - 1 - y];
    case 5: return [y, x];
    case 6: return [y, sh - 1 - x];
    case 7: return [sw - 1 - y, sh - 1 - x];
    case 8: return [sw - 1 - y, x];
    default: return [x, y];
  }
}

/** The card as a viewer shows it, stored so that EXIF orientation `o` is needed to show it so. */
function orientedCard(o: number, dw: number, dh: number): { data: Buffer; width: number; height: number } {
  const display = cardRaw(dw, dh);
  const swap = o >= 5;
  const sw = swap ? dh : dw;
  const sh = swap ? dw : dh;
  const stored = Buffer.alloc(sw * sh * 3);
  for (let y = 0; y < dh; y++) for (let x = 0; x < dw; x++) {
    const [sx, sy] = storedAt(o, x, y, sw, sh);
    display.copy(stored, (sy * sw + sx) * 3, (y * dw + x) * 3, (y * dw + x) * 3 + 3);
  }
  return { data: stored, width: sw, height: sh };
}

// ---- The corpus ---------------------------------------------------------------------------

const MIME: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', webp: 'image/webp' };

/** Builds every case. Deterministic; ~1 s. */
export async function buildCorpus(): Promise<CorpusCase[]> {
  const cases: CorpusCase[] = [];
  const add = (name: string, bytes: Buffer, expect: Expectation, contentType?: string) => {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    cases.push({ name, bytes, filename: name.slice(name.lastIndexOf('/') + 1), contentType: contentType ?? MIME[ext] ?? 'application/octet-stream', expect });
  };

  const W = 160;
  const H = 120;
  const photo = photoRaw(W, H);
  const sources: Record<string, Buffer> = {
    'png': await raw(photo, W, H).png().toBuffer(),
    'png-interlaced': await raw(photo, W, H).png({ progressive: true }).toBuffer(),
    'png-palette': await raw(photo, W, H).png({ palette: true }).toBuffer(),
    'jpeg-baseline': await raw(photo, W, H).jpeg({ quality: 90 }).toBuffer(),
    'jpeg-progressive': await raw(photo, W, H).jpeg({ quality: 90, progressive: true }).toBuffer(),
    'webp-lossy': await raw(photo, W, H).webp({ quality: 80 }).toBuffer(),
    'webp-lossless': await raw(photo, W, H).webp({ lossless: true }).toBuffer(),
  };
  const extOf = (source: string) => (source.startsWith('png') ? 'png' : source.startsWith('jpeg') ? 'jpg' : 'webp');

  // Truncated: cut at a fraction, plain or with the format's end put back (IEND, EOI, a RIFF size
  // that matches), so that only the image data is short.
  for (const [source, bytes] of Object.entries(sources)) {
    for (const fraction of [0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.97]) {
      const at = Math.floor(bytes.length * fraction);
      add(`truncated/${source}-${fraction * 100}.${extOf(source)}`, bytes.subarray(0, at), { kind: 'reject' });
      const ended = source.startsWith('png') ? Buffer.concat([bytes.subarray(0, at), IEND])
        : source.startsWith('jpeg') ? Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xd9])])
          : webpCutConsistently(bytes, at);
      add(`truncated/${source}-${fraction * 100}-ended.${extOf(source)}`, ended, { kind: 'reject' });
    }
  }

  // Bit-flipped: a few random bytes changed past the signature.
  const rand = rng(20261201);
  for (const [source, bytes] of Object.entries(sources)) {
    for (let n = 0; n < 12; n++) {
      const out = Buffer.from(bytes);
      const flips = 1 + Math.floor(rand() * 6);
      for (let i = 0; i < flips; i++) {
        const at = 16 + Math.floor(rand() * (out.length - 16));
        out[at] = out[at]! ^ (1 << Math.floor(rand() * 8));
      }
      add(`bitflip/${source}-${n}.${extOf(source)}`, out, { kind: 'either', width: W, height: H });
    }
  }

  // Empty, tiny and noise.
  const noise = Buffer.from(Array.from({ length: 2048 }, () => Math.floor(rand() * 256)));
  const tiny: Array<[string, Buffer]> = [
    ['zero-length.png', Buffer.alloc(0)], ['one-byte.png', Buffer.from([0x89])], ['png-signature-only.png', PNG_SIGNATURE],
    ['png-signature-and-ihdr.png', sources.png!.subarray(0, 33)], ['jpeg-soi-only.jpg', Buffer.from([0xff, 0xd8, 0xff])],
    ['jpeg-headers-only.jpg', sources['jpeg-baseline']!.subarray(0, 300)], ['riff-webp-header-only.webp', sources['webp-lossy']!.subarray(0, 16)],
    ['noise.png', noise], ['zeros.jpg', Buffer.alloc(4096)], ['text.png', Buffer.from('this is not an image\n')],
    ['png-signature-then-noise.png', Buffer.concat([PNG_SIGNATURE, noise])], ['jpeg-soi-then-noise.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), noise])],
  ];
  for (const [name, bytes] of tiny) add(`tiny/${name}`, bytes, { kind: 'reject' });

  // Renamed: other formats sent as PNG or JPEG; and real images under the wrong name (read from the bytes).
  const card = cardRaw(48, 32);
  const renamed: Array<[string, Buffer]> = [
    ['gif.png', await raw(card, 48, 32).gif().toBuffer()],
    ['tiff.png', await raw(card, 48, 32).tiff().toBuffer()],
    ['tiff-big-endian.jpg', Buffer.concat([Buffer.from([0x4d, 0x4d, 0x00, 0x2a]), Buffer.alloc(64)])],
    ['avif.png', await raw(card, 48, 32).avif({ effort: 0 }).toBuffer()],
    ['bmp.png', bmp(48, 32)], ['ico.png', ico()],
    ['svg.png', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10000" height="10000"><rect width="100%" height="100%"/></svg>')],
    ['svg-with-bom.webp', Buffer.from('\ufeff<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['pdf.png', Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n')],
    ['zip.png', zipOf('a.txt', Buffer.from('hello'))], ['html.jpg', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['json.png', Buffer.from('{"image": "data:image/png;base64,AAAA"}')],
  ];
  for (const [name, bytes] of renamed) add(`renamed/${name}`, bytes, { kind: 'reject' });
  const cardPng = await raw(card, 48, 32).png().toBuffer();
  const cardJpeg = await raw(card, 48, 32).jpeg({ quality: 95 }).toBuffer();
  const cardChecks = { kind: 'valid' as const, width: 48, height: 32, pixels: CARD_CHECKS };
  add('renamed/png-named-photo.jpg', cardPng, cardChecks, 'image/jpeg');
  add('renamed/jpeg-named-image.webp', cardJpeg, cardChecks, 'image/webp');
  add('renamed/webp-named-upload', await raw(card, 48, 32).webp({ lossless: true }).toBuffer(), cardChecks, 'application/octet-stream');

  // Polyglots: extra data after the end of an image is not the image's business; other formats
  // dressed in an image's magic bytes are.
  add('polyglot/png-then-zip.png', Buffer.concat([cardPng, zipOf('evil.js', Buffer.from('alert(1)'))]), cardChecks);
  add('polyglot/jpeg-then-html.jpg', Buffer.concat([cardJpeg, Buffer.from('<html><script>alert(1)</script></html>')]), cardChecks);
  add('polyglot/jpeg-comment-script.jpg', jpegWithSegment(cardJpeg, 0xfe, Buffer.from('<script>alert(1)</script>')), cardChecks);
  add('polyglot/png-text-chunk-html.png', withChunks(cardPng, [['tEXt', Buffer.from('Comment\0<html><script>alert(1)</script>')]]), cardChecks);
  add('polyglot/gifar.png', Buffer.concat([await raw(card, 48, 32).gif().toBuffer(), zipOf('META-INF/MANIFEST.MF', Buffer.from('x'))]), { kind: 'reject' });
  add('polyglot/png-signature-then-svg.png', Buffer.concat([PNG_SIGNATURE, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')]), { kind: 'reject' });
  add('polyglot/jpeg-soi-then-png.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), cardPng]), { kind: 'reject' });
  add('polyglot/riff-webp-then-png.webp', Buffer.concat([Buffer.from('RIFF\x00\x10\x00\x00WEBPVP8 ', 'latin1'), cardPng]), { kind: 'reject' });

  // Header lies: dimensions, depth or checksums that do not match the data.
  const photoPng = sources.png!;
  const photoJpeg = sources['jpeg-baseline']!;
  add('header-lie/png-claims-7000x7000.png', editIhdr(photoPng, (h) => { h.writeUInt32BE(7000, 0); h.writeUInt32BE(7000, 4); }), { kind: 'reject' });
  add('header-lie/png-claims-wider.png', editIhdr(photoPng, (h) => h.writeUInt32BE(W * 2, 0)), { kind: 'reject' });
  add('header-lie/png-claims-narrower.png', editIhdr(photoPng, (h) => h.writeUInt32BE(W / 2, 0)), { kind: 'either' });
  add('header-lie/png-claims-16-bit.png', editIhdr(photoPng, (h) => { h[8] = 16; }), { kind: 'reject' });
  add('header-lie/png-claims-palette.png', editIhdr(photoPng, (h) => { h[9] = 3; h[8] = 8; }), { kind: 'reject' });
  add('header-lie/png-zero-width.png', editIhdr(photoPng, (h) => h.writeUInt32BE(0, 0)), { kind: 'reject' });
  const badCrc = Buffer.from(photoPng);
  badCrc[29] = badCrc[29]! ^ 0xff; // IHDR's CRC
  add('header-lie/png-bad-ihdr-crc.png', badCrc, { kind: 'reject' });
  add('header-lie/jpeg-claims-7000x7000.jpg', jpegClaims(photoJpeg, 7000, 7000), { kind: 'reject' });
  add('header-lie/jpeg-progressive-claims-7000x7000.jpg', jpegClaims(sources['jpeg-progressive']!, 7000, 7000), { kind: 'reject' });
  add('header-lie/jpeg-claims-wider.jpg', jpegClaims(photoJpeg, W * 2, H), { kind: 'reject' });
  add('header-lie/jpeg-claims-smaller.jpg', jpegClaims(photoJpeg, W / 2, H / 2), { kind: 'either' });
  add('header-lie/jpeg-claims-zero-height.jpg', jpegClaims(photoJpeg, W, 0), { kind: 'reject' });
  add('header-lie/webp-claims-wider.webp', webpClaims(sources['webp-lossy']!, W * 2, H), { kind: 'reject' });
  add('header-lie/webp-riff-size-too-big.webp', (() => { const b = Buffer.from(sources['webp-lossy']!); b.writeUInt32LE(b.length * 4, 4); return b; })(), { kind: 'either' });

  // Bombs: small files that claim (or hold) huge images. The corpus app caps input at 16 MP.
  add('bomb/png-30000x30000.png', pngBomb(30000, 30000), { kind: 'reject', codes: ['image_too_large'] });
  add('bomb/png-5000x4000.png', pngBomb(5000, 4000), { kind: 'reject', codes: ['image_too_large'] });
  add('bomb/png-3000x2000-valid.png', pngBomb(3000, 2000), { kind: 'valid', width: 3000, height: 2000, pixels: [{ at: [0.5, 0.5], rgb: [0, 0, 0] }] });
  add('bomb/jpeg-claims-65500x65500.jpg', jpegClaims(photoJpeg, 65500, 65500), { kind: 'reject', codes: ['image_too_large'] });
  add('bomb/webp-claims-16383x16383.webp', webpClaims(sources['webp-lossy']!, 16383, 16383), { kind: 'reject', codes: ['image_too_large'] });
  add('bomb/gif-65535x65535.png', gifBomb(), { kind: 'reject' });
  add('bomb/tiff-claims-huge.png', (() => { const t = Buffer.alloc(64); t.write('II*\0', 0, 'latin1'); t.writeUInt32LE(8, 4); return t; })(), { kind: 'reject' });
  // Compressed metadata that inflates to 64 MB: must not be inflated into memory whole.
  const inflating = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  add('bomb/png-iccp-zlib-bomb.png', withChunks(cardPng, [['iCCP', Buffer.concat([Buffer.from('bomb\0\0'), inflating])]]), { kind: 'either', width: 48, height: 32 });
  add('bomb/png-ztxt-zlib-bomb.png', withChunks(cardPng, [['zTXt', Buffer.concat([Buffer.from('Comment\0\0'), inflating])]]), { kind: 'either', width: 48, height: 32 });
  add('bomb/png-10000-empty-idat.png', buildPng([pngChunks(cardPng)[0]!, ...Array.from({ length: 10000 }, () => ['IDAT', Buffer.alloc(0)] as [string, Buffer]), ...pngChunks(cardPng).slice(1)]), { kind: 'either', width: 48, height: 32 });
  add('bomb/png-5000-text-chunks.png', withChunks(cardPng, Array.from({ length: 5000 }, (_, i) => ['tEXt', Buffer.from(`k${i}\0${'v'.repeat(100)}`)] as [string, Buffer])), { kind: 'either', width: 48, height: 32 });

  // Animated: one frame is an edit, several are not.
  const frames = await Promise.all([RED, BLUE].map((c) => sharp({ create: { width: 16, height: 16, channels: 3, background: { r: c[0], g: c[1], b: c[2] } } }).png().toBuffer()));
  add('animated/webp-2-frames.webp', await sharp(frames, { join: { animated: true } }).webp().toBuffer(), { kind: 'reject' });
  add('animated/gif-2-frames.png', await sharp(frames, { join: { animated: true } }).gif().toBuffer(), { kind: 'reject' });
  // APNG: an acTL chunk and a second frame; decoders that do not know APNG show the first frame.
  const [apngIhdr, ...apngRest] = pngChunks(frames[0]!);
  const actl = Buffer.alloc(8); actl.writeUInt32BE(2, 0);
  add('animated/apng-2-frames.png', buildPng([apngIhdr!, ['acTL', actl], ...apngRest]), { kind: 'either', width: 16, height: 16 });

  // Valid but odd: colour spaces, depths, palettes, alpha, ICC profiles, sizes. Colours checked.
  const cardOf = (w: number, h: number) => raw(cardRaw(w, h), w, h);
  const valid = (name: string, bytes: Buffer, width = 48, height = 32, pixels: PixelCheck[] = CARD_CHECKS, alpha?: boolean) =>
    add(`valid/${name}`, bytes, { kind: 'valid', width, height, pixels, ...(alpha === undefined ? {} : { alpha }) });
  // Pure sRGB green and blue are outside the CMYK gamut, so only red is checked against the card.
  valid('cmyk.jpg', await cardOf(48, 32).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(), 48, 32, [CARD_CHECKS[1]!]);
  valid('cmyk-progressive.jpg', await cardOf(48, 32).toColourspace('cmyk').jpeg({ quality: 95, progressive: true }).toBuffer(), 48, 32, [CARD_CHECKS[1]!]);
  valid('rgb-16-bit.png', await cardOf(48, 32).toColourspace('rgb16').png().toBuffer());
  valid('rgba-16-bit.png', await cardOf(48, 32).ensureAlpha(0.5).toColourspace('rgb16').png().toBuffer(), 48, 32, CARD_CHECKS, true);
  // Grey levels depend on the conversion; the test compares them with a reference decode instead.
  const grey: PixelCheck[] = [];
  valid('grey.png', await cardOf(48, 32).toColourspace('b-w').png().toBuffer(), 48, 32, grey);
  valid('grey-16-bit.png', await cardOf(48, 32).toColourspace('grey16').png().toBuffer(), 48, 32, grey);
  valid('grey.jpg', await cardOf(48, 32).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer(), 48, 32, grey);
  valid('grey-alpha.png', await cardOf(48, 32).toColourspace('b-w').ensureAlpha(0.5).png().toBuffer(), 48, 32, grey, true);
  valid('grey-alpha.webp', await cardOf(48, 32).toColourspace('b-w').ensureAlpha(0.5).webp({ lossless: true }).toBuffer(), 48, 32, grey, true);
  valid('palette.png', await cardOf(48, 32).png({ palette: true }).toBuffer());
  valid('palette-2-colours.png', await cardOf(48, 32).png({ palette: true, colours: 4 }).toBuffer(), 48, 32, CARD_CHECKS.slice(1));
  valid('palette-transparent.png', await cardOf(48, 32).ensureAlpha(0.5).png({ palette: true }).toBuffer(), 48, 32, CARD_CHECKS, true);
  valid('rgba.png', await cardOf(48, 32).ensureAlpha(0.75).png().toBuffer(), 48, 32, CARD_CHECKS, true);
  valid('rgba.webp', await cardOf(48, 32).ensureAlpha(0.75).webp({ lossless: true }).toBuffer(), 48, 32, CARD_CHECKS, true);
  valid('interlaced.png', await cardOf(48, 32).png({ progressive: true }).toBuffer());
  valid('progressive.jpg', await cardOf(48, 32).jpeg({ quality: 95, progressive: true }).toBuffer());
  valid('chroma-444.jpg', await cardOf(48, 32).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer());
  valid('lossy.webp', await cardOf(48, 32).webp({ quality: 95 }).toBuffer());
  valid('p3-profile.png', await cardOf(48, 32).withIccProfile('p3').png().toBuffer(), 48, 32, []);
  valid('p3-profile.jpg', await cardOf(48, 32).withIccProfile('p3').jpeg({ quality: 95 }).toBuffer(), 48, 32, []);
  valid('srgb-profile.webp', await cardOf(48, 32).withIccProfile('srgb').webp({ lossless: true }).toBuffer());
  // Garbage where a profile should be: ignored or refused, never a 500.
  const junkProfile = Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), noise.subarray(0, 512)]);
  add('odd-icc/jpeg-junk-profile.jpg', jpegWithSegment(cardJpeg, 0xe2, junkProfile), { kind: 'either', width: 48, height: 32 });
  add('odd-icc/png-junk-iccp.png', withChunks(cardPng, [['iCCP', Buffer.concat([Buffer.from('junk\0\0'), deflateSync(noise.subarray(0, 512))])]]), { kind: 'either', width: 48, height: 32 });
  add('odd-icc/png-iccp-not-zlib.png', withChunks(cardPng, [['iCCP', Buffer.concat([Buffer.from('junk\0\0'), noise.subarray(0, 256)])]]), { kind: 'either', width: 48, height: 32 });
  const cmykProfile = await sharp(await cardOf(48, 32).toColourspace('cmyk').jpeg().toBuffer()).metadata().then((m) => m.icc);
  if (cmykProfile) {
    add('odd-icc/rgb-png-with-cmyk-profile.png', withChunks(cardPng, [['iCCP', Buffer.concat([Buffer.from('cmyk\0\0'), deflateSync(cmykProfile)])]]), { kind: 'either', width: 48, height: 32 });
  }
  valid('one-pixel.png', await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer(), 1, 1, [{ at: [0, 0], rgb: RED }]);
  valid('one-pixel.jpg', await sharp({ create: { width: 1, height: 1, channels: 3, background: { r: 0, g: 0, b: 255 } } }).jpeg({ quality: 100 }).toBuffer(), 1, 1, [{ at: [0, 0], rgb: BLUE }]);
  valid('strip-2000x2.png', await cardOf(2000, 2).png().toBuffer(), 2000, 2, [{ at: [0.25, 0.5], rgb: RED }, { at: [0.75, 0.5], rgb: BLUE }]);
  valid('strip-2x2000.webp', await sharp({ create: { width: 2, height: 2000, channels: 3, background: { r: 0, g: 0, b: 255 } } }).webp({ lossless: true }).toBuffer(), 2, 2000, [{ at: [0.5, 0.5], rgb: BLUE }]);

  // Every EXIF orientation, in JPEG and WebP: the output is the image as a viewer shows it.
  for (const o of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const stored = orientedCard(o, 48, 32);
    for (const [ext, encode] of [['jpg', (p: Sharp) => p.jpeg({ quality: 95 })], ['webp', (p: Sharp) => p.webp({ lossless: true })]] as const) {
      const bytes = await encode(raw(stored.data, stored.width, stored.height).withMetadata({ orientation: o })).toBuffer();
      valid(`orientation-${o}.${ext}`, bytes);
    }
  }
  return cases;
}
