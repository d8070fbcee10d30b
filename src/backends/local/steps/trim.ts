import { errors } from '../../../errors.ts';
import { fromRaster, type Raster } from '../../../images/raster.ts';
import { type Step } from '../context.ts';
import { moveMasks, pixels, shapeOf } from '../pixels.ts';

/** Removes uniform borders (the colour of the top-left pixel). No border found is a 400, not a silent no-op. */
export const trim: Step = {
  name: 'trim',
  async run(ctx) {
    const r = await pixels(ctx);
    const found = await fromRaster(r).trim({ threshold: 12 }).raw().toBuffer({ resolveWithObject: true }).catch(() => null);
    if (!found || (found.info.width === r.width && found.info.height === r.height)) {
      throw errors.unsupportedEdit('There is no uniform border to trim in this image.');
    }
    const { data, info } = found;
    const window = { left: -(info.trimOffsetLeft ?? 0), top: -(info.trimOffsetTop ?? 0), width: info.width, height: info.height };
    const before = shapeOf(ctx);
    ctx.raster = { data, width: info.width, height: info.height, channels: info.channels as Raster['channels'] };
    await moveMasks(ctx, before, (m) => m.extract(window), false);
  },
};
