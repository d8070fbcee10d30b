import type { SizeSpec } from '../../edits/size.ts';

/** Aspect ratios Gemini image models accept. */
export const ASPECT_RATIOS = ['1:1', '2:3', '3:2', '3:4', '4:3', '4:5', '5:4', '9:16', '16:9', '21:9'] as const;

/** The supported ratio nearest to w:h, compared on a log scale so 2:1 and 1:2 are equally far from 1:1. */
export function nearestAspectRatio(w: number, h: number): string {
  const want = Math.log(w / h);
  let best: string = ASPECT_RATIOS[0];
  let bestDistance = Infinity;
  for (const r of ASPECT_RATIOS) {
    const [a, b] = r.split(':').map(Number) as [number, number];
    const d = Math.abs(Math.log(a / b) - want);
    if (d < bestDistance) { best = r; bestDistance = d; }
  }
  return best;
}

/** Only the 3-series models take imageSize (1K/2K/4K); 2.5 Flash Image makes ~1K images only. */
const takesImageSize = (model: string) => /^gemini-3/.test(model);

/**
 * Maps our `size` onto generationConfig.imageConfig. No size → no aspectRatio, so the model keeps
 * the input's. Whatever the upstream cannot express exactly (WxH, 512) is applied to its result.
 */
export function imageConfigFor(size: SizeSpec, model: string): { aspectRatio?: string; imageSize?: string } | undefined {
  switch (size.kind) {
    case 'auto': return undefined;
    case 'exact':
    case 'aspect': return { aspectRatio: nearestAspectRatio(size.width, size.height) };
    case 'longest':
      return takesImageSize(model) && /^[124]K$/.test(size.label) ? { imageSize: size.label } : undefined;
  }
}
