import { errors } from '../errors.ts';
import { safeFetch, SafeFetchError } from '../net/safe-fetch.ts';
import type { RemoteFetcher } from './json-form.ts';

export { isPublicAddress } from '../net/address.ts';

export interface RemoteFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Tests only: lets a loopback stand-in serve the image over http. */
  allowPrivateAddresses?: boolean;
}

/**
 * Fetches an image URL from a JSON body (RETOUCH_REMOTE_IMAGES): https only, public addresses only,
 * pinned to the checked address, no redirects, capped in size and time (net/safe-fetch.ts).
 */
export function createRemoteFetcher(opts: RemoteFetchOptions): RemoteFetcher {
  return async (rawUrl, param) => {
    try {
      return await safeFetch(rawUrl, {
        maxBytes: opts.maxBytes,
        timeoutMs: opts.timeoutMs,
        ...(opts.allowPrivateAddresses ? { allowPrivateAddresses: true, protocols: ['http:', 'https:'] } : {}),
      });
    } catch (err) {
      if (!(err instanceof SafeFetchError)) throw err;
      if (err.kind === 'too_large') throw errors.payloadTooLarge(`The image at the URL for '${param}' is larger than the per-file limit.`, param);
      throw errors.invalidValue(param, `Could not fetch the image URL for '${param}': ${err.reason}.`);
    }
  };
}
