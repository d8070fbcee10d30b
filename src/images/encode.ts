import type { Sharp } from 'sharp';
import { type Raster, fromRaster } from './raster.ts';

export type OutputFormat = 'webp' | 'png' | 'jpeg';
export type Background = 'transparent' | 'opaque' | 'auto';

export interface EncodeOptions {
  format: OutputFormat;
  /** 0–100; for webp and jpeg. Absent: the format's usual default. */
  compression?: number | undefined;
  background: Background;
}

export interface EncodedImage {
  bytes: Buffer;
  format: OutputFormat;
  width: number;
  height: number;
  /** The same bytes as base64 text, when they arrived that way (an upstream's answer passed through). */
  base64?: Buffer;
}

export const OUTPUT_MIME: Record<OutputFormat, string> = { webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg' };

/** JPEG has no alpha, and `opaque` asks for none: such pixels are flattened onto white rather than black. */
export const needsFlatten = (channels: number, opts: EncodeOptions) =>
  (channels === 2 || channels === 4) && (opts.format === 'jpeg' || opts.background === 'opaque');

/** Encodes pixels in the format the client asked for. */
export function encodeRaster(r: Raster, opts: EncodeOptions): Promise<EncodedImage> {
  const p = fromRaster(r);
  return encodePipeline(needsFlatten(r.channels, opts) ? p.flatten({ background: '#ffffff' }) : p, opts);
}

/** Ends a pipeline in the requested format; flattening, where needed, is the caller's (see needsFlatten). */
export async function encodePipeline(p: Sharp, opts: EncodeOptions): Promise<EncodedImage> {
  // OpenAI's `output_compression` defaults to 100 and behaves as a quality setting (100 = largest,
  // best-looking file), so it maps straight onto sharp's quality.
  const quality = opts.compression === undefined ? undefined : Math.max(1, opts.compression);
  switch (opts.format) {
    case 'png': p = p.png({ adaptiveFiltering: true, compressionLevel: 6 }); break;
    // Without Huffman-table optimisation: the encoder then streams instead of holding every DCT
    // coefficient of the image (a 48 MP edit: ~40 MB in flight instead of ~300 MB), and encodes
    // about twice as fast, for files ~6% larger (measured, docs/performance.md).
    case 'jpeg': p = p.jpeg({ quality: quality ?? 90, mozjpeg: false, optimiseCoding: false }); break;
    // Effort 2 of 6 (sharp's default is 4): half the encode time at every size, for files within a
    // few percent (measured, docs/performance.md). WebP is the default output, so this is most answers.
    case 'webp': p = p.webp({ quality: quality ?? 90, effort: 2 }); break;
  }
  const { data, info } = await p.toBuffer({ resolveWithObject: true });
  return { bytes: data, format: opts.format, width: info.width, height: info.height };
}
