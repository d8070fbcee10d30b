// Which pixels are "the red things": how much each pixel belongs to the colour a recolour starts
// from, 0–1, as a continuous function of its colour. Plain JS, imported by workers.mjs (worker
// threads run without a TypeScript loader).
//
// Colours are compared in OKLab/OKLCh, where hue is close to how people see it and stays put when
// a surface is in light or shadow (scaling linear RGB scales L, a and b alike, so hue and C/L are
// unchanged). HSV hue is not: it puts a brown table 26° from red and pale blue sky 30° from blue,
// which is how "change red to blue" used to turn the table blue and "change blue to green" stopped
// partway down the sky.

/** sRGB 0–255 → linear light, by table. */
const LINEAR = Float64Array.from({ length: 256 }, (_, i) => {
  const v = i / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
});

/** OKLab (Björn Ottosson, 2020) of an sRGB pixel: [L, a, b], L 0–1. */
export function oklab(r, g, b) {
  const R = LINEAR[r], G = LINEAR[g], B = LINEAR[b];
  const l = Math.cbrt(0.4122214708 * R + 0.5363325363 * G + 0.0514459929 * B);
  const m = Math.cbrt(0.2119034982 * R + 0.6806995451 * G + 0.1073969566 * B);
  const s = Math.cbrt(0.0883024619 * R + 0.2817188376 * G + 0.6299787005 * B);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

const hueOf = (a, b) => ((Math.atan2(b, a) * 180) / Math.PI + 360) % 360;
/** Signed hue difference b − a, in (−180, 180]. */
const hueDelta = (a, b) => {
  const d = (((b - a) % 360) + 360) % 360;
  return d > 180 ? d - 360 : d;
};

/** 0 below `lo`, 1 above `hi`, smooth (C¹) between. */
const smoothstep = (lo, hi, x) => {
  const t = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
};

/**
 * Where one colour word ends and the next begins around the OKLCh hue circle: red, orange, yellow,
 * green, cyan, blue, purple. Each is halfway between the hues of the words' sRGB foci (#ff0000
 * 29°, #ff8000 53°, #ffff00 110°, #00ff00 142°, #00ffff 195°, #0000ff 264°, #ff00ff 328°), except
 * cyan | blue: English calls #add8e6 (220°) "light blue" and #87ceeb (226°) "sky blue", but
 * #00ced1 (200°) "turquoise", so that boundary sits at 212°, not halfway (229°).
 * A brown table (#8a5a34, 58°) is on the orange side of red's boundary; pale blue sky (235–250°) inside blue.
 */
const BOUNDARIES = [41.1, 81.4, 126.1, 168.6, 212, 296.2, 358.8];

/** Half-width (degrees) of the soft edge at a hue boundary: continuous weights, no hard line in a gradient. */
const HUE_EDGE = 8;
/** Chroma (OKLCh C) below which a pixel is grey to the eye and its hue is noise; full membership above CHROMA_FULL. */
const CHROMA_NONE = 0.01;
const CHROMA_FULL = 0.025;
/**
 * Reds, oranges and yellows go by other names when they are dull: pink, skin, tan, beige, cream (a
 * cream wall is not "yellow", a face not "red"), where pale blue sky is still blue and pale green
 * still green. In that range of hue a pixel needs some saturation (C/L, which shading does not
 * change) to count; a dull source colour ("change the pink to…") lowers the bar to its own.
 */
const WARM = { from: -5, to: 115 };
const DULL = { none: 0.06, full: 0.14 };

/**
 * Orange in shadow is brown, and hue and saturation (C/L) cannot tell them apart: CSS's
 * saddlebrown and darkorange have the same C/L. What people call brown is the orange stretch of hue
 * when it is dark (a wooden table: L 0.35–0.50), orange when it is light (a lit orange: L 0.68 and
 * up). So in that stretch a source is one or the other by its lightness, and pixels are split at
 * L 0.60 with a soft edge of ±0.05. A pixel inside the edge could be either (a light wood, an orange
 * in deep shade): the recolour counts them (`doubt`) and refuses when they are more than a trace.
 */
const ORANGE = 1; // index of the orange stretch (41.1°–81.4°) in BOUNDARIES' sectors
const TONE = { lo: 0.55, hi: 0.65 };
/** Brown is a dull colour by nature (dark wood has C/L 0.12–0.17): its bar is lower than the warm colours'. */
const BROWN_DULL = { none: 0.03, full: 0.08 };
/**
 * A dull source (pink, tan, beige: C/L under DULL.full) is not the saturated colour of the same hue:
 * "change pink to blue" should not take the red cup, nor "change tan to…" the orange. Pixels more
 * than 1.5 times as saturated as the source start to fall out, and are out at twice.
 */
const DULLER = { none: 2, full: 1.5 };

/**
 * The colour a recolour starts from, as membership: a function of a pixel's OKLab L, a, b giving
 * 0–1. `hue` is the OKLCh hue of the source; `saturation` its C/L (for a dull source's bar);
 * `lightness` its L, which in the orange stretch says whether it is orange or brown (null: either,
 * by hue alone, as for a dominant hue found inside a mask). A function for the orange stretch has a
 * `doubt(L, a, b)`: whether a pixel of that stretch is too near the orange/brown split to place.
 */
export function membership(hue, saturation = 1, lightness = null) {
  // The colour word the source falls under: the stretch of hue between two boundaries, as signed
  // limits around the source, widened to keep the source itself clear of the soft edge.
  let k = BOUNDARIES.findIndex((b) => hue < b);
  if (k < 0) k = 0; // past the last boundary: red, which wraps through 0°
  const upper = BOUNDARIES[k];
  const lower = BOUNDARIES[(k + BOUNDARIES.length - 1) % BOUNDARIES.length];
  const high = Math.max(hueDelta(hue, upper), HUE_EDGE);
  const low = Math.min(hueDelta(hue, lower), -HUE_EDGE);
  const tone = k === ORANGE && lightness !== null ? (lightness < (TONE.lo + TONE.hi) / 2 ? 'brown' : 'orange') : null;
  const hued = huedIn(hue, high, low, tone, saturation);
  if (!tone) return hued;
  // The other tone of the stretch, as a plain orange or brown source would take it: for telling
  // whether the image has any of it (toneOf).
  const other = huedIn(hue, high, low, tone === 'orange' ? 'brown' : 'orange', 1);
  const lit = (L) => smoothstep(TONE.lo, TONE.hi, L);
  const member = tone === 'orange' ? (L, a, b) => hued(L, a, b) * lit(L) : (L, a, b) => hued(L, a, b) * (1 - lit(L));
  member.doubt = (L, a, b) => {
    const t = lit(L);
    return t > 0.15 && t < 0.85 && hued(L, a, b) >= 0.5;
  };
  member.tone = tone;
  member.hued = hued;
  member.other = other;
  member.lit = lit;
  return member;
}

/** Membership by hue (and dullness) alone, in the stretch `low`–`high` (signed degrees) around `hue`. */
function huedIn(hue, high, low, tone, saturation) {
  const bar = Math.min(1, saturation / DULL.full);
  const dullNone = tone === 'brown' ? BROWN_DULL.none : DULL.none * bar;
  const dullFull = tone === 'brown' ? BROWN_DULL.full : DULL.full * bar;
  const duller = saturation < DULL.full;
  return (L, a, b) => {
    const C = Math.hypot(a, b);
    if (C <= CHROMA_NONE) return 0;
    const h = hueOf(a, b);
    const d = hueDelta(hue, h);
    const wHue = (1 - smoothstep(high - HUE_EDGE, high + HUE_EDGE, d)) * smoothstep(low - HUE_EDGE, low + HUE_EDGE, d);
    if (wHue === 0) return 0;
    const w = hueDelta(WARM.from, h);
    const warm = smoothstep(-HUE_EDGE, HUE_EDGE, w) * (1 - smoothstep(WARM.to - WARM.from - HUE_EDGE, WARM.to - WARM.from + HUE_EDGE, w < -90 ? w + 360 : w));
    const s = C / Math.max(L, 1e-3);
    const wDull = 1 - warm * (1 - smoothstep(dullNone, dullFull, s));
    const wDuller = duller ? 1 - smoothstep(DULLER.full * saturation, DULLER.none * saturation, s) : 1;
    return wHue * smoothstep(CHROMA_NONE, CHROMA_FULL, C) * wDull * wDuller;
  };
}

/**
 * Whether an image has orange, brown or both, for a source in the orange stretch. The split by
 * lightness is only needed when it has both: an orange ball with ordinary shading always has more
 * than a trace of pixels near the split (and its shaded side below it), so splitting refused
 * "change orange to green" on every photo of an orange thing, and would have left its dark side.
 *
 * Counted by colour, in a histogram of the image (6 bits a channel: one pass of integer work over
 * the pixels, then the colour maths once per colour present): pixels clearly orange (L ≥ ~0.63) and
 * clearly brown (L ≤ ~0.57), each by its own tone's hue and dullness. Shading keeps a surface's
 * hue and C/L, or in a photo (gamma, contrast) makes it more saturated and a little redder as it
 * darkens, where brown things (wood, leather, soil) are duller than orange ones. So dark pixels are
 * set against the image's orange pixels of nearly their hue (±8°) that are no more saturated than
 * they are (+0.02 C/L), up to SHADE_RATIO times as many: those may be its shaded side. Only the
 * rest is brown in its own right. A wooden table (C/L 0.14–0.16) under an orange ball (0.18–0.24)
 * is 100 times the ball's pixels that dull: brown. A ball shaded from L 0.8 to 0.45 leaves none.
 */
const TONE_BINS = { hueFrom: 24, hueStep: 4, hues: 20, satStep: 0.02, sats: 30 };
const SHADE_RATIO = 4;
const SHADE_HUE = 2;

export function toneCounts(data, n, channels, member, mask) {
  const hist = new Uint32Array(1 << 18);
  let area = 0;
  for (let i = 0, o = 0; i < n; i++, o += channels) {
    if (mask && mask[i] < 128) continue;
    hist[((data[o] >> 2) << 12) | ((data[o + 1] >> 2) << 6) | (data[o + 2] >> 2)]++;
    area++;
  }
  const { hueFrom, hueStep, hues, satStep, sats } = TONE_BINS;
  const bins = { orange: new Float64Array(hues * sats), brown: new Float64Array(hues * sats) };
  const orangeOf = member.tone === 'orange' ? member.hued : member.other;
  const brownOf = member.tone === 'brown' ? member.hued : member.other;
  let orange = 0, brown = 0;
  for (let q = 0; q < hist.length; q++) {
    const count = hist[q];
    if (count === 0) continue;
    const [L, a, b] = oklab(((q >> 12) << 2) + 2, (((q >> 6) & 63) << 2) + 2, ((q & 63) << 2) + 2);
    const t = member.lit(L);
    const tone = t >= 0.85 && orangeOf(L, a, b) >= 0.5 ? 'orange' : t <= 0.15 && brownOf(L, a, b) >= 0.5 ? 'brown' : null;
    if (!tone) continue;
    if (tone === 'orange') orange += count; else brown += count;
    const h = Math.floor((hueOf(a, b) - hueFrom) / hueStep);
    const s = Math.min(sats - 1, Math.floor(Math.hypot(a, b) / Math.max(L, 1e-3) / satStep));
    if (h >= 0 && h < hues) bins[tone][h * sats + s] += count;
  }
  let brownAlone = 0;
  for (let h = 0; h < hues; h++) for (let s = 0; s < sats; s++) {
    const here = bins.brown[h * sats + s];
    if (here === 0) continue;
    let lit = 0;
    for (let hh = Math.max(0, h - SHADE_HUE); hh <= Math.min(hues - 1, h + SHADE_HUE); hh++) {
      for (let ss = 0; ss <= Math.min(sats - 1, s + 1); ss++) lit += bins.orange[hh * sats + ss];
    }
    brownAlone += Math.max(0, here - SHADE_RATIO * lit);
  }
  // Brown outside the binned hues (none: the stretch and its soft edge are inside them) is alone.
  let binned = 0;
  for (const v of bins.brown) binned += v;
  brownAlone += brown - binned;
  return { orange, brown, brownAlone, area };
}

/**
 * The membership to use for `member` on this image (toneCounts): `member` itself, splitting orange
 * from brown by lightness, when the image has both; the whole stretch, orange and brown with its
 * shading, when it has only the colour asked for; null (nothing is that colour) when it has only
 * the other, so "change orange to green" on a brown table finds nothing rather than taking the
 * table. Negligible is under max(64, 0.1%) of the pixels looked at. `stats.tones` gets the counts.
 */
export function forImage(member, data, n, channels, mask, stats) {
  if (!member || !member.tone) return member;
  const counts = toneCounts(data, n, channels, member, mask);
  const some = (count) => count >= Math.max(64, counts.area * 0.001);
  const orange = some(counts.orange), brown = some(counts.brownAlone);
  const [mine, theirs] = member.tone === 'orange' ? [orange, brown] : [brown, orange];
  const use = mine && !theirs ? 'whole' : theirs && !mine ? 'none' : 'split';
  if (stats) stats.tones = { ...counts, use };
  if (use === 'none') return null;
  if (use === 'split') return member;
  const { hued, other, lit } = member;
  return member.tone === 'orange'
    ? (L, a, b) => { const t = lit(L); return t === 1 ? hued(L, a, b) : hued(L, a, b) * t + other(L, a, b) * (1 - t); }
    : (L, a, b) => { const t = lit(L); return t === 0 ? hued(L, a, b) : hued(L, a, b) * (1 - t) + other(L, a, b) * t; };
}

/**
 * How much a pixel is white, grey or black like a neutral source: low chroma, and lightness near
 * the source's. A black thing under light is dark grey and a white one a little below white, so the
 * source's lightness is taken as at least that of sRGB 30 and at most that of 242 (as painting
 * does); full within 0.15 of it, none beyond 0.3, smoothly between, and the chroma allowed fades
 * out smoothly too: a continuous weight, no hard line where a gradient crosses a threshold.
 */
const NEUTRAL = 0.04;
const NEUTRAL_L = { full: 0.15, none: 0.3 };
function neutral(L0, C0) {
  const l0 = Math.min(oklab(242, 242, 242)[0], Math.max(oklab(30, 30, 30)[0], L0));
  const cFull = Math.max(NEUTRAL, C0 + 0.015), cNone = cFull + 0.035;
  return (L, a, b) => {
    const C = Math.hypot(a, b);
    if (C >= cNone) return 0;
    return (1 - smoothstep(cFull, cNone, C)) * (1 - smoothstep(NEUTRAL_L.full, NEUTRAL_L.none, Math.abs(L - l0)));
  };
}

/** Whether an sRGB colour is white, grey or black to the eye (or nearly: beige, ivory, slate grey). */
export function isNeutral([r, g, b]) {
  const [, A, B] = oklab(r, g, b);
  return Math.hypot(A, B) < NEUTRAL;
}

/**
 * The membership of pixels in the colour of an sRGB source: by hue (and, for orange and brown, by
 * lightness) for a colour; by lightness among low-chroma pixels for a neutral one, when `neutrals`
 * (a recolour inside a thing: "the white car"); else null for a neutral source.
 */
export function membershipOf([r, g, b], { neutrals = false } = {}) {
  const [L, A, B] = oklab(r, g, b);
  const C = Math.hypot(A, B);
  if (C < NEUTRAL) return neutrals ? neutral(L, C) : null;
  return membership(hueOf(A, B), C / Math.max(L, 1e-3), L);
}

/**
 * The dominant hue of the coloured pixels `weight` picks (at least half), by a chroma-weighted
 * 36-bin histogram of OKLCh hue, or null when nothing there has colour.
 */
export function dominantHue(data, n, channels, weight) {
  const bins = new Float64Array(36);
  for (let i = 0; i < n; i++) {
    if (weight(i) < 0.5) continue;
    const o = i * channels;
    const [, a, b] = oklab(data[o], data[o + 1], data[o + 2]);
    const C = Math.hypot(a, b);
    if (C >= CHROMA_FULL) bins[Math.floor(hueOf(a, b) / 10) % 36] += C;
  }
  let best = 0;
  for (let i = 1; i < 36; i++) if (bins[i] > bins[best]) best = i;
  return bins[best] > 0 ? best * 10 + 5 : null;
}

/** Radius of the window a pixel's colour is averaged over before it is judged. */
const RADIUS = 2;
/**
 * Neighbours averaged in are those this close in colour (OKLab a–b distance, and lightness): JPEG's
 * noise and ringing are well inside, the far side of an edge (sky against grass, a window against
 * the car's body) well outside, so an edge keeps its place.
 */
const NEAR_AB = 0.05;
const NEAR_L = 0.12;

/**
 * Membership of every pixel, as bytes (0–255), times `mask` (bytes) when there is one. A pixel's a
 * and b are first averaged with its neighbours of nearly the same colour (a sigma filter over a
 * (2·RADIUS+1)² window): JPEG stores colour at half resolution and with noise, and near grey one
 * level of noise swings the hue by degrees, which made stripes in a smooth sky and pale rims inside
 * light-blue windows. Lightness is the pixel's own. Rows stream through a ring of a few rows, so
 * memory is not another copy of the image. `stats.doubtful`, when given, is set to the number of
 * pixels the member's `doubt` is true of (orange or brown, too near the split to place).
 */
export function memberships(data, width, height, channels, member, mask, stats) {
  const out = new Uint8Array(width * height);
  const rows = 2 * RADIUS + 1;
  const ring = Array.from({ length: rows }, () => ({ L: new Float32Array(width), A: new Float32Array(width), B: new Float32Array(width) }));
  const fill = (y) => {
    const { L, A, B } = ring[y % rows];
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      const [l, a, b] = oklab(data[o], data[o + 1], data[o + 2]);
      L[x] = l; A[x] = a; B[x] = b;
    }
  };
  for (let y = 0; y < Math.min(RADIUS, height); y++) fill(y);
  const near2 = NEAR_AB * NEAR_AB;
  const doubt = member.doubt;
  let doubtful = 0;
  for (let y = 0; y < height; y++) {
    if (y + RADIUS < height) fill(y + RADIUS);
    const y0 = Math.max(0, y - RADIUS), y1 = Math.min(height - 1, y + RADIUS);
    const { L, A, B } = ring[y % rows];
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const wMask = mask ? mask[i] : 255;
      if (wMask === 0) continue;
      const l = L[x], a0 = A[x], b0 = B[x];
      const x0 = Math.max(0, x - RADIUS), x1 = Math.min(width - 1, x + RADIUS);
      let a = 0, b = 0, count = 0;
      for (let r = y0; r <= y1; r++) {
        const row = ring[r % rows];
        for (let xx = x0; xx <= x1; xx++) {
          const da = row.A[xx] - a0, db = row.B[xx] - b0;
          if (da * da + db * db > near2 || Math.abs(row.L[xx] - l) > NEAR_L) continue;
          a += row.A[xx]; b += row.B[xx]; count++;
        }
      }
      out[i] = Math.round(member(l, a / count, b / count) * wMask);
      if (doubt && wMask >= 128 && doubt(l, a / count, b / count)) doubtful++;
    }
  }
  if (stats) stats.doubtful = doubtful;
  return out;
}
