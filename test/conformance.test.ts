import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel, pngBomb, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { FAKES, type ProviderFake, startFake } from './helpers/provider-fakes.ts';

type Fake = Awaited<ReturnType<typeof startFake>>;
interface Started { app: TestApp; up?: Fake; close(): Promise<void> }
interface Setup { name: string; model: string; fake?: ProviderFake; start(): Promise<Started> }

/** Every provider type behind its stand-in: one named after the type, and `short`, the same with a 300 ms timeout. */
function upstreamSetup(fake: ProviderFake): Setup {
  return {
    name: fake.type, model: fake.model, fake,
    async start() {
      const up = await startFake(fake);
      const provider = (timeoutMs: number) => `{ type: ${fake.type}, baseUrl: ${up.baseUrl}, ${fake.fields}, timeoutMs: ${timeoutMs}, retries: 0 }`;
      const app = await startTestApp({}, {
        configFile: `
providers:
  ${fake.type}: ${provider(30_000)}
  short: ${provider(300)}
models:
  stuck-model: { route: ["short:${fake.upstream}"] }
`,
        ...(fake.tokenSource ? { tokenSource: fake.tokenSource } : {}),
      });
      return { app, up, close: async () => { await app.close(); await up.close(); } };
    },
  };
}

const SETUPS: Setup[] = [
  { name: 'local', model: 'retouch-local-1', async start() { const app = await startTestApp(); return { app, close: () => app.close() }; } },
  ...FAKES.map(upstreamSetup),
];

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;

/**
 * Whether the calls to the stand-in have stopped: no new request in a window longer than the longest
 * poll interval in tests (10 × 20 ms), and every request closed on our side. A poller that goes on
 * shows a new request in every window, so ten windows in a row fail; no clock is compared.
 */
async function callsStopped(up: Fake): Promise<boolean> {
  for (let i = 0; i < 10; i++) {
    const seen = up.requests.length;
    await sleep(300);
    if (up.requests.length !== seen) continue;
    const closed = Promise.all(up.requests.map((r) => r.closed)).then(() => true);
    return Promise.race([closed, sleep(2000, false)]);
  }
  return false;
}

for (const setup of SETUPS) {
  describe(`edit contract: ${setup.name} (${setup.model})`, () => {
    let s: Started;
    before(async () => { s = await setup.start(); });
    after(async () => { await s.close(); });

    async function edit(extra: Part[] = [], image?: Buffer, model = setup.model) {
      const { body, headers } = await nodeForm([{ name: 'image', file: image ?? await card() }, { name: 'model', value: model }, { name: 'prompt', value: 'make it black and white' }, ...extra]);
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

    it('default: a WEBP hosted at our URL', async () => {
      const { json } = await edit();
      const url = new URL(json.data[0].url);
      if (s.up) assert.notEqual(url.origin, s.up.origin, 're-hosted, not the upstream\'s URL');
      const img = await s.app.app.server.inject({ method: 'GET', url: url.pathname });
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

    if (!setup.fake) return;
    const fake = setup.fake;

    it(`the prompt and image reach the stand-in in ${fake.type}'s shape, with its auth header; the client's key never does`, async () => {
      s.up!.requests.length = 0;
      const { res } = await edit();
      assert.equal(res.statusCode, 200, res.body);
      const submits = s.up!.requests.map((r) => fake.submitted(r)).filter((x) => x !== undefined);
      assert.equal(submits.length, 1);
      assert.equal(submits[0]!.prompt, 'make it black and white');
      assert.deepEqual(submits[0]!.image, await card());
      if (fake.polls) assert.ok(s.up!.requests.length > 1, 'the task was polled');
      for (const r of s.up!.requests) {
        assert.equal(r.headers[fake.auth[0]], fake.auth[1], `${r.method} ${r.path} carries the provider's credentials`);
        assert.doesNotMatch(JSON.stringify(r.headers), new RegExp(s.app.key), "the client's key never goes upstream");
      }
    });

    it('moderation → 400 moderation_blocked after one submit', async () => {
      s.up!.requests.length = 0;
      s.up!.state.behaviour = 'moderated';
      try {
        assertError((await edit()).res, 400, { code: 'moderation_blocked', type: 'image_generation_user_error' });
        assert.equal(s.up!.submits(), 1);
      } finally {
        s.up!.state.behaviour = 'grey';
      }
    });

    it('a task stuck pending → 504 upstream_timeout, and polling stops', async () => {
      s.up!.requests.length = 0;
      s.up!.state.behaviour = 'pending';
      try {
        const { res } = await edit([], undefined, 'stuck-model');
        assertError(res, 504, { code: 'upstream_timeout' });
        assert.ok(await callsStopped(s.up!), 'polling stopped');
        assert.equal(s.up!.submits(), 1);
        // A poll sent just before the deadline may reach the stand-in after our answer; none after it.
        const seen = s.up!.requests.length;
        const record = (await s.app.app.services.store.usageForRequest(String(res.headers['x-request-id'])))!;
        // A poll cut off by the deadline may not have reached the stand-in: it still counts as a call.
        assert.ok([seen, seen + 1].includes(record.attempts![0]!.calls!), `the usage record counts every call (${record.attempts![0]!.calls} for ${seen})`);
      } finally {
        s.up!.state.behaviour = 'grey';
      }
    });

    it('a client that disconnects stops the work upstream', async () => {
      s.up!.requests.length = 0;
      s.up!.state.behaviour = 'pending';
      try {
        const base = await s.app.listen();
        const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: setup.model }, { name: 'prompt', value: 'make it black and white' }]);
        const client = new AbortController();
        const answered = fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, ...s.app.auth }, signal: client.signal }).catch(() => null);
        // Leave once the work is under way: submitted, and for a task polled at least once.
        while (s.up!.requests.length < (fake.polls ? 2 : 1)) await sleep(10);
        client.abort();
        await answered;
        assert.ok(await callsStopped(s.up!), 'no more calls once the client left');
        assert.equal(s.up!.submits(), 1);
      } finally {
        s.up!.state.behaviour = 'grey';
      }
    });
  });
}
