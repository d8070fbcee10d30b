import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPublicAddress } from './address.ts';

export interface SafeFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** URL schemes fetched from public hosts; https only unless told otherwise. */
  protocols?: string[];
  /**
   * Host names trusted whatever their address and scheme (http or https): a configured upstream's
   * own host, which may sit on a private network, for the result URLs it hands out.
   */
  trustedHosts?: string[];
  /** Tests only: lets a loopback stand-in serve the image. */
  allowPrivateAddresses?: boolean;
  signal?: AbortSignal;
}

/** Why a fetch was refused or failed; `reason` is public (no address, no URL beyond the host's kind). */
export class SafeFetchError extends Error {
  constructor(readonly reason: string, readonly kind: 'refused' | 'failed' | 'too_large' | 'aborted') {
    super(reason);
    this.name = 'SafeFetchError';
  }
}

/**
 * Parses and checks a URL a server-side request is about to go to: scheme, then every address the
 * host resolves to (public unicast only, unless trusted or allowed), and a lookup function pinned to
 * the checked address, so DNS cannot switch to an internal one between check and connect.
 */
export async function checkedTarget(rawUrl: string, opts: Pick<SafeFetchOptions, 'protocols' | 'trustedHosts' | 'allowPrivateAddresses'>): Promise<{ url: URL; lookup: LookupFunction }> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new SafeFetchError('it is not a valid URL', 'refused');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const trusted = (opts.trustedHosts ?? []).some((h) => h.replace(/^\[|\]$/g, '').toLowerCase() === host);
  const protocols = trusted ? ['http:', 'https:'] : opts.protocols ?? ['https:'];
  if (!protocols.includes(url.protocol)) {
    throw new SafeFetchError(`only ${protocols.map((p) => p.slice(0, -1)).join(' and ')} URLs are fetched`, 'refused');
  }
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  if (addresses.length === 0) throw new SafeFetchError('the host name does not resolve', 'failed');
  if (!trusted && !opts.allowPrivateAddresses && !addresses.every((a) => isPublicAddress(a.address))) {
    throw new SafeFetchError('the host is not a public address', 'refused');
  }
  const pinned = addresses[0]!;
  const pinnedLookup = ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    o?.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family)) as unknown as LookupFunction;
  return { url, lookup: pinnedLookup };
}

/**
 * GETs a URL for a server-side consumer that must not be turned against the network it runs in.
 * The host is resolved once, every address is checked (public unicast only, see address.ts), and
 * the connection is pinned to the checked address, so DNS cannot switch to an internal address
 * between check and connect. Redirects are not followed (each hop would need the same checks), and
 * the body is capped by size and the whole exchange by time.
 */
export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<Buffer> {
  const { url, lookup: pinnedLookup } = await checkedTarget(rawUrl, opts);

  return new Promise<Buffer>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const fail = (err: SafeFetchError) => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const req = client.get(url, { lookup: pinnedLookup, timeout: opts.timeoutMs, headers: { 'user-agent': 'retouch' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        const redirect = res.statusCode && res.statusCode >= 300 && res.statusCode < 400 ? ' (redirects are not followed)' : '';
        return fail(new SafeFetchError(`the server answered ${res.statusCode}${redirect}`, 'failed'));
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > opts.maxBytes) return fail(new SafeFetchError('the image is larger than the per-file limit', 'too_large'));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) return fail(new SafeFetchError('the image is larger than the per-file limit', 'too_large'));
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        resolve(Buffer.concat(chunks, size));
      });
      res.on('error', () => fail(new SafeFetchError('the download failed', 'failed')));
    });
    const deadline = setTimeout(() => fail(new SafeFetchError('it took too long', 'failed')), opts.timeoutMs);
    const onAbort = () => fail(new SafeFetchError('the request was cancelled', 'aborted'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    req.on('timeout', () => fail(new SafeFetchError('it took too long', 'failed')));
    req.on('error', () => fail(new SafeFetchError('the connection failed', 'failed')));
    req.on('close', () => {
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onAbort);
    });
  });
}
