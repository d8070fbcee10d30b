import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { ScalarFields } from '../../edits/request.ts';
import { ResultCache } from '../../edits/result-cache.ts';
import type { EditOutcome } from '../../edits/service.ts';
import { answerBody } from '../deliver.ts';

/**
 * The result cache in front of the queue, for the synchronous door: only models routed wholly to
 * the local engine (the one deterministic backend), never for a request with `Cache-Control:
 * no-cache`, and keyed by API key, request fingerprint (image bytes, mask, every field) and answer format.
 */
export function editCache(services: Services) {
  const { config, router } = services;
  // Half the image retention at most, so the hosted URLs of a cached answer still resolve.
  const cache = new ResultCache(config.jobs.cacheBytes, Math.min(config.jobs.cacheTtlMs, config.imageTtlMs / 2));

  /** The cache key for this request, or undefined when it must not be cached. */
  function keyOf(request: FastifyRequest, fields: ScalarFields, fingerprint: () => string): string | undefined {
    if (!cache.enabled || fields.stream || /\bno-(cache|store)\b/i.test(String(request.headers['cache-control'] ?? ''))) return undefined;
    let route;
    try {
      route = router.resolve(fields.model);
    } catch {
      return undefined; // an unknown model: the edit says so
    }
    if (!route.every((entry) => entry.backend.name === 'local')) return undefined;
    return createHash('sha256').update(`${request.apiKeyId ?? ''}\n${fingerprint()}`).digest('hex');
  }

  /**
   * A cached answer whose hosted images are all still there, with at least half their retention to
   * go (retention, or an operator, may remove them; a URL handed out must still work for a while).
   */
  async function get(key: string) {
    const entry = cache.get(key);
    if (!entry) return undefined;
    for (const item of entry.answer.data) {
      const name = 'url' in item ? /\/img\/([^/?#]+)$/.exec(item.url)?.[1] : undefined;
      if (!('url' in item)) continue;
      const blob = name ? await services.blobs.get(name) : null;
      blob?.body.destroy();
      if (!blob || blob.createdAt < Date.now() - config.imageTtlMs / 2) {
        cache.delete(key);
        return undefined;
      }
    }
    return entry;
  }

  return {
    keyOf,
    get,
    keep(key: string, outcome: EditOutcome) {
      cache.set(key, { answer: outcome.answer, headers: outcome.headers, images: outcome.images, pixels: outcome.usage.outputPixels ?? 0, usage: outcome.usage }, answerBody(outcome.answer).length);
    },
  };
}
