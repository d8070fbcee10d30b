import type { RGB } from '../colors.ts';
import type { Clause } from '../clause.ts';
import type { Concept } from '../lexicon/types.ts';
import type { Token } from '../match.ts';
import { type Frame, numberWith } from './frame.ts';

const turn = (degrees: number) => ((degrees % 360) + 360) % 360;

/**
 * Rotation: "rotate 90 degrees", "turn it upside down", "rotate left" (a quarter turn). "Turn" alone
 * is a generic verb, so it rotates only with an angle or a turn word. A photo described as upside
 * down ("the picture is upside down", "照片是倒的") is turned the right way up: a half turn, which
 * is its own undoing.
 */
export const rotate: Frame = {
  name: 'rotate', triggers: ['rotate', 'upside-down', 'quarter-turn', 'half-turn', 'clockwise', 'counterclockwise'], example: 'rotate',
  read(c) {
    if (c.has('flip', 'mirror', 'hue')) return null;
    const rotations = c.find((t) => t.concepts.has('rotate')).length;
    const named = !!c.take('rotate');
    if (!named && !c.has('change', 'upside-down', 'half-turn')) return null;
    // A bare number is an angle only after "rotate": "turn it 2" says nothing.
    let degrees = numberWith(c, ['deg'], named, true);
    if (degrees === undefined && (c.take('upside-down') || c.take('half-turn'))) degrees = 180;
    if (degrees === undefined && c.take('quarter-turn')) degrees = 90;
    const ccw = !!c.take('counterclockwise') || (named && !!c.take('left'));
    const cw = !ccw && (!!c.take('clockwise') || (named && !!c.take('right')));
    // "Rotate it left, not right": the side said again only repeats the direction.
    if (named && ccw) c.take('left');
    if (named && cw) c.take('right');
    if (degrees === undefined && named && (ccw || cw)) degrees = 90; // "rotate left": a quarter turn
    if (degrees === undefined) return null;
    if (!named) c.take('change');
    c.take('by');
    // "It's rotated 90° clockwise": a rotation described as the problem is undone, which needs its
    // direction; "it's tilted, rotate it 2° left" names the fix as a second rotation, read as said.
    if (c.describes && rotations === 1 && turn(degrees) !== 180) {
      if (!ccw && !cw) return null;
      return { op: 'rotate', degrees: turn(ccw ? degrees : -degrees) };
    }
    return { op: 'rotate', degrees: turn(ccw ? -degrees : degrees) };
  },
};

/** Flip or mirror; "flip" alone is a left-right mirror, as in every photo editor. */
export const flip: Frame = {
  name: 'flip', triggers: ['flip', 'mirror'], example: 'flip',
  read(c) {
    const verb = c.take('mirror') ?? c.take('flip');
    if (!verb) return null;
    // "Flip the colours", "画像の色を全部反転して", "ネガみたいに反転して": turning over the colours, or
    // beside the word for a negative, with no axis, is the negative, not a mirror image.
    const colours = c.find((t) => t.concepts.has('color') && !t.concepts.has('temperature') && !t.color);
    const axis = verb.concepts.has('horizontal') || verb.concepts.has('vertical') ||
      c.has('horizontal', 'vertical', 'upside-down', 'left', 'right', 'top', 'bottom');
    if (!axis && verb.concepts.has('flip') && (colours.length > 0 || c.has('invert'))) {
      for (const { index } of colours) c.use(index);
      c.takeAll('invert');
      return { op: 'invert' };
    }
    // "上下反転" carries its axis in the verb itself.
    const vertical = verb.concepts.has('vertical') || !!(c.take('vertical') || c.take('upside-down') || (c.has('top') && c.has('bottom') && c.take('top') && c.take('bottom')));
    if (!vertical) { c.take('horizontal'); if (c.has('left') && c.has('right')) { c.take('left'); c.take('right'); } }
    return { op: 'flip', axis: vertical ? 'vertical' : 'horizontal' };
  },
};

/** Sizes: "800x600", "1024 pixels wide", "2x", "50%", "half the size", "upscale". */
export const resize: Frame = {
  name: 'resize', triggers: ['resize', 'bigger', 'smaller', 'half', 'double', 'size', 'width', 'height'], example: 'resize',
  read(c) {
    if (c.has('canvas', 'border', 'pad', 'brightness', 'contrast', 'saturation')) return null;
    const named = !!c.take('resize');
    const up = !!c.take('bigger');
    const down = !up && !!c.take('smaller');
    const half = !!c.take('half');
    const double = !!c.take('double');
    // "Twice as big", "el doble de grande", "redúcela a la mitad": the size and direction words only repeat the factor.
    if (half || double) c.takeAll('large', 'small', 'bigger', 'smaller', 'more', 'less');
    const sized = c.take('size');
    const dir = sized || named ? (c.take('more') ? 1 : c.take('less') ? -1 : 0) : 0;
    const grow = up || dir > 0;
    const shrink = down || dir < 0;
    c.takeAll('pixel');
    const dims = c.find((t) => t.dims !== undefined)[0];
    // "Crop to 1080x1080", "auf 800x800 zuschneiden": both sides given, a resize is a cover-fit crop
    // to exactly that size.
    if (dims) {
      c.use(dims.index);
      const said = named || up || down || sized || c.take('crop') || c.take('change') || c.take('to');
      c.take('to');
      return said ? { op: 'resize', width: dims.token.dims!.width, height: dims.token.dims!.height } : null;
    }
    // "1024 pixels wide", "a width of 640", "300px tall".
    const width = c.has('width') ? (c.take('width'), numberWith(c, ['px'], true)) : undefined;
    const height = c.has('height') ? (c.take('height'), numberWith(c, ['px'], true)) : undefined;
    if (width || height) return { op: 'resize', ...(width ? { width } : {}), ...(height ? { height } : {}) };
    const factor = numberWith(c, ['x']);
    if (factor !== undefined) return factor > 0 && (named || grow || shrink || sized || c.take('change')) ? { op: 'resize', scale: shrink ? 1 / factor : factor } : null;
    const pct = numberWith(c, ['pct']);
    if (pct !== undefined) {
      if (!(named || grow || shrink || sized)) return null;
      // "reduce by 25%" and "enlarge by 25%" are relative; "scale to 25%" is absolute.
      const relative = !!c.take('by') && (grow || shrink);
      const scale = relative ? (shrink ? 1 - pct / 100 : 1 + pct / 100) : pct / 100;
      return scale > 0 ? { op: 'resize', scale } : null;
    }
    if (half) return { op: 'resize', scale: 0.5 };
    if (double) return { op: 'resize', scale: 2 };
    // "Scale by 10", "shrink it by 2", "escala por 3": a bare number after "by" is a factor, never a
    // size. Past 10 it may as well be a percentage or pixels ("reduce the size by 50"): refused. A
    // word that is also "of" or "from" (French "de": "une taille de 800") does not say so.
    const onlyBy = (t: Token | undefined) => !!t && t.concepts.has('by') && !t.concepts.has('of') && !t.concepts.has('from');
    const relative = c.find((t, i) => t.number !== undefined && !t.unit && !t.sign && onlyBy(c.tokens[i - 1]))[0];
    if (relative) {
      const f = relative.token.number!;
      if (!(named || grow || shrink || sized) || !(f > 0 && f <= 10 && f !== 1)) return null;
      c.use(relative.index);
      return { op: 'resize', scale: shrink && f > 1 ? 1 / f : f };
    }
    // "Resize to 800": a bare number is the longest side, but not one no image is ("scale 2", "scale
    // it up 3"): that is a factor said without "x" or "by", and too unsure to guess.
    const bare = c.find((t) => t.number !== undefined && !t.unit && !t.sign)[0];
    if (bare && bare.token.number! < 16) return null;
    const longest = numberWith(c, ['px'], true);
    if (longest !== undefined) return named || grow || shrink ? { op: 'resize', longest } : null;
    // "Upscale it", "make it smaller": twice or half the size, the usual step in photo tools.
    if (grow) return { op: 'resize', scale: 2 };
    if (shrink) return { op: 'resize', scale: 0.5 };
    // "Resize it" with no size: to the request's `size` (the engine refuses when none was sent).
    return named ? { op: 'resize', requested: true } : null;
  },
};

const ASPECTS: Array<[Concept, number, number]> = [['square', 1, 1], ['portrait', 4, 5], ['landscape', 3, 2], ['widescreen', 16, 9], ['story', 9, 16]];

/** Crop to an aspect ratio: "crop to square", "16:9", "make it square". */
export const cropAspect: Frame = {
  name: 'crop-aspect', triggers: ['crop', 'aspect', 'square', 'widescreen', 'story'], example: 'crop',
  read(c, ctx) {
    const crop = !!c.take('crop');
    c.takeAll('aspect');
    // A ratio, or a small "size" that is one ("crop to 16 by 9").
    const ratio = c.find((t) => t.ratio !== undefined || (t.dims !== undefined && t.dims.width <= 32 && t.dims.height <= 32))[0];
    let wh: [number, number] | undefined;
    if (ratio) { c.use(ratio.index); const r = ratio.token.ratio ?? ratio.token.dims!; wh = [r.width, r.height]; }
    for (const [concept, w, h] of ASPECTS) if (!wh && c.take(concept)) wh = [w, h];
    // "… square. Can you crop it?": the crop was already asked for.
    if (!wh) return crop && ctx.previous?.op === 'crop-aspect' ? ctx.previous : null;
    // "9:16 for my stories": aspect words beside a ratio only repeat it.
    c.takeAll(...ASPECTS.map(([concept]) => concept));
    // "Brighter, more saturated, and square": an aspect word alone is a crop too.
    if (!crop) c.take('change');
    const [w, h] = wh;
    return w > 0 && h > 0 && w / h <= 21 && h / w <= 21 ? { op: 'crop-aspect', width: w, height: h } : null;
  },
};

/** The words that name a border or margin around the image. */
const takeEdgeWords = (c: Clause) => c.takeAll('border', 'edges', 'pad', 'corner');

export const trim: Frame = {
  name: 'trim', triggers: ['trim'], example: 'trim',
  read(c) {
    const named = !!c.take('trim');
    // "Remove the white border", "corta a borda branca", "白い枠を切り取って": a border removed or cut off
    // is trimmed; one cropped "with" or added is a border to add.
    const cutOff = c.has('remove') || (c.has('crop') && !c.has('with', 'add'));
    if (!named && !(cutOff && c.has('border', 'edges', 'pad'))) return null;
    c.take('remove');
    c.take('crop');
    takeEdgeWords(c);
    // "The black bars at the top and bottom": where the border is does not change what trimming does.
    c.takeAll('top', 'bottom', 'left', 'right', 'vertical', 'horizontal', 'plain');
    // "The white border": only a border of that colour is trimmed (the step refuses when there is
    // none); two colours ("the black and white bars") leave the colour to what the corners show.
    const colors = c.colors();
    for (const { index } of colors) c.use(index);
    return colors.length === 1 ? { op: 'trim', color: colors[0]!.color } : { op: 'trim' };
  },
};

function takeColor(c: Clause, fallback: RGB): RGB {
  const first = c.colors()[0];
  if (!first) return fallback;
  c.use(first.index);
  return first.color;
}

export const border: Frame = {
  name: 'border', triggers: ['border'], example: 'border',
  read(c) {
    if (c.has('remove', 'trim', 'not') || !c.take('border')) return null;
    c.takeAll('border');
    const px = numberWith(c, ['px'], true);
    const thickness = px ?? (c.take('thick') ? 'thick' : c.take('thin') ? 'thin' : 'normal');
    // "A 15px wide white border", "15px breiten", "de 15 px de large": beside its width in pixels,
    // a word for width or thickness only says what the number measures.
    if (px !== undefined) c.takeAll('width', 'thick', 'thin');
    c.take('edges');
    return { op: 'border', thickness, color: takeColor(c, [0, 0, 0]) };
  },
};

export const pad: Frame = {
  name: 'pad', triggers: ['pad', 'canvas', 'extend'], example: 'pad',
  read(c) {
    const padding = c.has('pad');
    // One word may say both ("amplía el lienzo" reads as one phrase).
    if (!padding && !(c.has('canvas') && c.has('extend', 'bigger'))) return null;
    c.takeAll('pad', 'canvas', 'extend', 'bigger');
    c.takeAll('pad', 'edges', 'corner');
    const pixels = numberWith(c, ['px'], true);
    const transparent = !!c.take('transparent');
    return { op: 'pad', pixels, color: transparent ? 'transparent' : takeColor(c, [255, 255, 255]) };
  },
};
