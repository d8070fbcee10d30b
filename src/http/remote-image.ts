import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { errors } from '../errors.ts';
import type { RemoteFetcher } from './json-form.ts';

// Addresses a server-side fetch must never reach: loopback, private, link-local (cloud metadata),
// carrier-grade NAT, multicast, reserved, and their IPv6 forms.
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) BLOCKED.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32]] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return isPublicAddress(mapped[1]!);
    return !BLOCKED.check(address, 'ipv6');
  }
  return !BLOCKED.check(address, 'ipv4');
}

export interface RemoteFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Tests only: lets a loopback stand-in serve the image. */
  allowPrivateAddresses?: boolean;
}

/**
 * Fetches an image URL from a JSON body. The host is resolved once, every address is checked, and
 * the connection is pinned to the checked address, so DNS cannot be switched to an internal address
 * between check and connect. Redirects are not followed (each hop would need the same checks).
 */
export function createRemoteFetcher(opts: RemoteFetchOptions): RemoteFetcher {
  return async (rawUrl, param) => {
    const fail = (why: string) => errors.invalidValue(param, `Could not fetch the image URL for '${param}': ${why}.`);
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw fail('it is not a valid URL');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw fail('only http and https URLs are fetched');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
    if (addresses.length === 0) throw fail('the host name does not resolve');
    if (!opts.allowPrivateAddresses && !addresses.every((a) => isPublicAddress(a.address))) throw fail('the host is not a public address');
    const pinned = addresses[0]!;
    const pinnedLookup = ((_h: string, o: { all?: boolean }, cb: (...args: unknown[]) => void) =>
      o?.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family)) as unknown as LookupFunction;

    return new Promise<Buffer>((resolve, reject) => {
      const client = url.protocol === 'https:' ? https : http;
      const req = client.get(url, { lookup: pinnedLookup, timeout: opts.timeoutMs, headers: { 'user-agent': 'retouch' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(fail(`the server answered ${res.statusCode}${res.statusCode && res.statusCode < 400 && res.statusCode >= 300 ? ' (redirects are not followed)' : ''}`));
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          req.destroy();
          return reject(errors.payloadTooLarge(`The image at the URL for '${param}' is larger than the per-file limit.`, param));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            req.destroy();
            return reject(errors.payloadTooLarge(`The image at the URL for '${param}' is larger than the per-file limit.`, param));
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks, size)));
        res.on('error', () => reject(fail('the download failed')));
      });
      const deadline = setTimeout(() => { req.destroy(); reject(fail('it took too long')); }, opts.timeoutMs);
      req.on('timeout', () => { req.destroy(); reject(fail('it took too long')); });
      req.on('error', () => reject(fail('the connection failed')));
      req.on('close', () => clearTimeout(deadline));
    });
  };
}
