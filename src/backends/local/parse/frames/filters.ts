import { amountOf, type Frame, numberWith } from './frame.ts';

/** Blur the whole image; a problem ("it's blurry") is the opposite, see sharpen. */
export const blur: Frame = {
  name: 'blur', triggers: ['blur', 'blurry'], example: 'blur',
  read(c) {
    if (c.problem || c.has('less', 'not')) return null;
    if (!c.take('blur') && !c.take('blurry')) return null;
    const px = numberWith(c, ['px'], true);
    return { op: 'blur', sigma: px !== undefined ? Math.max(0.3, px) : undefined, amount: amountOf(c, 1) };
  },
};

/** Sharpen: named, or the fix for a blurry photo ("it's blurry", "less blurry", "unblur"). */
export const sharpen: Frame = {
  name: 'sharpen', triggers: ['sharpen', 'blurry'], example: 'sharpen',
  read(c) {
    const named = !!c.take('sharpen');
    if (!named) {
      // "Remove the blur" is a fix; "no blur" (no blur applied) asks for nothing to be done.
      const lessBlur = c.find((t) => (t.concepts.has('less') || t.concepts.has('remove')) && !t.concepts.has('not')).length > 0;
      const fixesBlur = (c.problem || lessBlur) && c.has('blur', 'blurry');
      if (!fixesBlur) return null;
      // "Foto desenfocada" with no verb is as much "a blurred photo" (asked for) as "the photo is
      // blurry": a word that also names the blur effect does not say which.
      if (c.complaintOnly && !c.has('less', 'remove') && c.find((t) => t.concepts.has('blurry')).every((x) => x.token.concepts.has('blur'))) return null;
      c.take('blur') ?? c.take('blurry');
      c.take('less') ?? c.take('remove');
      c.take('too');
    }
    // "Its a bit blurry can you sharpen it", "c'est flou, rends-le net": beside the word for
    // sharpening, a blur is the problem it fixes, said in the same clause.
    if (named && c.has('blur', 'blurry')) {
      c.take('blur') ?? c.take('blurry');
      c.take('too');
    } else if (c.problem && named) return null; // "it's too sharp": soften, which is a blur
    return { op: 'sharpen', amount: amountOf(c, 1) };
  },
};

/** Denoise: named, or noise with "remove"/"less", or a noisy photo described as a problem. */
export const denoise: Frame = {
  name: 'denoise', triggers: ['denoise', 'noise'], example: 'denoise',
  read(c) {
    if (!c.take('denoise')) {
      if (!c.has('noise') || !(c.problem || c.has('remove', 'less'))) return null;
      c.take('remove') ?? c.take('less');
      // "Too much noise", "噪点太多了": the amount of noise is the problem.
      if (c.take('too')) c.takeAll('more', 'very');
    }
    c.takeAll('noise');
    return { op: 'denoise', amount: amountOf(c, 1) };
  },
};

/** Pixelate the whole image ("mosaic with 16 px blocks"); the subject or background go through their frames. */
export const pixelate: Frame = {
  name: 'pixelate', triggers: ['pixelate'], example: 'pixelate',
  read(c) {
    // "The photo is pixelated": a complaint, and pixelating would make it worse.
    if (c.problem || !c.take('pixelate')) return null;
    const block = numberWith(c, ['px'], true);
    return { op: 'pixelate', block: block !== undefined ? Math.max(2, block) : undefined, amount: amountOf(c, 1), region: 'all' };
  },
};

/** A vignette: named, or "darken the corners/edges". */
export const vignette: Frame = {
  name: 'vignette', triggers: ['vignette', 'edges'], example: 'vignette',
  read(c) {
    if (!c.take('vignette')) {
      if (!(c.has('dark') && c.has('edges', 'corner'))) return null;
    }
    c.take('dark');
    c.takeAll('edges', 'corner');
    return { op: 'vignette', amount: amountOf(c, 0.5) };
  },
};
