import type { z } from 'zod';
import type { KeyView } from '../../keys/index.ts';
import { LIMIT_NAMES, type KeyLimits } from '../../keys/limits.ts';
import type { AuditRecord, UsageRecord, UsageSeriesRow } from '../../store/index.ts';
import type { ApiKey, AuditEntry, Failure, Limits, LimitsPatch, UsageRow } from './schemas.ts';

/** KeyLimits' names on the wire (snake_case), one table for both directions. */
const WIRE_NAME: Record<(typeof LIMIT_NAMES)[number], keyof z.infer<typeof Limits>> = {
  rpm: 'rpm', imagesPerDay: 'images_per_day', imagesPerMonth: 'images_per_month', concurrent: 'concurrent', megapixelsPerMonth: 'megapixels_per_month',
};

export function limitsToWire(l: KeyLimits | null): z.infer<typeof Limits> | null {
  if (!l) return null;
  const out: z.infer<typeof Limits> = {};
  for (const name of LIMIT_NAMES) if (l[name] !== undefined) out[WIRE_NAME[name]] = l[name];
  return out;
}

/** Wire limits to KeyLimits; a cleared one (null) becomes 0, which KeyService.update reads as "back to the default". */
export function limitsFromWire(w: z.infer<typeof Limits> | z.infer<typeof LimitsPatch>): KeyLimits {
  const out: KeyLimits = {};
  for (const name of LIMIT_NAMES) {
    const v = w[WIRE_NAME[name]];
    if (v !== undefined) out[name] = v ?? 0;
  }
  return out;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

export const keyToWire = (k: KeyView): z.infer<typeof ApiKey> => ({
  object: 'api_key', id: k.id, name: k.name, prefix: k.prefix, created_at: seconds(k.createdAt),
  revoked_at: k.revokedAt === null ? null : seconds(k.revokedAt), limits: limitsToWire(k.limits), scopes: k.scopes ?? [],
});

export const usageRowToWire = (r: UsageSeriesRow): z.infer<typeof UsageRow> => ({
  bucket_start: new Date(r.bucket).toISOString(), group: r.group, requests: r.requests, images: r.images, errors: r.errors,
  refusals: r.refusals, latency_ms: r.latencyMs, input_tokens: r.inputTokens, output_tokens: r.outputTokens, output_pixels: r.outputPixels,
});

export const failureToWire = (u: UsageRecord): z.infer<typeof Failure> => ({
  request_id: u.requestId, created_at: seconds(u.createdAt), key_id: u.keyId, model: u.model, backend: u.backend,
  status: u.status, error_code: u.errorCode, latency_ms: u.latencyMs,
});

export const auditToWire = (a: AuditRecord): z.infer<typeof AuditEntry> => ({
  id: a.id, at: a.at, actor: a.actor, action: a.action, target: a.target, status: a.status, request_id: a.requestId, detail: a.detail,
});

const CSV_COLUMNS = ['bucket_start', 'group', 'requests', 'images', 'errors', 'refusals', 'latency_p50_ms', 'latency_p95_ms', 'latency_p99_ms', 'input_tokens', 'output_tokens', 'output_pixels'];

/**
 * One CSV field: quoted when it holds a comma, quote or line break; a text starting like a formula
 * (= + - @) is prefixed with ' so a spreadsheet shows it rather than runs it (model names are what
 * clients sent).
 */
function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The usage rows as CSV (RFC 4180, CRLF line ends), a header line first. */
export function usageCsv(rows: Array<z.infer<typeof UsageRow>>): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.bucket_start, r.group, r.requests, r.images, r.errors, r.refusals, r.latency_ms.p50, r.latency_ms.p95, r.latency_ms.p99,
      r.input_tokens, r.output_tokens, r.output_pixels].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
