import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/** One request as the upstream saw it. */
export interface Recorded {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Multipart parts, in order. */
  parts: Array<{ name: string; value?: string; filename?: string; type?: string; bytes?: Buffer }>;
  json: any;
  /** Resolves when the client side of this request goes away (answered or aborted). */
  closed: Promise<void>;
}

export type Reply =
  | { status?: number; headers?: Record<string, string>; json?: unknown; body?: string | Buffer }
  | 'stall'
  | { hugeBytes: number }
  /** A `text/event-stream` answer, written event by event; `waitMs` items pause between them. */
  | { sse: Array<{ event: string; data: unknown } | { waitMs: number }> };

export type Script = (req: Recorded, n: number) => Reply | Promise<Reply>;

/**
 * A loopback stand-in for an upstream API, written from its public docs. It records every request and
 * answers from `script`; `files` are served at GET /files/<name> (for `url` results).
 */
export async function startStandIn(script: Script) {
  const requests: Recorded[] = [];
  const files = new Map<string, Buffer>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = req.url ?? '/';
    if (req.method === 'GET' && path.startsWith('/files/')) {
      const file = files.get(path.slice('/files/'.length));
      res.writeHead(file ? 200 : 404, { 'content-type': 'image/png' }).end(file);
      return;
    }
    const rec: Recorded = {
      method: req.method!, path, headers: req.headers, parts: [], json: undefined,
      closed: new Promise((resolve) => res.once('close', () => resolve())),
    };
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
      for (const [name, value] of form.entries()) {
        if (typeof value === 'string') rec.parts.push({ name, value });
        else rec.parts.push({ name, filename: value.name, type: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
      }
    } else if (type.includes('json')) {
      rec.json = JSON.parse(body.toString('utf8'));
    }
    requests.push(rec);
    let reply: Reply;
    try {
      reply = await script(rec, requests.length);
    } catch (err) {
      // A script that throws (or a stray request that reaches this port between a test file's
      // scripts) answers 500, which the test that made it will see, instead of an unhandled
      // rejection that fails whichever test is running in this process.
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `stand-in script failed: ${String(err)}`, type: 'server_error', param: null, code: null } }));
      return;
    }
    if (reply === 'stall') return; // never answer; the caller's timeout must fire
    if ('hugeBytes' in reply) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < reply.hugeBytes) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      return pump();
    }
    if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.on('error', () => {});
      for (const item of reply.sse) {
        if ('waitMs' in item) await new Promise((r) => setTimeout(r, item.waitMs));
        else res.write(`event: ${item.event}\ndata: ${JSON.stringify(item.data)}\n\n`);
      }
      return void res.end();
    }
    const out = reply.json !== undefined ? JSON.stringify(reply.json) : reply.body ?? '';
    res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain', ...reply.headers });
    res.end(out);
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    files,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** What a real image model would do for "make it black and white", so results can be checked on pixels. */
export async function greyscaleOf(image: Buffer): Promise<Buffer> {
  return sharp(image).rotate().grayscale().toColourspace('srgb').png().toBuffer();
}

/** What an OpenAI-compatible upstream answers to an edit: its image made grey, as b64_json. */
export const greyAnswer: Script = async (req) =>
  ({ json: { created: 1, data: [{ b64_json: (await greyscaleOf(req.parts.find((p) => p.name === 'image')!.bytes!)).toString('base64') }] } });

/** A Gemini generateContent success answer with one image (and a thought image before it). */
export function geminiImageAnswer(png: Buffer, opts: { thought?: Buffer } = {}) {
  const parts: unknown[] = [{ text: 'Here is the edited image.' }];
  if (opts.thought) parts.unshift({ inlineData: { mimeType: 'image/png', data: opts.thought.toString('base64') }, thought: true });
  parts.push({ inlineData: { mimeType: 'image/png', data: png.toString('base64') } });
  return {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 1290, candidatesTokenCount: 1300, totalTokenCount: 2590 },
  };
}

/**
 * What OpenAI streams for an edit: `partials` partial images (smaller, lower quality), `waitMs`
 * apart, then the result (the input made grey).
 */
export const streamingUpstream = (partials: number, waitMs = 150): Script => async (req) => {
  const grey = await greyscaleOf(req.parts.find((p) => p.name === 'image')!.bytes!);
  const final = await sharp(grey).webp().toBuffer();
  const common = { background: 'auto', output_format: 'webp', quality: 'auto', size: '1024x1024', created_at: 1 };
  const sse: Array<{ event: string; data: unknown } | { waitMs: number }> = [];
  for (let i = 0; i < partials; i++) {
    const partial = await sharp(grey).resize(16 * (i + 1)).webp({ quality: 30 }).toBuffer();
    sse.push({ event: 'image_edit.partial_image', data: { type: 'image_edit.partial_image', b64_json: partial.toString('base64'), partial_image_index: i, ...common } }, { waitMs });
  }
  sse.push({ event: 'image_edit.completed', data: { type: 'image_edit.completed', b64_json: final.toString('base64'), ...common, usage: { input_tokens: 7, output_tokens: 9, total_tokens: 16, input_tokens_details: { image_tokens: 5, text_tokens: 2 } } } });
  return { sse };
};

/**
 * A RETOUCH_CONFIG routing model `relayed` to an OpenAI-compatible stand-in at `origin`
 * (`relay:gpt-image-1`, no retries), with the provider's own key never to be seen by clients.
 */
export const relayConfig = (origin: string, extra = '') => `
providers:
  relay: { type: openai, baseUrl: ${origin}/v1, apiKey: sk-upstream-secret-0001, retries: 0${extra ? `, ${extra}` : ''} }
models:
  relayed: { route: ["relay:gpt-image-1"] }
`;
