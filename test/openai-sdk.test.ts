import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';

let t: TestApp;
let client: OpenAI;
let baseURL: string;
before(async () => {
  t = await startTestApp();
  baseURL = `${await t.listen()}/v1`;
  client = new OpenAI({ apiKey: t.key, baseURL, maxRetries: 0 });
});
after(async () => { await t.close(); });

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 2 && Math.abs(p[1]! - p[2]!) <= 2;

describe('the official openai SDK as a client', () => {
  it('images.edit with toFile and b64_json', async () => {
    const res = await client.images.edit({
      image: await toFile(await card(), 'card.png', { type: 'image/png' }),
      model: 'nano-banana-1', prompt: 'make it black and white', response_format: 'b64_json',
    });
    const out = await decode(Buffer.from(res.data![0]!.b64_json!, 'base64'));
    assert.ok(isGrey(pixel(out, 20, 20)));
    assert.equal(typeof res.created, 'number');
  });

  it('images.edit with a url result that downloads', async () => {
    const res = await client.images.edit({
      image: await toFile(await card(), 'card.png'), model: 'retouch-local-1', prompt: 'rotate 180 degrees', output_format: 'png',
    });
    const url = res.data![0]!.url!;
    const img = await fetch(url);
    assert.equal(img.headers.get('content-type'), 'image/png');
    const out = await decode(Buffer.from(await img.arrayBuffer()));
    // Rotated 180°: the green corner moves to the bottom right.
    const corner = pixel(out, 60, 44);
    assert.ok(corner[1]! > 200 && corner[0]! < 60, `corner ${corner}`);
  });

  it('images.edit with an array of images reaches the engine as several images', async () => {
    await assert.rejects(
      client.images.edit({ image: [await toFile(await card(), 'a.png'), await toFile(await card(), 'b.png')], model: 'nano-banana-1', prompt: 'grayscale' }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && (err.error as { code?: string })?.code === 'unsupported_edit',
    );
  });

  it('a bad key raises AuthenticationError', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL, maxRetries: 0 });
    await assert.rejects(
      bad.images.edit({ image: await toFile(await card(), 'card.png'), model: 'nano-banana-1', prompt: 'grayscale' }),
      (err: unknown) => err instanceof OpenAI.AuthenticationError && err.status === 401,
    );
  });

  it('an unknown model raises NotFoundError; an unsupported prompt raises BadRequestError with the code', async () => {
    await assert.rejects(
      client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'nope-1', prompt: 'grayscale' }),
      (err: unknown) => err instanceof OpenAI.NotFoundError && (err.error as { code?: string }).code === 'model_not_found',
    );
    await assert.rejects(
      client.images.edit({ image: await toFile(await card(), 'card.png'), model: 'nano-banana-1', prompt: 'add a dragon' }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && (err.error as { param?: string }).param === 'prompt',
    );
  });

  it('models.list lists the routable models', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes('nano-banana-1') && ids.includes('retouch-local-1'), ids.join());
  });
});
