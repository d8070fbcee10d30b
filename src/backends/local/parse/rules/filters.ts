import { AMOUNT_WORDS, parseAmount } from '../amounts.ts';
import { rule } from './shared.ts';

const RADIUS = /(\d+(?:\.\d+)?)\s*(?:px|pixels?|radius|sigma)?/;
const FILTER_WORDS = [...AMOUNT_WORDS, 'radius', 'sigma', 'of', 'px', 'pixels', 'pixel', 'effect', 'filter', 'gaussian', 'soft', 'softly', 'whole', 'subtle', 'strong', 'light', 'heavy'];

export const blur = rule({
  name: 'blur',
  help: 'blur ("blur it slightly", "gaussian blur of 5 px")',
  trigger: /\b(?:blur(?:red|ry)?|soften|out of focus|unfocused|defocus)\b/,
  consumed: [RADIUS],
  words: FILTER_WORDS,
  build(clause) {
    const r = /(\d+(?:\.\d+)?)\s*(?:px|pixels?|radius|sigma)/.exec(clause);
    return { op: 'blur', sigma: r ? Math.max(0.3, Number(r[1])) : undefined, amount: parseAmount(clause, 1) };
  },
});

export const sharpen = rule({
  name: 'sharpen',
  help: 'sharpen ("sharpen it", "make it crisper")',
  trigger: /\b(?:sharpen|sharper|crisper|crisp|more detail(?:ed)?|enhance (?:the )?details?|more defined|clarity)\b/,
  words: [...FILTER_WORDS, 'details', 'detail', 'edges'],
  build: (clause) => ({ op: 'sharpen', amount: parseAmount(clause, 1) }),
});

export const denoise = rule({
  name: 'denoise',
  help: 'remove noise ("denoise", "reduce the grain")',
  trigger: /\b(?:denoise|de-noise|noise reduction|(?:remove|reduce|clean up|get rid of|less)\s+(?:the\s+|some\s+|all\s+)?(?:noise|grain|graininess|speckles?|artifacts?|jpeg artifacts))\b/,
  words: [...FILTER_WORDS, 'noise', 'grain', 'noisy', 'grainy'],
  build: (clause) => ({ op: 'denoise', amount: parseAmount(clause, 1) }),
});

/** Where a pixelation applies: the subject and background come from the subject mask. */
const PIXELATE_REGION = /\b(?:(?:only|just)\s+)?(?:the\s+)?(background|backdrop|subject|main subject|person|people|foreground|product|object)\b/;

export const pixelate = rule({
  name: 'pixelate',
  help: 'pixelate, all of it, the subject or the background ("pixelate it", "mosaic with 16 px blocks", "pixelate the person", "pixelate the background")',
  trigger: /\b(?:pixelate|pixelated|pixelize|pixellate|mosaic|8-?bit|pixel art)\b/,
  consumed: [/(\d{1,3})\s*(?:px|pixels?)?\s*(?:blocks?|cells?|squares?)?/, PIXELATE_REGION],
  words: [...FILTER_WORDS, 'blocks', 'block', 'cells', 'squares', 'style', 'look', 'like', 'retro', 'game', 'only', 'keep', 'leave', 'sharp', 'clear', 'intact'],
  build(clause) {
    const b = /(\d{1,3})\s*(?:px|pixels?)?\s*(?:blocks?|cells?|squares?)/.exec(clause) ?? /(\d{1,3})\s*(?:px|pixels?)\b/.exec(clause);
    const where = PIXELATE_REGION.exec(clause)?.[1];
    const region = !where ? 'all' : /background|backdrop/.test(where) ? 'background' : 'subject';
    return { op: 'pixelate', block: b ? Math.max(2, Number(b[1])) : undefined, amount: parseAmount(clause, 1), region };
  },
});

export const vignette = rule({
  name: 'vignette',
  help: 'vignette ("add a vignette", "darken the corners")',
  trigger: /\b(?:vignette|vignetting|darken (?:the )?(?:edges|corners|borders)|dark(?:er)? (?:edges|corners))\b/,
  words: [...FILTER_WORDS, 'edges', 'corners', 'around'],
  build: (clause) => ({ op: 'vignette', amount: parseAmount(clause, 0.5) }),
});
