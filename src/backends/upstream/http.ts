import { setTimeout as sleep } from 'node:timers/promises';
import { errors, RetouchError } from '../../errors.ts';

/** What came back from an upstream, body read in full (up to a cap). */
export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** How many attempts it took (1 = no retry). */
  attempts: number;
  latencyMs: number;
}

export interface CallOptions {
  /** Name used in error messages ("gemini", "openai"); never the URL, which may carry secrets. */
  provider: string;
  timeoutMs: number;
  retries: number;
  maxResponseBytes: number;
  signal: AbortSignal;
  /** Base of the exponential backoff; tests shorten it. */
  backoffMs?: number;
  /**
   * Reads a 200 answer itself (a relayed event stream) instead of buffering it, or returns
   * undefined to leave it to the default. What it throws as a RetouchError is not retried.
   */
  readOk?: (res: Response) => Promise<Buffer> | undefined;
}

const RETRY_STATUSES = new Set([408, 409, 429]);
const MAX_RETRY_AFTER_MS = 60_000;

export const isRetryableStatus = (status: number) => RETRY_STATUSES.has(status) || status >= 500;

/** retry-after-ms, or retry-after as seconds or an HTTP date; undefined when absent or beyond 60 s. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms <= MAX_RETRY_AFTER_MS ? ms : undefined;
  const raw = headers.get('retry-after');
  if (!raw) return undefined;
  const seconds = Number(raw);
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - now;
  return Number.isFinite(wait) && wait >= 0 && wait <= MAX_RETRY_AFTER_MS ? wait : undefined;
}

/** openai-node's schedule: 0.5 s doubling to at most 8 s, minus up to 25% jitter. */
function backoff(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** attempt, 8000) * (1 - Math.random() * 0.25);
}

async function readCapped(res: Response, max: number, provider: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > max) throw errors.upstreamError(`The ${provider} upstream sent a response larger than ${max} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > max) throw errors.upstreamError(`The ${provider} upstream sent a response larger than ${max} bytes.`);
    // A view of fetch's chunk, not a copy: Buffer.concat below copies once.
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, size);
}

/**
 * One upstream call with the retry contract of openai-node: 408/409/429/5xx, connection errors and
 * per-attempt timeouts are retried up to `retries` times with jittered backoff (or the upstream's
 * retry-after, up to 60 s). Any other status is returned for the adapter to map. `init` is called per
 * attempt because a streamed body cannot be sent twice.
 */
export async function callUpstream(url: string, init: () => RequestInit, opts: CallOptions): Promise<UpstreamResponse> {
  const started = performance.now();
  let lastFailure: RetouchError | undefined;
  for (let attempt = 0; attempt <= opts.retries; attempt++) {
    if (opts.signal.aborted) throw errors.cancelled();
    const timeout = AbortSignal.timeout(opts.timeoutMs);
    const signal = AbortSignal.any([opts.signal, timeout]);
    let wait: number | undefined;
    try {
      const res = await fetch(url, { ...init(), signal, redirect: 'error' });
      const body = await ((res.status === 200 ? opts.readOk?.(res) : undefined) ?? readCapped(res, opts.maxResponseBytes, opts.provider));
      const result = { status: res.status, headers: res.headers, body, attempts: attempt + 1, latencyMs: performance.now() - started };
      if (!isRetryableStatus(res.status) || attempt === opts.retries) return result;
      wait = retryAfterMs(res.headers);
      lastFailure = errors.upstreamError(`The ${opts.provider} upstream answered ${res.status}.`);
    } catch (err) {
      if (opts.signal.aborted) throw errors.cancelled();
      if (err instanceof RetouchError) throw err; // over the size cap: retrying will not shrink it
      lastFailure = timeout.aborted
        ? errors.upstreamTimeout(`The ${opts.provider} upstream did not answer within ${Math.round(opts.timeoutMs / 1000)} s.`)
        : errors.upstreamError(`Could not reach the ${opts.provider} upstream.`, err);
      if (attempt === opts.retries) throw Object.assign(lastFailure, { calls: attempt + 1 });
    }
    await sleep(wait ?? backoff(attempt, opts.backoffMs ?? 500), undefined, { signal: opts.signal }).catch(() => {
      throw errors.cancelled();
    });
  }
  throw lastFailure ?? errors.upstreamError(`The ${opts.provider} upstream failed.`);
}
