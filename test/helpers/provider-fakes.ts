import { randomUUID } from 'node:crypto';
import type { TokenSource } from '../../src/backends/provider.ts';
import { geminiImageAnswer, greyscaleOf, type Recorded, type Reply, startStandIn } from './stand-in.ts';

/** How a stand-in answers: does the edit, refuses it under its safety policy, or never finishes. */
export type Behaviour = 'grey' | 'moderated' | 'pending';

export type StandIn = Awaited<ReturnType<typeof startStandIn>>;

/**
 * One provider type's API, played by a loopback stand-in written from that API's public reference:
 * the paths, the auth header, where the prompt and image travel, and how a task is submitted,
 * polled and answered. Every one really makes the image black and white, so results are checked on pixels.
 */
export interface ProviderFake {
  type: string;
  /** The public model the suites ask for. */
  model: string;
  /** The upstream model behind it, for routes of a second provider of the same type. */
  upstream: string;
  /** The provider's own fields in RETOUCH_CONFIG (besides type, baseUrl and the limits). */
  fields: string;
  /** The path under the stand-in's origin that is the provider's baseUrl. */
  basePath?: string;
  auth: [header: string, value: string];
  /** Whether the API is submit-and-poll. */
  polls: boolean;
  /** The prompt and first image of a submit, read where that API carries them; undefined for any other request. */
  submitted(req: Recorded): { prompt: string; image: Buffer } | undefined;
  /** Answers one request. */
  answer(req: Recorded, behaviour: Behaviour, up: StandIn): Reply | Promise<Reply>;
  tokenSource?: () => TokenSource;
}

const fromDataUri = (uri: string) => Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64');

/** Makes the result file a poller will find, and returns its URL on the stand-in. */
async function hostResult(up: StandIn, image: Buffer): Promise<string> {
  const name = `${randomUUID()}.png`;
  up.files.set(name, await greyscaleOf(image));
  return `${up.origin}/files/${name}`;
}

const openaiAnswer = async (req: Recorded, behaviour: Behaviour): Promise<Reply> => {
  if (behaviour === 'pending') return 'stall';
  if (behaviour === 'moderated') {
    return { status: 400, json: { error: { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', code: 'moderation_blocked', param: null } } };
  }
  const image = req.parts.find((p) => p.name === 'image' || p.name === 'image[]')!.bytes!;
  const n = Number(req.parts.find((p) => p.name === 'n')?.value ?? 1);
  const b64 = (await greyscaleOf(image)).toString('base64');
  return { json: { created: 1, data: Array.from({ length: n }, () => ({ b64_json: b64 })) } };
};

const openaiSubmitted = (req: Recorded) => {
  const image = req.parts.find((p) => p.name === 'image' || p.name === 'image[]')?.bytes;
  const prompt = req.parts.find((p) => p.name === 'prompt')?.value;
  return image && prompt !== undefined ? { prompt, image } : undefined;
};

const geminiAnswer = async (req: Recorded, behaviour: Behaviour): Promise<Reply> => {
  if (behaviour === 'pending') return 'stall';
  if (behaviour === 'moderated') return { json: { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' } } };
  return { json: geminiImageAnswer(await greyscaleOf(Buffer.from(req.json.contents[0].parts[1].inline_data.data, 'base64'))) };
};

const geminiSubmitted = (req: Recorded) => {
  const parts = req.json?.contents?.[0]?.parts;
  return Array.isArray(parts) ? { prompt: parts[0].text, image: Buffer.from(parts[1].inline_data.data, 'base64') } : undefined;
};

/** Per stand-in: how often each task has been polled. */
const polls = new WeakMap<StandIn, Map<string, number>>();
const pollCount = (up: StandIn, id: string) => {
  const m = polls.get(up) ?? new Map<string, number>();
  polls.set(up, m);
  const n = (m.get(id) ?? 0) + 1;
  m.set(id, n);
  return n;
};
/** Per stand-in: each task's input, kept from its submit. */
const inputs = new WeakMap<StandIn, Map<string, Buffer[]>>();
const keep = (up: StandIn, id: string, images: Buffer[]) => {
  const m = inputs.get(up) ?? new Map<string, Buffer[]>();
  inputs.set(up, m);
  m.set(id, images);
};
const kept = (up: StandIn, id: string) => inputs.get(up)?.get(id) ?? [];

export const FAKES: ProviderFake[] = [
  {
    type: 'openai', model: 'gpt-image-1', upstream: 'gpt-image-1', fields: 'apiKey: sk-up-openai', basePath: '/v1',
    auth: ['authorization', 'Bearer sk-up-openai'], polls: false,
    submitted: openaiSubmitted,
    answer: openaiAnswer,
  },
  {
    type: 'gemini', model: 'nano-banana-1', upstream: 'gemini-2.5-flash-image', fields: 'apiKey: g-up-gemini',
    auth: ['x-goog-api-key', 'g-up-gemini'], polls: false,
    submitted: geminiSubmitted,
    answer: geminiAnswer,
  },
  {
    type: 'vertex', model: 'nano-banana-1', upstream: 'gemini-2.5-flash-image', fields: 'project: my-project, location: global',
    auth: ['authorization', 'Bearer ya29.test-token'], polls: false,
    tokenSource: () => ({ getAccessToken: async () => ({ token: 'ya29.test-token', expiresAt: Date.now() + 3600_000 }) }),
    submitted: (req) => (/^\/v1\/projects\/my-project\/locations\/global\/publishers\/google\/models\/[^/]+:generateContent$/.test(req.path) ? geminiSubmitted(req) : undefined),
    answer: geminiAnswer,
  },
  {
    type: 'bfl', model: 'flux-kontext-pro', upstream: 'flux-kontext-pro', fields: 'apiKey: bfl-up-key',
    auth: ['x-key', 'bfl-up-key'], polls: true,
    submitted: (req) => (req.method === 'POST' && /^\/v1\/flux-/.test(req.path) ? { prompt: req.json.prompt, image: Buffer.from(req.json.input_image, 'base64') } : undefined),
    async answer(req, behaviour, up) {
      if (req.method === 'POST') {
        const id = randomUUID();
        keep(up, id, [Buffer.from(req.json.input_image, 'base64')]);
        // BFL answers with a polling URL on a regional host; here, the stand-in itself.
        return { json: { id, polling_url: `${up.origin}/v1/get_result?id=${id}` } };
      }
      const id = new URL(req.path, up.origin).searchParams.get('id')!;
      const n = pollCount(up, id);
      if (behaviour === 'pending' || n === 1) return { json: { id, status: 'Pending', result: null, progress: 0.5 } };
      if (behaviour === 'moderated') return { json: { id, status: 'Request Moderated', result: null, details: { 'Moderation Reasons': ['Derivative Works Filter'] } } };
      return { json: { id, status: 'Ready', result: { sample: await hostResult(up, kept(up, id)[0]!), prompt: 'x', seed: 1 } } };
    },
  },
  {
    type: 'fal', model: 'fal-ai/flux-pro/kontext', upstream: 'fal-ai/flux-pro/kontext', fields: 'apiKey: fal-up-key',
    auth: ['authorization', 'Key fal-up-key'], polls: true,
    submitted: (req) => (req.method === 'POST' ? { prompt: req.json.prompt, image: fromDataUri(req.json.image_url ?? req.json.image_urls[0]) } : undefined),
    async answer(req, behaviour, up) {
      if (req.method === 'POST') {
        const id = randomUUID();
        keep(up, id, Array.from({ length: req.json.num_images ?? 1 }, () => fromDataUri(req.json.image_url ?? req.json.image_urls[0])));
        // Status and result live under the app id, without the endpoint's subpath (/kontext).
        const base = `${up.origin}/fal-ai/flux-pro/requests/${id}`;
        return { json: { request_id: id, status_url: `${base}/status`, response_url: base, cancel_url: `${base}/cancel`, queue_position: 0 } };
      }
      const [, id, status] = /\/requests\/([^/]+)(\/status)?$/.exec(req.path)!;
      if (status) {
        const n = pollCount(up, id!);
        if (behaviour === 'pending' || n === 1) return { status: 202, json: { status: n === 1 ? 'IN_QUEUE' : 'IN_PROGRESS', queue_position: 0, response_url: `${up.origin}/fal-ai/flux-pro/requests/${id}` } };
        return { json: { status: 'COMPLETED', response_url: `${up.origin}/fal-ai/flux-pro/requests/${id}` } };
      }
      if (behaviour === 'moderated') {
        return { status: 422, json: { detail: [{ loc: ['body', 'prompt'], msg: 'The content was flagged by a content checker.', type: 'content_policy_violation', url: 'https://docs.fal.ai/errors#content_policy_violation' }] } };
      }
      const images = await Promise.all(kept(up, id!).map(async (img) => ({ url: await hostResult(up, img), content_type: 'image/png' })));
      return { json: { images, has_nsfw_concepts: images.map(() => false), seed: 1, prompt: 'x' } };
    },
  },
  {
    type: 'replicate', model: 'black-forest-labs/flux-kontext-pro', upstream: 'black-forest-labs/flux-kontext-pro', fields: 'apiKey: r8_up_key', basePath: '/v1',
    auth: ['authorization', 'Bearer r8_up_key'], polls: true,
    submitted: (req) => (req.method === 'POST' ? { prompt: req.json.input.prompt, image: fromDataUri(req.json.input.input_image) } : undefined),
    async answer(req, behaviour, up) {
      const prediction = (id: string, status: string, extra: object = {}) => ({
        id, model: 'black-forest-labs/flux-kontext-pro', status, input: {}, error: null,
        urls: { get: `${up.origin}/v1/predictions/${id}`, cancel: `${up.origin}/v1/predictions/${id}/cancel` }, ...extra,
      });
      if (req.method === 'POST') {
        const id = randomUUID().replace(/-/g, '');
        keep(up, id, [fromDataUri(req.json.input.input_image)]);
        // Prefer: wait is a wish, not a promise: the stand-in answers at once, still starting.
        return { status: 201, json: prediction(id, 'starting') };
      }
      const id = /\/v1\/predictions\/([^/]+)$/.exec(req.path)![1]!;
      const n = pollCount(up, id);
      if (behaviour === 'pending' || n === 1) return { json: prediction(id, 'processing') };
      if (behaviour === 'moderated') {
        return { json: prediction(id, 'failed', { error: 'E005: The input or output was flagged as sensitive. Please try again with different inputs.' }) };
      }
      return { json: prediction(id, 'succeeded', { output: await hostResult(up, kept(up, id)[0]!) }) };
    },
  },
  {
    type: 'azure', model: 'gpt-image-1', upstream: 'gpt-image-1', fields: 'apiKey: az-up-key, apiVersion: 2025-04-01-preview, deployment: my-image-deployment',
    auth: ['api-key', 'az-up-key'], polls: false,
    submitted: (req) => (req.path === '/openai/deployments/my-image-deployment/images/edits?api-version=2025-04-01-preview' ? openaiSubmitted(req) : undefined),
    answer: async (req, behaviour) => (behaviour === 'moderated'
      ? { status: 400, json: { error: { code: 'contentFilter', message: 'Your request was rejected as a result of our safety system.', innererror: { code: 'ResponsibleAIPolicyViolation' } } } }
      : openaiAnswer(req, behaviour)),
  },
];

/** A stand-in playing `fake`, with its behaviour switchable between requests. */
export async function startFake(fake: ProviderFake) {
  const state = { behaviour: 'grey' as Behaviour };
  let up: StandIn;
  up = await startStandIn((req) => fake.answer(req, state.behaviour, up));
  return Object.assign(up, {
    state,
    baseUrl: `${up.origin}${fake.basePath ?? ''}`,
    submits: () => up.requests.filter((r) => fake.submitted(r)).length,
  });
}
