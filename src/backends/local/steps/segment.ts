import { errors } from '../../../errors.ts';
import type { InputImage } from '../../../images/input.ts';
import { fromRaster, openUpload, toRaster } from '../../../images/raster.ts';
import { refuseDoubtfulMask } from '../segment/confidence.ts';
import { refuseSeveralObjects } from '../segment/objects.ts';
import type { Segmenter } from '../segment/index.ts';
import { type EngineContext, type Step } from '../context.ts';
import { pixels } from '../pixels.ts';

/** What x-retouch-segmenter says when the image's own alpha was the subject mask. */
export const OWN_ALPHA = 'alpha';

/**
 * Finds the subject of the current image once, for the background steps that follow. An upload
 * that is already a cut-out (see isCutout) is not segmented: its own alpha says where the subject is.
 * A segmenter's mask that cannot be trusted is a 400 here, before any step uses it (confidence.ts),
 * and so is a mask of several objects when a step looks in it for `thing`, named by a noun (objects.ts).
 */
export const segment = (segmenter: Segmenter, thing?: string): Step => ({
  name: `segment(${segmenter.name})`,
  async run(ctx) {
    const image = await pixels(ctx);
    const own = image.channels === 2 || image.channels === 4 ? await isCutout(ctx) : false;
    if (own) {
      // The current alpha, not the upload's: steps before this one may have turned or framed it.
      const alpha = await toRaster(fromRaster(image).extractChannel((image.channels - 1) as 1 | 3));
      if (thing) await refuseSeveralObjects(alpha, thing);
      ctx.subject = { ...alpha, channels: 1 };
      ctx.segmenter = OWN_ALPHA;
      return;
    }
    const mask = await segmenter.segment(image, ctx.signal);
    await refuseDoubtfulMask(image, mask);
    // A thing the prompt named by a noun ("the ball") is the subject only when the subject is one object.
    if (thing) await refuseSeveralObjects(mask, thing);
    ctx.subject = mask;
    ctx.segmenter = segmenter.name;
  },
});

/** Share of the image that must be (nearly) fully transparent for it to count as a cut-out. */
const CUTOUT_SHARE = 0.01;
/** Alpha below this is "transparent" when measuring that share. */
const TRANSPARENT_BELOW = 16;
/** The upload is measured on a copy this size: a share needs no detail. */
const GLANCE_SIDE = 512;

/**
 * Whether the upload already has a transparent background: at least 1% of it nearly fully
 * transparent. A few transparent pixels (rounded corners) do not make a cut-out.
 *
 * Why: the segmenter sees the image without its alpha, where the transparent part is whatever
 * colour the file stored there (usually black). Its mask, scaled up and feathered, reached past the
 * subject's soft edge into that black, so "add a white background" drew a dark outline round the
 * subject (and black showed wherever the segmenter guessed wrong). For a cut-out the background
 * *is* the transparent part: laying the image over a colour by its own alpha is the exact flatten,
 * with no fringe. The upload is measured, not the current pixels, because a turn by an odd angle
 * adds transparent corners to an opaque photo, whose background the segmenter must still find.
 */
async function isCutout(ctx: EngineContext): Promise<boolean> {
  const upload: InputImage = ctx.request.images[0]!;
  if (!upload.hasAlpha) return false;
  const glance = await toRaster(openUpload(upload.bytes, ctx.maxPixels).resize(GLANCE_SIDE, GLANCE_SIDE, { fit: 'inside', withoutEnlargement: true }));
  if (glance.channels !== 2 && glance.channels !== 4) return false;
  const alpha = await toRaster(fromRaster(glance).extractChannel((glance.channels - 1) as 1 | 3));
  // threshold(): 255 where alpha ≥ TRANSPARENT_BELOW, 0 elsewhere; its mean is the opaque share.
  const opaque = await toRaster(fromRaster(alpha).threshold(TRANSPARENT_BELOW, { grayscale: false }).extractChannel(0));
  return 1 - (await fromRaster(opaque).stats()).channels[0]!.mean / 255 >= CUTOUT_SHARE;
}

/**
 * Refuses a background edit that has nothing to work on because the background is the image's own
 * transparency: blurring, greying or pixelating it would only smear the colour the file happens to
 * store under alpha 0, and removing it would return the image as it came.
 */
export function refuseOnTransparentBackground(segmenter: string | undefined, what: 'remove' | 'blur' | 'grayscale' | 'pixelate'): void {
  if (segmenter !== OWN_ALPHA) return;
  throw errors.unsupportedEdit(what === 'remove'
    ? 'The image\'s background is already transparent, so removing it would return the image unchanged.'
    : `The image's background is transparent, so there is no background to ${what === 'grayscale' ? 'make black and white' : what}. To put the subject on something, ask for a colour or send a second image as the new background.`);
}
