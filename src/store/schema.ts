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
    /** JSON array of scopes beyond editing (`["admin"]`), or null. */
    scopes: string | null;
    webhook_secret: string | null;
  };
  jobs: {
    id: string;
    request_id: string;
    key_id: string | null;
    status: string;
    model: string;
    created_at: number;
    updated_at: number;
    /** JSON of the answer, once succeeded. */
    result: string | null;
    /** JSON of the error object, once failed or canceled. */
    error: string | null;
    response_format: string;
    webhook_url: string | null;
    webhook_next_at: number | null;
    webhook_delivered_at: number | null;
  };
  webhook_attempts: {
    job_id: string;
    at: number;
    status: number | null;
    error: string | null;
    duration_ms: number;
  };
  idempotency: {
    /** '' for requests made without a key (a server with no keys configured). */
    key_id: string;
    key: string;
    fingerprint: string;
    job_id: string;
    created_at: number;
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
    /** Images produced; null in records kept before 0005. */
    images: number | null;
  };
  audit_log: {
    id: string;
    at: number;
    actor: string;
    action: string;
    target: string | null;
    status: number;
    request_id: string;
    /** JSON of what changed (never a secret). */
    detail: string | null;
  };
}
