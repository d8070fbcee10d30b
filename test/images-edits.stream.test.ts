import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { greyAnswer, relayConfig, type Script, startStandIn, streamingUpstream } from './helpers/stand-in.ts';

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;

let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
let client: OpenAI;
let base: string;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({ RETOUCH_STREAM_HEARTBEAT_SECONDS: '0.05' }, {
    configFile: relayConfig(upstream.origin),
  });
  base = await t.listen();
  client = new OpenAI({ apiKey: t.key, baseURL: `${base}/v1`, maxRetries: 0 });
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

async function collect(stream: AsyncIterable<OpenAI.Images.ImageEditStreamEvent>) {
  const events: OpenAI.Images.ImageEditStreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

describe('stream=true as the openai SDK streams edits', () => {
  it('the local engine: low-resolution partials as the edit goes, then the completed image', async () => {
    const stream = await client.images.edit({
      image: await toFile(await card(640, 480), 'card.png', { type: 'image/png' }),
      model: 'retouch-local-1', prompt: 'make it black and white, then rotate it 180 degrees', output_format: 'png',
      stream: true, partial_images: 2,
    });
    const events = await collect(stream);
    const partials = events.filter((e) => e.type === 'image_edit.partial_image');
    const completed = events.filter((e) => e.type === 'image_edit.completed');
    assert.equal(partials.length, 2, events.map((e) => e.type).join());
    assert.deepEqual(partials.map((p) => p.partial_image_index), [0, 1]);
    assert.equal(completed.length, 1);
    assert.equal(events.at(-1)!.type, 'image_edit.completed', 'the result comes last');
    // Partial 0 is after the greyscale step, partial 1 after the rotation too; both are previews.
    const first = await decode(Buffer.from(partials[0]!.b64_json, 'base64'));
    const second = await decode(Buffer.from(partials[1]!.b64_json, 'base64'));
    assert.equal(first.width, 256);
    assert.equal(first.format, 'png');
    assert.ok(isGrey(pixel(first, 20, 20)), 'greyed already');
    assert.ok(pixel(first, 2, 2)[0]! > 100, 'the (grey) green corner is still top left before the rotation');
    assert.ok(pixel(second, 254, 190)[0]! > 100 && pixel(second, 2, 2)[0]! < 100, 'rotated in the second partial');
    const done = completed[0]!;
    const out = await decode(Buffer.from(done.b64_json, 'base64'));
    assert.deepEqual([out.width, out.height, done.size, done.output_format, done.background], [640, 480, '640x480', 'png', 'auto']);
    assert.ok(isGrey(pixel(out, 100, 100)));
    assert.equal(typeof done.created_at, 'number');
    assert.equal(done.usage.total_tokens, 0, 'the local engine uses no tokens');
  });

  it('partial_images 0 sends only the completed event; n=2 sends two', async () => {
    const events = await collect(await client.images.edit({
      image: await toFile(await card(), 'card.png'), model: 'retouch-local-1', prompt: 'grayscale', stream: true, n: 2,
    }));
    assert.deepEqual(events.map((e) => e.type), ['image_edit.completed', 'image_edit.completed']);
  });

  it('relays an OpenAI-compatible upstream stream: its partials as they come, its result conformed', async () => {
    script = streamingUpstream(2);
    const stream = await client.images.edit({
      image: await toFile(await card(), 'card.png'), model: 'relayed', prompt: 'make it black and white', stream: true, partial_images: 2,
    });
    const events = await collect(stream);
    assert.deepEqual(events.map((e) => e.type), ['image_edit.partial_image', 'image_edit.partial_image', 'image_edit.completed']);
    const req = upstream.requests[0]!;
    const field = (n: string) => req.parts.find((p) => p.name === n)?.value;
    assert.deepEqual([field('stream'), field('partial_images')], ['true', '2'], 'the upstream was asked to stream');
    const partial = await decode(Buffer.from((events[1] as OpenAI.Images.ImageEditPartialImageEvent).b64_json, 'base64'));
    assert.equal(partial.width, 32, "the upstream's own partial, passed through");
    const done = events[2] as OpenAI.Images.ImageEditCompletedEvent;
    const out = await decode(Buffer.from(done.b64_json, 'base64'));
    assert.deepEqual([out.width, out.height, out.format], [64, 48, 'webp']);
    assert.ok(isGrey(pixel(out, 40, 30)));
    assert.equal(done.usage.total_tokens, 16, "the upstream's usage");
  });

  it('an upstream that does not stream is previewed from its result', async () => {
    script = greyAnswer;
    const events = await collect(await client.images.edit({
      image: await toFile(await card(640, 480), 'card.png'), model: 'relayed', prompt: 'grey', stream: true, partial_images: 1,
    }));
    assert.deepEqual(events.map((e) => e.type), ['image_edit.partial_image', 'image_edit.completed']);
    assert.equal((await decode(Buffer.from(events[0]!.b64_json, 'base64'))).width, 256);
  });

  it('an error event mid-stream is raised by the SDK; early failures keep their status', async () => {
    script = async () => ({ sse: [
      { event: 'image_edit.partial_image', data: { type: 'image_edit.partial_image', b64_json: (await sharp(await card()).webp().toBuffer()).toString('base64'), partial_image_index: 0 } },
      { waitMs: 100 },
      { event: 'error', data: { type: 'error', error: { message: 'upstream melted', type: 'server_error', code: 'server_error', param: null } } },
    ] });
    const stream = await client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'relayed', prompt: 'grey', stream: true, partial_images: 1 });
    const seen: string[] = [];
    await assert.rejects(async () => { for await (const e of stream) seen.push(e.type); }, (err: unknown) => {
      assert.ok(err instanceof OpenAI.APIError, String(err));
      assert.equal((err.error as { code?: string }).code, 'upstream_error');
      assert.match(err.message, /upstream melted/);
      return true;
    });
    assert.deepEqual(seen, ['image_edit.partial_image']);
    await assert.rejects(
      client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'nope-1', prompt: 'grey', stream: true }),
      (err: unknown) => err instanceof OpenAI.NotFoundError,
    );
    await assert.rejects(
      client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'retouch-local-1', prompt: 'grey', stream: true, partial_images: 4 as 3 }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && (err.error as { param?: string }).param === 'partial_images',
    );
  });

  it('sends heartbeat comments while the upstream is silent, as text/event-stream', async () => {
    script = async (req) => ({ sse: [{ waitMs: 400 }, ...((await streamingUpstream(0)(req, 1)) as { sse: [] }).sse] });
    const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'relayed' }, { name: 'prompt', value: 'grey' }, { name: 'stream', value: 'true' }, { name: 'partial_images', value: '1' }]);
    const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...headers, ...t.auth }, body: new Uint8Array(body) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const text = await res.text();
    assert.match(text, /^: keep-alive\n\n/, 'a heartbeat before anything else');
    assert.match(text, /event: image_edit\.completed\ndata: \{"type":"image_edit.completed"/);
  });
});
