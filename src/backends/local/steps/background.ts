import sharp from 'sharp';
import { coverFit, decodeImage, fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { RGB } from '../parse/colors.ts';
import type { Step } from '../context.ts';
import { pixels } from '../pixels.ts';
import { LUMA_MATRIX } from './color-matrix.ts';
import { refuseOnTransparentBackground } from './segment.ts';
import { keptOf, overNewBackground, subjectOf } from './subject-layer.ts';

/** Background edits on the current image, using the subject mask from the segment step. */
type BackgroundAction = { action: 'remove' } | { action: 'color'; color: RGB; shadow?: boolean } | { action: 'blur'; amount: number } | { action: 'grayscale' } | { action: 'image' };

export function backgroundStep(action: BackgroundAction): Step {
  return {
    name: `background(${action.action})`,
    async run(ctx) {
      if (action.action !== 'color' && action.action !== 'image') refuseOnTransparentBackground(ctx.segmenter, action.action);
      const image = await pixels(ctx);
      // The subject finds where the contact shadow goes; the kept area (subject and frame) is laid over.
      const subject = subjectOf(ctx, image);
      const mask = await keptOf(ctx, image);
      switch (action.action) {
        case 'remove': {
          const rgb = image.channels === 3 ? image : await toRaster(fromRaster(image).removeAlpha());
          ctx.raster = await toRaster(sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
            .joinChannel(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }));
          return;
        }
        case 'color': {
          const [r, g, b] = action.color;
          let plain = sharp({ create: { width: image.width, height: image.height, channels: 3, background: { r, g, b } } });
          const shadow = action.shadow ? await contactShadow(subject) : null;
          if (shadow) plain = plain.composite([{ input: shadow, blend: 'over' }]);
          ctx.raster = await overNewBackground(image, mask, await toRaster(plain));
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

/**
 * A soft contact shadow for a subject set on a plain background: a blurred dark ellipse under the
 * bottom of the subject's bounding box, as wide as the subject, drawn as SVG. The bounding box comes
 * from libvips' trim (off the event loop). Null when the mask is empty.
 */
async function contactShadow(mask: Raster): Promise<Buffer | null> {
  const { info } = await fromRaster(mask).trim({ background: '#000000', threshold: 127 }).raw().toBuffer({ resolveWithObject: true });
  const box = { left: -(info.trimOffsetLeft ?? 0), top: -(info.trimOffsetTop ?? 0), width: info.width, height: info.height };
  // trim keeps the whole image both when the subject fills it and when there is none.
  if (box.width === mask.width && box.height === mask.height && (await fromRaster(mask).stats()).channels[0]!.max < 128) return null;
  const rx = Math.max(4, (box.width / 2) * 0.9);
  const ry = Math.max(3, box.height * 0.05);
  const bottom = box.top + box.height;
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${mask.width}" height="${mask.height}">
    <defs><filter id="s" x="-50%" y="-50%" width="200%" height="200%"><feGaussianBlur stdDeviation="${Math.max(2, ry * 0.8).toFixed(1)}"/></filter></defs>
    <ellipse cx="${(box.left + box.width / 2).toFixed(1)}" cy="${(bottom - ry * 0.3).toFixed(1)}" rx="${rx.toFixed(1)}" ry="${ry.toFixed(1)}" fill="#000" fill-opacity="0.45" filter="url(#s)"/></svg>`);
}
