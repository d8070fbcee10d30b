import type { FastifyInstance } from 'fastify';
import type { BlobStore } from '../../blob/index.ts';
import { errors } from '../../errors.ts';
import { idPattern } from '../../ids.ts';
import { OUTPUT_MIME, type OutputFormat } from '../../images/encode.ts';

const IMAGE_ID = idPattern('image').source.slice(1, -1);
const NAME = new RegExp(`^(${IMAGE_ID})\\.(webp|png|jpeg)$`);

/**
 * GET /img/<id>.<ext>: hosted results, public by design (the id is the secret). The name must match
 * the id pattern exactly, so no path can reach outside the image store.
 */
export function imageRoutes(app: FastifyInstance, blobs: BlobStore, ttlMs: number, urls: 'proxy' | 'presigned' = 'proxy') {
  app.get<{ Params: { name: string } }>('/img/:name', async (request, reply) => {
    const match = NAME.exec(request.params.name);
    if (!match) throw errors.notFound('No such image.');
    if (urls === 'presigned' && blobs.presign) {
      // The bucket serves the bytes; this node only signs. Expired images are gone from the bucket.
      return reply.header('cache-control', 'no-store').redirect(await blobs.presign(request.params.name, 3600), 302);
    }
    const blob = await blobs.get(request.params.name);
    if (!blob || blob.createdAt < Date.now() - ttlMs) {
      blob?.body.destroy();
      throw errors.notFound('No such image. Hosted results expire; this one may have.');
    }
    const maxAge = Math.max(0, Math.floor((blob.createdAt + ttlMs - Date.now()) / 1000));
    return reply
      .header('content-type', OUTPUT_MIME[match[2] as OutputFormat])
      .header('content-length', blob.size)
      .header('cache-control', `public, max-age=${maxAge}, immutable`)
      .header('x-content-type-options', 'nosniff')
      .send(blob.body);
  });
}
