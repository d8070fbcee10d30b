/** The admin API as the console uses it: plain fetches with the admin key, nothing a script could not do. */
import { ApiError, type ApiErrorBody } from '../api.ts';

export interface Limits { rpm?: number; images_per_day?: number; images_per_month?: number; concurrent?: number; megapixels_per_month?: number }
export interface ApiKey { id: string; name: string | null; prefix: string; created_at: number; revoked_at: number | null; limits: Limits | null; scopes: string[] }
export interface UsageRow {
  bucket_start: string; group: string | null; requests: number; images: number; errors: number; refusals: number;
  latency_ms: { p50: number; p95: number; p99: number }; input_tokens: number; output_tokens: number; output_pixels: number;
}
export interface Failure { request_id: string; created_at: number; key_id: string | null; model: string | null; backend: string | null; status: number; error_code: string | null }
export interface UsageParams { from: number; to: number; bucket: 'hour' | 'day'; groupBy?: 'model' | 'backend'; keyId?: string }

export class AdminApi {
  constructor(private readonly key: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) {
      const json = await res.json().catch(() => null);
      const err: ApiErrorBody = json?.error ?? { message: `The server answered ${res.status}.`, type: 'server_error', param: null, code: null };
      throw new ApiError(res.status, err);
    }
    return res;
  }

  async keys(): Promise<ApiKey[]> { return (await (await this.call('GET', '/v1/admin/keys')).json()).data; }
  async create(input: { name?: string; admin?: boolean; limits?: Limits }): Promise<ApiKey & { secret: string }> {
    return (await this.call('POST', '/v1/admin/keys', input)).json();
  }
  async setLimits(id: string, limits: Record<string, number | null>): Promise<ApiKey> {
    return (await this.call('PATCH', `/v1/admin/keys/${encodeURIComponent(id)}`, { limits })).json();
  }
  async revoke(id: string): Promise<ApiKey> { return (await this.call('POST', `/v1/admin/keys/${encodeURIComponent(id)}/revoke`)).json(); }
  async rotate(id: string): Promise<ApiKey & { secret: string }> { return (await this.call('POST', `/v1/admin/keys/${encodeURIComponent(id)}/rotate`)).json(); }

  private usageQuery(p: UsageParams, format?: 'csv'): string {
    const q = new URLSearchParams({ from: String(p.from), to: String(p.to), bucket: p.bucket });
    if (p.groupBy) q.set('group_by', p.groupBy);
    if (p.keyId) q.set('key_id', p.keyId);
    if (format) q.set('format', format);
    return `/v1/admin/usage?${q}`;
  }
  async usage(p: UsageParams): Promise<UsageRow[]> { return (await (await this.call('GET', this.usageQuery(p))).json()).data; }
  async usageCsv(p: UsageParams): Promise<Blob> { return (await this.call('GET', this.usageQuery(p, 'csv'))).blob(); }
  async failures(limit = 20): Promise<Failure[]> { return (await (await this.call('GET', `/v1/admin/failures?limit=${limit}`)).json()).data; }
}
