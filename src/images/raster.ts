import sharp, { type Sharp } from 'sharp';
import { errors } from '../errors.ts';
import type { InputImage } from './input.ts';

/** Decoded pixels: the form every local step reads and writes. */
export interface Raster {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** A sharp pipeline reading a raster. */
export const fromRaster = (r: Raster) =>
  sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } });

/**
 * Scales to exactly width×height without distortion: cover-fit, cropping around the most
 * interesting part (sharp's attention strategy): the rule of the engine's cover-fit step, for
 * rasters already in hand (an upstream result, a second-image backdrop).
 */
export const coverFit = (r: Raster, width: number, height: number): Promise<Raster> =>
  toRaster(fromRaster(r).resize(width, height, { fit: 'cover', position: 'attention' }));

/** Finishes a pipeline into a raster. */
export async function toRaster(pipeline: Sharp): Promise<Raster> {
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels as Raster['channels'] };
}

/**
 * The one way uploaded bytes are opened: the pixel cap enforced again (the header was checked
 * already) so no code path can decode an unchecked bomb, damaged data failing instead of giving a
 * half-grey image, and EXIF orientation applied.
 *
 * `failOn: 'warning'`, the strictest: libjpeg only *warns* about a scan cut short ("premature end
 * of data segment"), so with 'truncated' or 'error' a JPEG cut at 50 % with an end marker appended,
 * or a 460-byte JPEG whose header claims 7000×7000, decoded to a grey image and answered 200 (the
 * second after 1.3 s and 190 MB of pixels). With 'warning' both fail within the first damaged scan
 * line. The price: files with damage a lenient viewer would hide (stray bytes before a marker) are
 * refused too, which is what a client that sent damaged data should hear.
 */
export const openUpload = (bytes: Buffer, maxPixels: number): Sharp =>
  sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' }).autoOrient();

/**
 * Decodes an uploaded image, applying EXIF orientation. The pixel cap is enforced again here (the
 * header was checked already) so no code path can decode an unchecked bomb; truncated or corrupt
 * data fails instead of giving a half-grey image.
 */
export async function decodeImage(image: InputImage, maxPixels: number, param = 'image'): Promise<Raster> {
  try {
    return await toRaster(openUpload(image.bytes, maxPixels));
  } catch (cause) {
    throw corruptImage(image.format, param, cause);
  }
}

/** The error for an upload whose header was fine but whose pixel data cannot be decoded. */
export const corruptImage = (format: string, param: string, cause: unknown) =>
  errors.invalidImage(`Invalid image file for '${param}': the ${format.toUpperCase()} data is corrupt or truncated.`, param, cause);
