import sharp from 'sharp';
import { coverFit, decodeImage, fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { RGB } from '../parse/colors.ts';
import { type EngineContext, type Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { LUMA_MATRIX } from './color-matrix.ts';

function subjectOf(ctx: EngineContext): Raster {
  if (!ctx.subject) throw new Error('no subject mask: the segment step must run first');
  return ctx.subject;
}

/** The image's colours with the subject mask as alpha: the layer laid over a new background. */
async function subjectLayer(image: Raster, mask: Raster): Promise<Buffer> {
  // Separate pipelines: sharp would drop a joined alpha if removeAlpha ran in the same one.
  const rgb = image.channels === 3 ? image : await toRaster(fromRaster(image).removeAlpha());
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .joinChannel(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

async function overNewBackground(image: Raster, mask: Raster, backdrop: Raster): Promise<Raster> {
  const layer = await subjectLayer(image, mask);
  return toRaster(fromRaster(backdrop).composite([{ input: layer, blend: 'over' }]));
}

/** Background edits on the current image, using the subject mask from the segment step. */
type BackgroundAction = { action: 'remove' } | { action: 'color'; color: RGB } | { action: 'blur'; amount: number } | { action: 'grayscale' } | { action: 'image' };

export function backgroundStep(action: BackgroundAction): Step {
  return {
    name: `background(${action.action})`,
    async run(ctx) {
      const image = await pixels(ctx);
      const mask = subjectOf(ctx);
      switch (action.action) {
        case 'remove': {
          const rgb = image.channels === 3 ? image : await toRaster(fromRaster(image).removeAlpha());
          ctx.raster = await toRaster(sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
            .joinChannel(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }));
          return;
        }
        case 'color': {
          const [r, g, b] = action.color;
          const plain = await toRaster(sharp({ create: { width: image.width, height: image.height, channels: 3, background: { r, g, b } } }));
          ctx.raster = await overNewBackground(image, mask, plain);
          return;
        }
        case 'blur': {
          const sigma = Math.max(2, (Math.min(image.width, image.height) / 80) * action.amount);
          ctx.raster = await overNewBackground(image, mask, await toRaster(fromRaster(image).removeAlpha().blur(sigma)));
          return;
        }
        case 'grayscale':
          ctx.raster = await overNewBackground(image, mask, await toRaster(fromRaster(image).removeAlpha().recomb(LUMA_MATRIX)));
          return;
        case 'image': {
          // The second image, filling the first one's frame, so the subject keeps its place and size.
          const second = await decodeImage(ctx.request.images[1]!, ctx.maxPixels, 'image');
          const backdrop = await coverFit(await toRaster(fromRaster(second).removeAlpha()), image.width, image.height);
          ctx.raster = await overNewBackground(image, mask, backdrop);
        }
      }
    },
  };
}
