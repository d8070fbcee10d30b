import { readFileSync } from 'node:fs';
import path from 'node:path';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PACKAGE_ROOT } from '../../paths.ts';
import { PUBLIC_DOCS } from './public-docs.ts';

/** Routes that belong in the document: the API itself, not the console's files or /metrics. */
const DOCUMENTED = /^\/(v1\/|health$|img\/)/;

/**
 * /openapi.json and its rendered page (/docs, Swagger UI served from the package: no CDN). Registered
 * before the routes, so @fastify/swagger sees each one as it is added; the admin routes' zod schemas
 * (what they validate with) and the public routes' documented shapes (public-docs.ts) become JSON
 * Schema through fastify-type-provider-zod's transform.
 */
export async function openApi(app: FastifyInstance): Promise<void> {
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Retouch', version,
        description: 'A self-hostable image-editing API that speaks OpenAI\'s images.edit, and its admin API.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (sk-…); the admin routes need an admin key' } } },
      security: [{ apiKey: [] }],
    },
    transform: (doc) => {
      const { url } = doc;
      if (!DOCUMENTED.test(url) || doc.route.method === 'HEAD') return { schema: { hide: true }, url };
      const extra = PUBLIC_DOCS[url];
      const schema = extra ? { ...doc.schema, ...extra } : doc.schema;
      const out = jsonSchemaTransform({ ...doc, schema: schema as typeof doc.schema });
      // Health and hosted images need no key.
      if (url === '/health' || url.startsWith('/img/')) (out.schema as Record<string, unknown>).security = [];
      return out;
    },
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
