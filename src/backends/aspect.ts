import type { SizeSpec } from '../edits/size.ts';

/** The ratio of a requested size, if it has one (WxH or W:H); `auto` and 1K/2K keep the input's. */
export function requestedRatio(size: SizeSpec): [number, number] | undefined {
  return size.kind === 'exact' || size.kind === 'aspect' ? [size.width, size.height] : undefined;
}

/** The ratio in `choices` ("16:9") nearest to w:h, compared on a log scale so 2:1 and 1:2 are equally far from 1:1. */
export function nearestRatio(w: number, h: number, choices: readonly string[]): string {
  const want = Math.log(w / h);
  let best = choices[0]!;
  let bestDistance = Infinity;
  for (const r of choices) {
    const [a, b] = r.split(':').map(Number) as [number, number];
    const d = Math.abs(Math.log(a / b) - want);
    if (d < bestDistance) { best = r; bestDistance = d; }
  }
  return best;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** w:h in lowest terms, held between 21:9 and 9:21 (the range FLUX models take). */
export function reducedRatio(w: number, h: number): string {
  if (w / h > 21 / 9) return '21:9';
  if (h / w > 21 / 9) return '9:21';
  const d = gcd(w, h);
  return `${w / d}:${h / d}`;
}
