import sharp from 'sharp';
import { type Raster, decodeImage, fromRaster, toRaster } from './raster.ts';
import type { InputImage } from './input.ts';

/**
 * Keeps an edit only where the mask is transparent: the original is laid back over the edited
 * pixels with the mask's alpha as its opacity (255 = original, 0 = edit, between = blend). Original
 * and mask are scaled to the edited size first, for backends whose result is another size.
 */
export async function keepOriginalOutsideMask(edited: Raster, original: Raster, mask: InputImage, maxPixels: number): Promise<Raster> {
  const size = { width: edited.width, height: edited.height };
  const fit = (r: Raster) => (r.width === size.width && r.height === size.height ? fromRaster(r) : fromRaster(r).resize(size.width, size.height, { fit: 'fill' }));
  const maskRaster = await decodeImage(mask, maxPixels, 'mask');
  // Separate pipelines throughout: sharp orders operations itself, and would drop a joined alpha.
  const maskAlpha = await toRaster(fit(await toRaster(fromRaster(maskRaster).ensureAlpha())).extractChannel(3));
  const rgb = await toRaster(fit(original).removeAlpha());
  const overlay = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .joinChannel(maskAlpha.data, { raw: { width: maskAlpha.width, height: maskAlpha.height, channels: 1 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  const blended = await toRaster(fromRaster(edited).composite([{ input: overlay, blend: 'over' }]));
  // Compositing adds an alpha channel; drop it again when the edit had none.
  return edited.channels === 3 && blended.channels === 4 ? toRaster(fromRaster(blended).removeAlpha()) : blended;
}
