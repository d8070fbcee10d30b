/** Table shapes as Kysely sees them; column names are snake_case in the database. */
export interface Database {
  api_keys: {
    id: string;
    name: string | null;
    prefix: string;
    hash: string;
    created_at: number;
    revoked_at: number | null;
    /** JSON of KeyLimits, or null for the server's defaults. */
    limits: string | null;
  };
  usage: {
    id: string;
    request_id: string;
    key_id: string | null;
    model: string | null;
    backend: string | null;
    status: number;
    error_code: string | null;
    input_bytes: number;
    input_pixels: number;
    output_bytes: number;
    output_pixels: number;
    latency_ms: number;
    created_at: number;
    upstream_model: string | null;
    /** JSON: every backend tried, in order, with its outcome. */
    attempts: string | null;
    upstream_latency_ms: number | null;
    input_tokens: number | null;
    output_tokens: number | null;
  };
}
