/**
 * What one API key may use. Every field is optional: absent means the server-wide default
 * (RETOUCH_DEFAULT_*), and absent there means unlimited.
 */
export interface KeyLimits {
  /** Requests per minute. */
  rpm?: number;
  /** Images produced per UTC day. */
  imagesPerDay?: number;
  /** Images produced per UTC calendar month. */
  imagesPerMonth?: number;
  /** Edits in flight at once. */
  concurrent?: number;
  /** Spend budget: output megapixels per UTC calendar month (the unit usage records keep). */
  megapixelsPerMonth?: number;
}

export const LIMIT_NAMES = ['rpm', 'imagesPerDay', 'imagesPerMonth', 'concurrent', 'megapixelsPerMonth'] as const;

/** A key's own limits over the server's defaults; `null` in the key's own clears a default ("unlimited"). */
export function effectiveLimits(own: KeyLimits | null | undefined, defaults: KeyLimits): KeyLimits {
  const out: KeyLimits = {};
  for (const name of LIMIT_NAMES) {
    const v = own && name in own ? own[name] : defaults[name];
    if (typeof v === 'number' && v > 0) out[name] = v;
  }
  return out;
}

/** "rpm 60, 500 images/day" for listings. */
export function describeLimits(l: KeyLimits | null | undefined): string {
  if (!l) return '';
  const parts: string[] = [];
  if (l.rpm) parts.push(`${l.rpm} rpm`);
  if (l.imagesPerDay) parts.push(`${l.imagesPerDay} images/day`);
  if (l.imagesPerMonth) parts.push(`${l.imagesPerMonth} images/month`);
  if (l.concurrent) parts.push(`${l.concurrent} at once`);
  if (l.megapixelsPerMonth) parts.push(`${l.megapixelsPerMonth} MP/month`);
  return parts.join(', ');
}
