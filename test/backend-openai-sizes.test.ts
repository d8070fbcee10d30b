import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { upstreamSize } from '../src/backends/openai/sizes.ts';
import type { EditRequest } from '../src/edits/request.ts';
import { parseSize } from '../src/edits/size.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { greyscaleOf, startStandIn } from './helpers/stand-in.ts';

const sized = (size: string) => ({ size: parseSize(size), sizeRaw: size }) as EditRequest;

describe('gpt-image-2 and chatgpt-image-latest sizes', () => {
  it('gpt-image-2 takes any WxH in multiples of 16, 1:3 to 3:1, up to 3840 a side and 3840×2160 pixels', () => {
    for (const ok of ['1024x1024', '2048x1152', '3840x2160', '2160x3840', '2880x2880', '3840x1280', '1280x3840', '16x48']) {
      assert.equal(upstreamSize(sized(ok), 'gpt-image-2'), ok);
    }
    const refused: Array<[string, RegExp]> = [
      ['1000x1000', /multiples of 16/], ['1024x1000', /multiples of 16/], ['3856x1280', /1:3 and 3:1/], ['16x64', /1:3 and 3:1/],
      ['3856x2160', /exceed 3840/], ['2896x2896', /3840×2160 pixels/],
    ];
    for (const [size, why] of refused) {
      assert.throws(() => upstreamSize(sized(size), 'gpt-image-2'), (e: { status: number; param: string; message: string }) => e.status === 400 && e.param === 'size' && why.test(e.message), size);
    }
    // Sizes that are not a WxH are applied to the result, not sent.
    assert.equal(upstreamSize(sized('16:9'), 'gpt-image-2'), undefined);
    assert.equal(upstreamSize(sized('2K'), 'gpt-image-2'), undefined);
  });

  it('chatgpt-image-latest and gpt-image-1.5 get only the sizes they offer; gpt-image-2.x is not gpt-image-2', () => {
    assert.equal(upstreamSize(sized('1536x1024'), 'chatgpt-image-latest'), '1536x1024');
    assert.equal(upstreamSize(sized('2048x1152'), 'chatgpt-image-latest'), undefined);
    assert.equal(upstreamSize(sized('2048x1152'), 'gpt-image-1.5'), undefined);
    assert.equal(upstreamSize(sized('1000x1000'), 'gpt-image-20'), undefined);
  });
});

describe('the new models through the openai provider', () => {
  let upstream: Awaited<ReturnType<typeof startStandIn>>;
  let t: TestApp;
  before(async () => {
    upstream = await startStandIn(async (req) => {
      const image = req.parts.find((p) => p.name === 'image')!.bytes!;
      return { json: { created: 1, data: [{ b64_json: (await greyscaleOf(image)).toString('base64') }] } };
    });
    t = await startTestApp({ OPENAI_API_KEY: 'sk-upstream-sizes-0001', OPENAI_BASE_URL: `${upstream.origin}/v1` });
  });
  after(async () => { await t?.close(); await upstream?.close(); });
  beforeEach(() => { upstream.requests.length = 0; });

  async function edit(model: string, size: string) {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: 'make it black and white' }, { name: 'size', value: size }, { name: 'response_format', value: 'b64_json' }]);
    return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
  }

  it('lists both models', async () => {
    const ids = (await t.app.server.inject({ url: '/v1/models', headers: t.auth })).json().data.map((m: { id: string }) => m.id);
    assert.ok(ids.includes('gpt-image-2') && ids.includes('chatgpt-image-latest'), ids.join(' '));
  });

  it('gpt-image-2 sends a free-form size, and refuses a bad one before any upstream call', async () => {
    const res = await edit('gpt-image-2', '1024x576');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(upstream.requests[0]!.parts.find((p) => p.name === 'size')?.value, '1024x576');
    assert.equal(upstream.requests[0]!.parts.find((p) => p.name === 'model')?.value, 'gpt-image-2');
    const out = await decode(Buffer.from(res.json().data[0].b64_json, 'base64'));
    assert.deepEqual([out.width, out.height], [1024, 576]);

    upstream.requests.length = 0;
    assertError(await edit('gpt-image-2', '1000x1000'), 400, { code: 'invalid_value', param: 'size' });
    assert.equal(upstream.requests.length, 0, 'no upstream call for a size the model cannot make');
  });

  it('chatgpt-image-latest sends an offered size and applies another to the result', async () => {
    const res = await edit('chatgpt-image-latest', '320x240');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(upstream.requests[0]!.parts.find((p) => p.name === 'size'), undefined);
    const out = await decode(Buffer.from(res.json().data[0].b64_json, 'base64'));
    assert.deepEqual([out.width, out.height], [320, 240]);
  });
});
