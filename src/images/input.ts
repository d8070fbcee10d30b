import sharp, { type Metadata } from 'sharp';
import { errors } from '../errors.ts';
import { describeUnsupported, type InputFormat, sniffFormat } from './sniff.ts';

/** An uploaded image that passed every check short of a full decode. */
export interface InputImage {
  bytes: Buffer;
  format: InputFormat;
  /** Dimensions as displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  hasAlpha: boolean;
  /**
   * The channel count a decode gives (3 or 4) when the header says it decodes straight to 8-bit
   * sRGB; undefined for grey, CMYK, 16-bit and other inputs whose decode converts.
   */
  decodedChannels: 3 | 4 | undefined;
}

/**
 * Checks an uploaded file cheapest first: magic bytes, then header dimensions against the pixel cap,
 * then frame count. Decoding comes later, with limitInputPixels set (see decode.ts).
 */
export async function probeImage(bytes: Buffer, maxPixels: number, param = 'image'): Promise<InputImage> {
  const format = sniffFormat(bytes.subarray(0, 16));
  if (!format) throw errors.invalidImage(`Invalid image file for '${param}': ${describeUnsupported(bytes.subarray(0, 16))}. Use PNG, JPEG or WEBP.`, param);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (cause) {
    throw errors.invalidImage(`Invalid image file for '${param}': the ${format.toUpperCase()} header cannot be read.`, param, cause);
  }
  if (!meta.width || !meta.height) throw errors.invalidImage(`Invalid image file for '${param}': it has no dimensions.`, param);
  const pixels = meta.width * meta.height;
  if (pixels > maxPixels) {
    throw errors.imageTooLarge(
      `Image '${param}' is ${meta.width}x${meta.height} (${(pixels / 1e6).toFixed(1)} MP); the limit is ${(maxPixels / 1e6).toFixed(1)} MP.`,
      param,
    );
  }
  if ((meta.pages ?? 1) > 1) throw errors.invalidImage(`Invalid image file for '${param}': animated or multi-frame images are not supported.`, param);
  const rotated = (meta.orientation ?? 1) >= 5;
  return {
    bytes, format,
    width: rotated ? meta.height : meta.width,
    height: rotated ? meta.width : meta.height,
    hasAlpha: meta.hasAlpha ?? false,
    decodedChannels: meta.space === 'srgb' && meta.depth === 'uchar' && (meta.channels === 3 || meta.channels === 4) ? meta.channels : undefined,
  };
}
