export type RGB = [number, number, number];

// The CSS named colours, plus everyday words people use in prompts. Except brown: CSS's #a52a2a is a
// dark red (OKLCh hue 26°, between a red cup and maroon), so "change brown to blue" took red cups and
// left wooden tables, and "make it brown" painted it dark red. Brown here is the colour people mean
// (#964b00, a dark orange at hue 55°), which "marron", "braun", "marrón", "棕色" and "茶色" all name.
const NAMED: Record<string, string> = {
  aliceblue: 'f0f8ff', antiquewhite: 'faebd7', aqua: '00ffff', aquamarine: '7fffd4', azure: 'f0ffff', beige: 'f5f5dc',
  bisque: 'ffe4c4', black: '000000', blanchedalmond: 'ffebcd', blue: '0000ff', blueviolet: '8a2be2', brown: '964b00',
  burlywood: 'deb887', cadetblue: '5f9ea0', chartreuse: '7fff00', chocolate: 'd2691e', coral: 'ff7f50', cornflowerblue: '6495ed',
  cornsilk: 'fff8dc', crimson: 'dc143c', cyan: '00ffff', darkblue: '00008b', darkcyan: '008b8b', darkgoldenrod: 'b8860b',
  darkgray: 'a9a9a9', darkgreen: '006400', darkgrey: 'a9a9a9', darkkhaki: 'bdb76b', darkmagenta: '8b008b', darkolivegreen: '556b2f',
  darkorange: 'ff8c00', darkorchid: '9932cc', darkred: '8b0000', darksalmon: 'e9967a', darkseagreen: '8fbc8f', darkslateblue: '483d8b',
  darkslategray: '2f4f4f', darkslategrey: '2f4f4f', darkturquoise: '00ced1', darkviolet: '9400d3', deeppink: 'ff1493',
  deepskyblue: '00bfff', dimgray: '696969', dimgrey: '696969', dodgerblue: '1e90ff', firebrick: 'b22222', floralwhite: 'fffaf0',
  forestgreen: '228b22', fuchsia: 'ff00ff', gainsboro: 'dcdcdc', ghostwhite: 'f8f8ff', gold: 'ffd700', goldenrod: 'daa520',
  gray: '808080', green: '008000', greenyellow: 'adff2f', grey: '808080', honeydew: 'f0fff0', hotpink: 'ff69b4', indianred: 'cd5c5c',
  indigo: '4b0082', ivory: 'fffff0', khaki: 'f0e68c', lavender: 'e6e6fa', lavenderblush: 'fff0f5', lawngreen: '7cfc00',
  lemonchiffon: 'fffacd', lightblue: 'add8e6', lightcoral: 'f08080', lightcyan: 'e0ffff', lightgoldenrodyellow: 'fafad2',
  lightgray: 'd3d3d3', lightgreen: '90ee90', lightgrey: 'd3d3d3', lightpink: 'ffb6c1', lightsalmon: 'ffa07a', lightseagreen: '20b2aa',
  lightskyblue: '87cefa', lightslategray: '778899', lightslategrey: '778899', lightsteelblue: 'b0c4de', lightyellow: 'ffffe0',
  lime: '00ff00', limegreen: '32cd32', linen: 'faf0e6', magenta: 'ff00ff', maroon: '800000', mediumaquamarine: '66cdaa',
  mediumblue: '0000cd', mediumorchid: 'ba55d3', mediumpurple: '9370db', mediumseagreen: '3cb371', mediumslateblue: '7b68ee',
  mediumspringgreen: '00fa9a', mediumturquoise: '48d1cc', mediumvioletred: 'c71585', midnightblue: '191970', mintcream: 'f5fffa',
  mistyrose: 'ffe4e1', moccasin: 'ffe4b5', navajowhite: 'ffdead', navy: '000080', oldlace: 'fdf5e6', olive: '808000',
  olivedrab: '6b8e23', orange: 'ffa500', orangered: 'ff4500', orchid: 'da70d6', palegoldenrod: 'eee8aa', palegreen: '98fb98',
  paleturquoise: 'afeeee', palevioletred: 'db7093', papayawhip: 'ffefd5', peachpuff: 'ffdab9', peru: 'cd853f', pink: 'ffc0cb',
  plum: 'dda0dd', powderblue: 'b0e0e6', purple: '800080', rebeccapurple: '663399', red: 'ff0000', rosybrown: 'bc8f8f',
  royalblue: '4169e1', saddlebrown: '8b4513', salmon: 'fa8072', sandybrown: 'f4a460', seagreen: '2e8b57', seashell: 'fff5ee',
  sienna: 'a0522d', silver: 'c0c0c0', skyblue: '87ceeb', slateblue: '6a5acd', slategray: '708090', slategrey: '708090',
  snow: 'fffafa', springgreen: '00ff7f', steelblue: '4682b4', tan: 'd2b48c', teal: '008080', thistle: 'd8bfd8', tomato: 'ff6347',
  turquoise: '40e0d0', violet: 'ee82ee', wheat: 'f5deb3', white: 'ffffff', whitesmoke: 'f5f5f5', yellow: 'ffff00',
  yellowgreen: '9acd32',
  // Everyday words that are not CSS names.
  cream: 'fffdd0', mint: '98ff98', peach: 'ffe5b4', rose: 'ff007f', sand: 'c2b280', charcoal: '36454f', emerald: '50c878',
  scarlet: 'ff2400', burgundy: '800020', mustard: 'ffdb58', lilac: 'c8a2c8', ochre: 'cc7722', amber: 'ffbf00', bronze: 'cd7f32',
  copper: 'b87333', sapphire: '0f52ba', ruby: 'e0115f', jade: '00a86b', offwhite: 'faf9f6', 'off-white': 'faf9f6',
};

/** The CSS named colours and the everyday colour words, as #hex, for the English lexicon. */
export const CSS_COLORS: Record<string, string> = Object.fromEntries(Object.entries(NAMED).map(([k, v]) => [k, `#${v}`]));

const toRgb = (hex: string): RGB => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as RGB;
const mix = (a: RGB, b: RGB, t: number): RGB => a.map((v, i) => Math.round(v + (b[i]! - v) * t)) as RGB;

const luma = ([r, g, b]: RGB) => 0.2126 * r + 0.7152 * g + 0.0722 * b;

/**
 * A colour made light or dark ("light blue", "azul claro", "hellblau", "深蓝"): the CSS colour people
 * mean by it when CSS names one (light blue is #add8e6, a pale sky blue, not blue washed with white,
 * which is periwinkle), provided it really is lighter or darker (CSS "darkgray" is lighter than
 * "gray"); otherwise the colour mixed 45% towards white or black.
 */
export function shade(base: RGB, kind: 'light' | 'dark'): RGB {
  const value = hex(base).slice(1);
  for (const [name, v] of Object.entries(NAMED)) {
    const variant = v === value ? NAMED[`${kind}${name}`] : undefined;
    if (!variant) continue;
    const rgb = toRgb(variant);
    const [was, now] = [luma(base), luma(rgb)];
    if (kind === 'light' ? now >= was + 0.15 * (255 - was) : now <= was * 0.85) return rgb;
  }
  return mix(base, kind === 'light' ? [255, 255, 255] : [0, 0, 0], 0.45);
}

const MODIFIED = /^(lighter|light|pale|darker|dark|deep|bright)\s+(.+)$/;

/** A colour from words: CSS names ("navy", "beige"), "sky blue", "#fa0", "#ff8800", "light/dark/lighter/darker X". */
export function parseColor(words: string): RGB | null {
  const w = words.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(w);
  if (hex) {
    const h = hex[1]!.length === 3 ? [...hex[1]!].map((c) => c + c).join('') : hex[1]!;
    return toRgb(h);
  }
  const named = NAMED[w.replace(/[\s-]+/g, '')] ?? NAMED[w];
  if (named) return toRgb(named);
  const mod = MODIFIED.exec(w);
  if (mod) {
    const base = parseColor(mod[2]!);
    if (!base) return null;
    const kind = mod[1]!;
    if (kind === 'light' || kind === 'pale') return shade(base, 'light');
    if (kind === 'lighter') return mix(base, [255, 255, 255], 0.3);
    if (kind === 'bright') return mix(base, [255, 255, 255], 0.15);
    if (kind === 'dark' || kind === 'deep') return shade(base, 'dark');
    return mix(base, [0, 0, 0], 0.3); // darker
  }
  return null;
}

/** A regex source matching one colour phrase (so rules can capture it), checked with parseColor afterwards. */
export const COLOR_PHRASE = String.raw`(#[0-9a-f]{3,6}|(?:(?:lighter|light|pale|darker|dark|deep|bright)\s+)?[a-z]+(?:[\s-][a-z]+)?)`;

export const hex = (c: RGB) => `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;

/**
 * The first colour named anywhere in a clause: tries three-, two- and one-word windows so that
 * "light green", "sky blue" and "#ff8800" are found inside longer sentences.
 */
export function findColor(clause: string): RGB | null {
  const words = clause.split(/\s+/).filter(Boolean);
  for (let i = 0; i < words.length; i++) {
    for (const len of [3, 2, 1]) {
      if (i + len > words.length) continue;
      const c = parseColor(words.slice(i, i + len).join(' '));
      if (c) return c;
    }
  }
  return null;
}
