import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { PACKAGE_ROOT } from '../../paths.ts';
import type { FastifyInstance } from 'fastify';

/** Where `npm run build` puts the playground. */
export const PLAYGROUND_DIR = path.join(PACKAGE_ROOT, 'dist/web');

// The page talks only to this origin, and shows images it fetched as blobs.
const CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** GET /: the playground, a static page built by Vite that uses the public API like any client. */
export async function playgroundRoutes(app: FastifyInstance, dir = PLAYGROUND_DIR) {
  if (!existsSync(path.join(dir, 'index.html'))) {
    app.get('/', async (_request, reply) => reply.type('text/html').send(
      '<!doctype html><title>Retouch</title><h1>Retouch is running</h1><p>The playground has not been built: run <code>npm run build</code> (it runs on <code>npm ci</code>). The API is at <code>POST /v1/images/edits</code>.</p>',
    ));
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file, found at start-up: unknown paths still get the API's 404 envelope.
    wildcard: false,
    cacheControl: false,
    index: 'index.html',
    setHeaders(res, file) {
      // Vite puts a content hash in every asset name, so assets never change; the page itself might.
      res.setHeader('cache-control', file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (file.endsWith('.html')) res.setHeader('content-security-policy', CSP);
    },
  });
}
