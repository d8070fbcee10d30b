import { z } from 'zod';
import { PASSTHROUGH_FIELDS } from '../../edits/request.ts';
import { MAX_SIDE, MIN_SIDE } from '../../edits/size.ts';
import { ErrorEnvelope } from '../admin/schemas.ts';

/**
 * The public routes' shapes for /openapi.json. These routes parse their input by hand (multipart
 * streaming, the contract's leniencies: numbers as strings, `image[]`, sniffed types), so their
 * schemas are written here in zod, from the same constants the parser uses, and test/openapi.test.ts
 * checks live answers against them.
 */

const OUTPUT_FORMATS = ['webp', 'png', 'jpeg'] as const;

const EditForm = z.object({
  image: z.union([z.string().meta({ format: 'binary' }), z.array(z.string().meta({ format: 'binary' }))])
    .describe('PNG, JPEG or WEBP (sniffed, whatever the part says); also image[] or image[0]…, up to RETOUCH_MAX_IMAGES'),
  prompt: z.string().max(32000),
  model: z.string().describe('GET /v1/models lists them'),
  mask: z.string().meta({ format: 'binary' }).optional().describe('PNG with alpha, the size of the first image; alpha 0 marks where to edit'),
  size: z.string().optional().describe(`auto, WxH (each side ${MIN_SIDE}–${MAX_SIDE}), W:H, 512, 1K, 2K or 4K`),
  n: z.string().regex(/^\d+$/).optional().describe('1–10'),
  response_format: z.enum(['url', 'b64_json']).optional(),
  output_format: z.enum(OUTPUT_FORMATS).optional(),
  output_compression: z.string().regex(/^\d+$/).optional().describe('0–100'),
  background: z.enum(['transparent', 'opaque', 'auto']).optional(),
  ...Object.fromEntries(PASSTHROUGH_FIELDS.map((f) => [f, z.string().optional()])),
}).meta({ id: 'EditForm' });

const ImagesResponse = z.object({
  created: z.number().int(),
  data: z.array(z.object({ url: z.string().optional(), b64_json: z.string().optional(), revised_prompt: z.string().optional() })).min(1),
  usage: z.record(z.string(), z.unknown()).optional(),
}).meta({ id: 'ImagesResponse' });

const Model = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() }).meta({ id: 'Model' });
const ModelList = z.object({ object: z.literal('list'), data: z.array(Model) }).meta({ id: 'ModelList' });

const errorsOf = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ErrorEnvelope]));

/** Route docs by URL template, merged into what @fastify/swagger collects. */
export const PUBLIC_DOCS: Record<string, Record<string, unknown>> = {
  '/v1/images/edits': {
    tags: ['images'], summary: 'Edit images as OpenAI\'s images.edit does',
    description: 'multipart/form-data as below; or application/json with `images: [{image_url}]` (data: URLs) and the same scalar fields.',
    body: EditForm,
    consumes: ['multipart/form-data'],
    response: { 200: ImagesResponse, ...errorsOf(400, 401, 404, 408, 413, 429, 502, 504) },
  },
  '/v1/images/edits/:id': {
    tags: ['images'], summary: 'An async edit job of this key (Prefer: respond-async): GET reads it, DELETE cancels it',
    params: z.object({ id: z.string() }),
    response: { 200: z.record(z.string(), z.unknown()).describe('The job object (src/jobs)'), ...errorsOf(401, 404) },
  },
  '/v1/images/edits/:id/events': {
    tags: ['images'], summary: 'Follows an async edit job as Server-Sent Events',
    description: '`image.edit.job` events carry the job object (at once, when it starts, and last when it ends; the stream closes after it); '
      + '`image_edit.partial_image` events carry the partial images the job asked for (`partial_images`), as a POST stream\'s.',
    params: z.object({ id: z.string() }),
    response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, ...errorsOf(401, 404) },
  },
  '/v1/models': { tags: ['models'], summary: 'The models this server routes', response: { 200: ModelList, ...errorsOf(401) } },
  '/v1/models/:id': { tags: ['models'], summary: 'One model', params: z.object({ id: z.string() }), response: { 200: Model, ...errorsOf(401, 404) } },
  '/health': { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } },
  '/img/:name': {
    tags: ['images'], summary: 'A hosted result image (no auth; unguessable name)', params: z.object({ name: z.string() }),
    response: { 200: { description: 'The image bytes, with their Content-Type', content: { 'image/webp': { schema: z.string() }, 'image/png': { schema: z.string() }, 'image/jpeg': { schema: z.string() } } }, ...errorsOf(404) },
  },
};
