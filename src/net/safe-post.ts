import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkedTarget, SafeFetchError } from './safe-fetch.ts';

export interface SafePostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  /** Redirects followed, each checked like the first URL; beyond them the post fails. */
  maxRedirects?: number;
  /** Loopback and private targets too (RETOUCH_WEBHOOK_ALLOW_PRIVATE: development and tests). */
  allowPrivateAddresses?: boolean;
}

/**
 * How a post went: the final status, or why it could not be made (public words, no address).
 * `refused`: where the URL points is not allowed (a private address, a scheme), which no retry
 * changes; any other failure (a name that does not resolve, a timeout) may pass later.
 */
export type PostResult = { status: number } | { status: null; error: string; refused?: true };

const REDIRECTS = new Set([301, 302, 307, 308]);

/**
 * POSTs a body to a URL given by a client (a webhook), under the rules of remote image URLs: http
 * or https to public addresses only, the connection pinned to the checked address, and every
 * redirect checked again before it is followed (the body posted again: a webhook means nothing as
 * a GET). The answer's body is read and dropped; only the status matters.
 */
export async function safePost(rawUrl: string, body: Buffer, opts: SafePostOptions): Promise<PostResult> {
  let target = rawUrl;
  for (let hop = 0; hop <= (opts.maxRedirects ?? 3); hop++) {
    let checked;
    try {
      checked = await checkedTarget(target, { protocols: ['http:', 'https:'], allowPrivateAddresses: opts.allowPrivateAddresses ?? false });
    } catch (err) {
      if (err instanceof SafeFetchError && err.kind === 'refused') return { status: null, error: `refused: ${err.reason}`, refused: true };
      // A host name that does not resolve (kind 'failed') is a delivery failure like a timeout: DNS
      // may be down for a moment, or the receiver's name not published yet.
      return { status: null, error: err instanceof SafeFetchError ? err.reason : 'the address could not be checked' };
    }
    const res = await postOnce(checked.url, checked.lookup, body, opts);
    if (res.status === null || !REDIRECTS.has(res.status) || !res.location) return res.status === null ? res : { status: res.status };
    target = new URL(res.location, checked.url).toString();
  }
  return { status: null, error: 'too many redirects' };
}

function postOnce(url: URL, lookup: LookupFunction, body: Buffer, opts: SafePostOptions):
  Promise<{ status: number; location: string | undefined } | { status: null; error: string }> {
  return new Promise((resolve) => {
    const client = url.protocol === 'https:' ? https : http;
    let settled = false;
    const done = (r: { status: number; location: string | undefined } | { status: null; error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(r);
    };
    const req = client.request(url, {
      method: 'POST', lookup, timeout: opts.timeoutMs,
      headers: { 'user-agent': 'retouch', 'content-type': 'application/json', 'content-length': String(body.length), ...opts.headers },
    }, (res) => {
      res.resume(); // the receiver's words are not kept
      res.on('end', () => done({ status: res.statusCode ?? 0, location: res.headers.location }));
      res.on('error', () => done({ status: null, error: 'the answer broke off' }));
    });
    const deadline = setTimeout(() => { req.destroy(); done({ status: null, error: 'it took too long' }); }, opts.timeoutMs);
    req.on('timeout', () => { req.destroy(); done({ status: null, error: 'it took too long' }); });
    req.on('error', () => done({ status: null, error: 'the connection failed' }));
    req.end(body);
  });
}
