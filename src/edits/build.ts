import type { Limits } from '../config/index.ts';
import { errors } from '../errors.ts';
import { type InputImage, probeImage } from '../images/input.ts';
import type { RawForm } from '../http/uploads.ts';
import type { EditRequest, ScalarFields } from './request.ts';

/**
 * Probes every uploaded image's header (format, dimensions, pixel cap, frames) and checks the mask
 * against the first image. No image is decoded here.
 */
export async function buildEditRequest(form: RawForm, scalars: ScalarFields, limits: Limits): Promise<EditRequest> {
  const images: InputImage[] = [];
  for (const bytes of form.images) images.push(await probeImage(bytes, limits.maxInputPixels));
  let mask: InputImage | undefined;
  if (form.mask) {
    mask = await probeImage(form.mask, limits.maxInputPixels, 'mask');
    const first = images[0]!;
    if (mask.format !== 'png' || !mask.hasAlpha) {
      throw errors.invalidMask('The mask must be a PNG with an alpha channel; alpha 0 marks where to edit.');
    }
    if (mask.width !== first.width || mask.height !== first.height) {
      throw errors.invalidMask(`The mask is ${mask.width}x${mask.height} but the image is ${first.width}x${first.height}; they must be the same size.`);
    }
  }
  return { ...scalars, images, mask };
}
