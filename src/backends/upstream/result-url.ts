import { errors } from '../../errors.ts';
import { safeFetch, SafeFetchError } from '../../net/safe-fetch.ts';

export interface ResultUrlOptions {
  /** The provider's name, for messages. */
  provider: string;
  /** The provider's configured base URL: its host is trusted (it may be a relay on a private network). */
  baseUrl: string;
  maxBytes: number;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Downloads an image an upstream answered with as `data[].url`, through the same safe fetcher as
 * remote inputs: a URL on the configured upstream's own host, or https to a public address (never
 * loopback, private, link-local or metadata addresses), pinned, without redirects, capped in size
 * and time. An upstream, or whoever sits between it and us, could otherwise make this server fetch
 * from its own network.
 */
export async function fetchResultUrl(url: string, opts: ResultUrlOptions): Promise<Buffer> {
  try {
    return await safeFetch(url, {
      maxBytes: opts.maxBytes, timeoutMs: opts.timeoutMs, signal: opts.signal, trustedHosts: [new URL(opts.baseUrl).hostname],
    });
  } catch (err) {
    if (opts.signal.aborted) throw errors.cancelled();
    if (!(err instanceof SafeFetchError)) throw err;
    const what = err.kind === 'refused' ? 'that this server will not fetch' : 'that could not be downloaded';
    throw errors.upstreamError(`The ${opts.provider} upstream returned an image URL ${what}: ${err.reason}.`);
  }
}
