import { errors } from '../../../errors.ts';
import { fromRaster, type Raster } from '../../../images/raster.ts';
import { hex, type RGB } from '../parse/colors.ts';
import { type Step } from '../context.ts';
import { moveMasks, pixels, shapeOf } from '../pixels.ts';

/** How far a pixel may be from the border's colour and still be border (libvips' trim threshold). */
const TOLERANCE = 12;
/** How far a border may be from the colour the prompt named for it: "white" paper is rarely 255. */
const NAMED_TOLERANCE = 48;

const near = (p: number[], q: readonly number[], tolerance: number) => q.every((v, i) => Math.abs(p[i]! - v) <= tolerance);

function corners(r: Raster): number[][] {
  const at = (x: number, y: number) => [...r.data.subarray((y * r.width + x) * r.channels, (y * r.width + x + 1) * r.channels)];
  return [at(0, 0), at(r.width - 1, 0), at(0, r.height - 1), at(r.width - 1, r.height - 1)];
}

/**
 * Removes the border of one colour that frames the image. A border runs along at least two
 * opposite sides (top and bottom bars, left and right bars, or a frame all round), so its colour is
 * at all four corners, and what is cut from each side is that colour within TOLERANCE. A band along
 * one side only (the sky at the top of a photo, a floor) is part of the picture, even when the
 * corners happen to share its colour (white sky, snow in both bottom corners). With a colour named
 * ("the white border"), the border must be that colour. No border is a 400, not a silent no-op.
 */
export const trim = (color?: RGB): Step => ({
  name: 'trim',
  async run(ctx) {
    const r = await pixels(ctx);
    const [border, ...others] = corners(r);
    const none = (why: string) => errors.unsupportedEdit(`There is no ${color ? `${hex(color)} ` : 'uniform '}border to trim in this image: ${why}.`);
    if (color && !near(border!, color, NAMED_TOLERANCE)) throw none(`its top-left corner is ${hex(border!.slice(0, 3) as RGB)}`);
    if (!others.every((c) => near(c, border!, TOLERANCE))) throw none('a border runs along two opposite sides, so its colour is at all four corners, and these are not one colour');
    // libvips trims against the top-left pixel: the border's own colour, now known to frame the image.
    // libvips refuses images under 3x3, and gives the whole image back when nothing differs from the border.
    const found = await fromRaster(r).trim({ threshold: TOLERANCE }).raw().toBuffer({ resolveWithObject: true }).catch(() => null);
    if (!found) throw none('it is too small to have one');
    if (found.info.width === r.width && found.info.height === r.height) throw none('the picture reaches every edge, or it is all one colour');
    const { data, info } = found;
    const window = { left: -(info.trimOffsetLeft ?? 0), top: -(info.trimOffsetTop ?? 0), width: info.width, height: info.height };
    const cut = { top: window.top, bottom: r.height - window.top - window.height, left: window.left, right: r.width - window.left - window.width };
    if (!(cut.top > 0 && cut.bottom > 0) && !(cut.left > 0 && cut.right > 0)) {
      const sides = Object.entries(cut).filter(([, px]) => px > 0).map(([side]) => side);
      throw none(`only the ${sides.join(' and ')} edge${sides.length > 1 ? 's are' : ' is'} one colour, and a border runs along two opposite sides: a band along one side is part of the picture (sky, a wall, a floor)`);
    }
    const before = shapeOf(ctx);
    ctx.raster = { data, width: info.width, height: info.height, channels: info.channels as Raster['channels'] };
    await moveMasks(ctx, before, (m) => m.extract(window), false);
  },
});
