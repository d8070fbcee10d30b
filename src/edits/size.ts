import { errors } from '../errors.ts';

/** What the client asked of the output's dimensions. */
export type SizeSpec =
  | { kind: 'auto' }
  /** Exactly this many pixels; cover-fit with an attention crop when the aspect differs. */
  | { kind: 'exact'; width: number; height: number }
  /** Keep the source's pixels as far as possible, cropped to this aspect ratio. */
  | { kind: 'aspect'; width: number; height: number }
  /** Longest side this many pixels, aspect kept (`512`, `1K`, `2K`, `4K`). */
  | { kind: 'longest'; pixels: number; label: string };

export const MIN_SIDE = 16;
export const MAX_SIDE = 8192;
const TIERS: Record<string, number> = { '512': 512, '1K': 1024, '2K': 2048, '4K': 4096 };

const invalid = (value: string) =>
  errors.invalidValue('size', `Invalid size '${value}'. Use auto, WxH (each side ${MIN_SIDE}–${MAX_SIDE}, e.g. 1024x1024), an aspect ratio W:H (e.g. 16:9), 512, 1K, 2K or 4K.`);

/** Parses the `size` field as the contract describes; anything else is a 400 naming `size`. */
export function parseSize(raw: string | undefined): SizeSpec {
  const value = raw?.trim() ?? '';
  if (value === '' || value.toLowerCase() === 'auto') return { kind: 'auto' };
  const tier = TIERS[value.toUpperCase()];
  if (tier) return { kind: 'longest', pixels: tier, label: value.toUpperCase() };
  const exact = /^(\d{1,5})\s*[x×]\s*(\d{1,5})$/i.exec(value);
  if (exact) {
    const width = Number(exact[1]);
    const height = Number(exact[2]);
    if ([width, height].some((s) => s < MIN_SIDE || s > MAX_SIDE)) throw invalid(value);
    return { kind: 'exact', width, height };
  }
  const aspect = /^(\d{1,3}):(\d{1,3})$/.exec(value);
  if (aspect) {
    const width = Number(aspect[1]);
    const height = Number(aspect[2]);
    if (width < 1 || height < 1 || width / height > 21 || height / width > 21) throw invalid(value);
    return { kind: 'aspect', width, height };
  }
  throw invalid(value);
}

/** The output dimensions a size spec gives for a source of the given size. */
export function targetDimensions(spec: SizeSpec, width: number, height: number): { width: number; height: number } {
  switch (spec.kind) {
    case 'auto': return { width, height };
    case 'exact': return { width: spec.width, height: spec.height };
    case 'longest': {
      const scale = spec.pixels / Math.max(width, height);
      return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
    }
    case 'aspect': {
      const want = spec.width / spec.height;
      return width / height > want
        ? { width: Math.max(1, Math.round(height * want)), height }
        : { width, height: Math.max(1, Math.round(width / want)) };
    }
  }
}
