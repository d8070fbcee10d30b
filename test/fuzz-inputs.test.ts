import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, solid } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

/** A small deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(bytes);
  const kind = Math.floor(rand() * 3);
  if (kind === 0) for (let i = 0; i < 1 + rand() * 20; i++) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  if (kind === 1) return out.subarray(0, Math.floor(rand() * out.length));
  if (kind === 2) {
    // Corrupt the header region, where dimensions and chunk lengths live.
    for (let i = 0; i < 4; i++) out[8 + Math.floor(rand() * Math.min(40, out.length - 8))] = Math.floor(rand() * 256);
  }
  return out;
}

describe('mutated images never produce a 5xx', () => {
  it('240 random mutations of PNG, JPEG and WEBP files answer 200 or 4xx, and the server stays up', async () => {
    const seeds = [await card(96, 64), await solid(80, 60, [30, 140, 200], 'jpeg'), await solid(80, 60, [200, 40, 90], 'webp')];
    const rand = rng(20261124);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 240; i++) {
      const image = mutate(seeds[i % seeds.length]!, rand);
      const { body, headers } = await nodeForm([{ name: 'image', file: image }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'rotate 10 degrees' }, { name: 'response_format', value: 'b64_json' }]);
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      assert.ok(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `mutation ${i}: ${res.statusCode} ${res.body}`);
      if (res.statusCode !== 200) assert.ok(JSON.parse(res.body).error.code, res.body);
    }
    // Both outcomes must occur, or the mutations are not exercising anything.
    assert.ok((statuses.get(400) ?? 0) > 20, JSON.stringify([...statuses]));
    assert.equal((await t.app.server.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  it('garbage field values answer 400, never 500', async () => {
    const rand = rng(7);
    for (const field of ['size', 'n', 'output_format', 'output_compression', 'background', 'response_format', 'model']) {
      for (let i = 0; i < 10; i++) {
        const value = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => 33 + Math.floor(rand() * 94))).toString('latin1');
        const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: field, value }]);
        const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
        assert.ok(res.statusCode < 500, `${field}=${value}: ${res.statusCode} ${res.body}`);
      }
    }
  });
});
