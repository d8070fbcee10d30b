import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { nearestAspectRatio } from '../src/backends/gemini/image-config.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, solid } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { geminiImageAnswer, greyscaleOf, type Script, startStandIn } from './helpers/stand-in.ts';

const KEY = 'AIza-upstream-secret-gemini';
let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({ GEMINI_API_KEY: KEY, GEMINI_BASE_URL: upstream.origin });
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

const greyAnswer: Script = async (req) => {
  const data = req.json.contents[0].parts[1].inline_data.data as string;
  return { json: geminiImageAnswer(await greyscaleOf(Buffer.from(data, 'base64')), { thought: await solid(8, 8, [255, 0, 0]) }) };
};

async function edit(extra: Part[] = [], model = 'nano-banana-1') {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: 'make it black and white' }, { name: 'response_format', value: 'b64_json' }, ...extra]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

describe('Gemini upstream', () => {
  it('sends generateContent with the prompt and inline image, and takes the last non-thought image', async () => {
    script = greyAnswer;
    const res = await edit();
    assert.equal(res.statusCode, 200, res.body);
    const req = upstream.requests[0]!;
    assert.equal(req.path, '/v1beta/models/gemini-2.5-flash-image:generateContent');
    assert.equal(req.headers['x-goog-api-key'], KEY);
    assert.equal(req.headers.authorization, undefined);
    assert.deepEqual(req.json.contents[0].parts[0], { text: 'make it black and white' });
    assert.equal(req.json.contents[0].parts[1].inline_data.mime_type, 'image/png');
    assert.deepEqual(Buffer.from(req.json.contents[0].parts[1].inline_data.data, 'base64'), await card());
    assert.deepEqual(req.json.generationConfig, { responseModalities: ['TEXT', 'IMAGE'] }, 'no size → no aspectRatio');
    assert.equal(res.headers['x-retouch-backend'], 'gemini');
    const json = JSON.parse(res.body);
    const out = await decode(Buffer.from(json.data[0].b64_json, 'base64'));
    assert.deepEqual([out.width, out.height], [64, 48], 'the final image, not the 8x8 thought');
    assert.deepEqual(json.usage, { input_tokens: 1290, output_tokens: 1300, total_tokens: 2590 });
    assert.doesNotMatch(res.body, /upstream-secret/);
  });

  it('maps size to aspectRatio and fits the result exactly', async () => {
    script = greyAnswer;
    const res = await edit([{ name: 'size', value: '1024x576' }]);
    assert.deepEqual(upstream.requests[0]!.json.generationConfig.imageConfig, { aspectRatio: '16:9' });
    const out = await decode(Buffer.from(JSON.parse(res.body).data[0].b64_json, 'base64'));
    assert.deepEqual([out.width, out.height], [1024, 576]);
  });

  it('imageSize only for the 3-series models', async () => {
    script = greyAnswer;
    await edit([{ name: 'size', value: '2k' }], 'nano-banana-pro');
    assert.equal(upstream.requests[0]!.path, '/v1beta/models/gemini-3-pro-image-preview:generateContent');
    assert.deepEqual(upstream.requests[0]!.json.generationConfig.imageConfig, { imageSize: '2K' });
    upstream.requests.length = 0;
    await edit([{ name: 'size', value: '2K' }]);
    assert.equal(upstream.requests[0]!.json.generationConfig.imageConfig, undefined);
  });

  it('nearest aspect ratios', () => {
    assert.equal(nearestAspectRatio(1024, 1024), '1:1');
    assert.equal(nearestAspectRatio(1920, 1080), '16:9');
    assert.equal(nearestAspectRatio(1000, 1500), '2:3');
    assert.equal(nearestAspectRatio(3000, 1000), '21:9');
    assert.equal(nearestAspectRatio(100, 1000), '9:16');
  });

  const refusals: Array<[string, unknown]> = [
    ['promptFeedback.blockReason', { promptFeedback: { blockReason: 'SAFETY' } }],
    ['finishReason SAFETY', { candidates: [{ finishReason: 'SAFETY' }] }],
    ['finishReason PROHIBITED_CONTENT', { candidates: [{ finishReason: 'PROHIBITED_CONTENT' }] }],
    ['finishReason IMAGE_SAFETY', { candidates: [{ content: { parts: [] }, finishReason: 'IMAGE_SAFETY' }] }],
    ['finishReason IMAGE_PROHIBITED_CONTENT', { candidates: [{ finishReason: 'IMAGE_PROHIBITED_CONTENT' }] }],
    ['finishReason IMAGE_OTHER', { candidates: [{ finishReason: 'IMAGE_OTHER' }] }],
    ['finishReason RECITATION', { candidates: [{ finishReason: 'RECITATION' }] }],
    ['text and no image', { candidates: [{ content: { parts: [{ text: "I can't help with editing this image." }] }, finishReason: 'STOP' }] }],
  ];
  for (const [what, answer] of refusals) {
    it(`${what} → 400 moderation_blocked, not retried, no fallback`, async () => {
      script = () => ({ json: answer });
      assertError(await edit(), 400, { code: 'moderation_blocked', type: 'image_generation_user_error' });
      assert.equal(upstream.requests.length, 1);
    });
  }

  it('NO_IMAGE, or no image part at all → 502 upstream_no_image', async () => {
    script = () => ({ json: { candidates: [{ finishReason: 'NO_IMAGE' }] } });
    assertError(await edit(), 502, { code: 'upstream_no_image' });
    script = () => ({ json: { candidates: [] } });
    assertError(await edit(), 502, { code: 'upstream_no_image' });
  });

  it('n=3 fans out to three calls and returns three images', async () => {
    script = greyAnswer;
    const res = await edit([{ name: 'n', value: '3' }]);
    assert.equal(JSON.parse(res.body).data.length, 3);
    assert.equal(upstream.requests.length, 3);
    assert.equal(JSON.parse(res.body).usage.total_tokens, 3 * 2590);
  });

  it('429 with retry-after, then success; 500 then success; malformed JSON → 502', async () => {
    script = (req, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0' }, json: { error: { code: 429, message: 'Resource exhausted', status: 'RESOURCE_EXHAUSTED' } } } : greyAnswer(req, n));
    assert.equal((await edit()).statusCode, 200);
    assert.equal(upstream.requests.length, 2);
    upstream.requests.length = 0;
    script = (req, n) => (n === 1 ? { status: 500, json: { error: { code: 500, message: 'Internal', status: 'INTERNAL' } } } : greyAnswer(req, n));
    assert.equal((await edit()).statusCode, 200);
    script = () => ({ body: '<html>gateway</html>' });
    assertError(await edit(), 502, { code: 'upstream_error' });
  });

  it('an INVALID_ARGUMENT 400 stays a 400', async () => {
    script = () => ({ status: 400, json: { error: { code: 400, message: 'Unsupported aspect ratio', status: 'INVALID_ARGUMENT' } } });
    const err = assertError(await edit(), 400, { code: 'upstream_rejected', type: 'invalid_request_error' });
    assert.match(err.message, /Unsupported aspect ratio/);
  });
});
