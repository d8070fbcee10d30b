import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel, pngBomb, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { geminiImageAnswer, greyscaleOf, startStandIn } from './helpers/stand-in.ts';

/** Upstreams that really carry out "make it black and white", so every backend is checked on pixels. */
async function openAIStandIn() {
  return startStandIn(async (req) => {
    const image = req.parts.find((p) => p.name === 'image' || p.name === 'image[]')!.bytes!;
    const n = Number(req.parts.find((p) => p.name === 'n')?.value ?? 1);
    const b64 = (await greyscaleOf(image)).toString('base64');
    return { json: { created: 1, data: Array.from({ length: n }, () => ({ b64_json: b64 })) } };
  });
}
async function geminiStandIn() {
  return startStandIn(async (req) => {
    const image = Buffer.from(req.json.contents[0].parts[1].inline_data.data, 'base64');
    return { json: geminiImageAnswer(await greyscaleOf(image)) };
  });
}

interface Setup { name: string; model: string; start(): Promise<{ app: TestApp; close(): Promise<void> }> }

const SETUPS: Setup[] = [
  { name: 'local', model: 'retouch-local-1', async start() { const app = await startTestApp(); return { app, close: () => app.close() }; } },
  {
    name: 'openai', model: 'gpt-image-1', async start() {
      const up = await openAIStandIn();
      const app = await startTestApp({ OPENAI_API_KEY: 'sk-up', OPENAI_BASE_URL: `${up.origin}/v1` });
      return { app, close: async () => { await app.close(); await up.close(); } };
    },
  },
  {
    name: 'gemini', model: 'nano-banana-1', async start() {
      const up = await geminiStandIn();
      const app = await startTestApp({ GEMINI_API_KEY: 'g-up', GEMINI_BASE_URL: up.origin });
      return { app, close: async () => { await app.close(); await up.close(); } };
    },
  },
];

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;

for (const setup of SETUPS) {
  describe(`edit contract: ${setup.name} (${setup.model})`, () => {
    let s: Awaited<ReturnType<Setup['start']>>;
    before(async () => { s = await setup.start(); });
    after(async () => { await s.close(); });

    async function edit(extra: Part[] = [], image?: Buffer) {
      const { body, headers } = await nodeForm([{ name: 'image', file: image ?? await card() }, { name: 'model', value: setup.model }, { name: 'prompt', value: 'make it black and white' }, ...extra]);
      const res = await s.app.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...s.app.auth }, payload: body });
      return { res, json: JSON.parse(res.body) };
    }
    const b64 = (json: { data: Array<{ b64_json: string }> }, i = 0) => decode(Buffer.from(json.data[i]!.b64_json, 'base64'));

    it('b64_json png: the edit is on the pixels, the size is kept, the backend is named', async () => {
      const { res, json } = await edit([{ name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['x-retouch-backend'], setup.name);
      const out = await b64(json);
      assert.deepEqual([out.format, out.width, out.height], ['png', 64, 48]);
      assert.ok(isGrey(pixel(out, 20, 20)) && isGrey(pixel(out, 50, 30)));
    });

    it('default: a hosted WEBP url', async () => {
      const { json } = await edit();
      const img = await s.app.app.server.inject({ method: 'GET', url: new URL(json.data[0].url).pathname });
      assert.equal(img.headers['content-type'], 'image/webp');
      assert.equal((await decode(img.rawPayload)).format, 'webp');
    });

    for (const [size, dims] of [['32x32', [32, 32]], ['16:9', [64, 36]], ['512', [512, 384]]] as const) {
      it(`size=${size} gives exactly ${dims.join('x')}`, async () => {
        const { res, json } = await edit([{ name: 'size', value: size }, { name: 'response_format', value: 'b64_json' }]);
        assert.equal(res.statusCode, 200, res.body);
        const out = await b64(json);
        assert.deepEqual([out.width, out.height], dims);
      });
    }

    it('n=2 gives two images; output_format=jpeg gives JPEG', async () => {
      const { json } = await edit([{ name: 'n', value: '2' }, { name: 'output_format', value: 'jpeg' }, { name: 'response_format', value: 'b64_json' }]);
      assert.equal(json.data.length, 2);
      assert.equal((await b64(json, 1)).format, 'jpeg');
    });

    it('a mask limits the edit to its transparent part', async () => {
      const w = 64, h = 48;
      const rgba = Buffer.alloc(w * h * 4, 255);
      for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) rgba[(y * w + x) * 4 + 3] = 0;
      const mask = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).png().toBuffer();
      const { res, json } = await edit([{ name: 'mask', file: mask }, { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }], await solid(w, h, [0, 0, 255]));
      assert.equal(res.statusCode, 200, res.body);
      const out = await b64(json);
      assert.ok(isGrey(pixel(out, 10, 20)), `left ${pixel(out, 10, 20)}`);
      assert.deepEqual(pixel(out, 50, 20).slice(0, 3), [0, 0, 255]);
    });

    it('background=opaque flattens transparency onto white', async () => {
      const { json } = await edit([{ name: 'background', value: 'opaque' }, { name: 'output_format', value: 'png' }, { name: 'response_format', value: 'b64_json' }], await solid(16, 16, [0, 0, 0], 'png', 0));
      const out = await b64(json);
      assert.deepEqual(pixel(out, 3, 3).slice(0, 3), [255, 255, 255]);
    });

    it('the same error mapping before any backend runs', async () => {
      assertError((await edit([], Buffer.from('GIF89a not really'))).res, 400, { code: 'invalid_image_file', param: 'image' });
      assertError((await edit([], pngBomb(20000, 20000))).res, 400, { code: 'image_too_large', param: 'image' });
      assertError((await edit([{ name: 'size', value: 'huge' }])).res, 400, { code: 'invalid_value', param: 'size' });
    });
  });
}
