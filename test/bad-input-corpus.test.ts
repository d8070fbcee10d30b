/**
 * The bad-input corpus (test/corpus/cases.ts, issue 14): every case through POST /v1/images/edits.
 * Damaged, lying, renamed and polyglot files answer a 4xx envelope; valid-but-odd images (CMYK,
 * 16-bit, palettes, grey+alpha, every EXIF orientation, odd ICC profiles) answer 200 with the
 * right size, orientation and colours; nothing answers a 5xx, and the server stays up.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { buildCorpus, type CorpusCase } from './corpus/cases.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
let corpus: CorpusCase[];
before(async () => {
  corpus = await buildCorpus();
  // A lower pixel cap than the default keeps the bombs cheap; the checks are the same.
  t = await startTestApp({ RETOUCH_MAX_INPUT_MEGAPIXELS: '16' });
});
after(async () => { await t.close(); });

/**
 * `sharpen` leaves flat areas as they are, so colours can be checked on the result. A single pixel
 * has nothing to sharpen (the engine refuses a no-op), so it is flipped: the same pixel comes back.
 */
async function post(c: CorpusCase) {
  const onePixel = c.expect.kind === 'valid' && c.expect.width * c.expect.height === 1;
  const { body, headers } = await nodeForm([
    { name: 'image', file: c.bytes, filename: c.filename, contentType: c.contentType },
    { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: onePixel ? 'flip horizontally' : 'sharpen' },
    { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' },
  ]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
}

/** The image as a careful decoder shows it: orientation applied, in sRGB, 8 bits, RGBA. */
async function reference(bytes: Buffer) {
  return sharp(bytes).autoOrient().toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
}

const near = (a: number[], b: number[], tolerance: number) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);

async function checkResult(c: CorpusCase, b64: string) {
  const out = await sharp(Buffer.from(b64, 'base64')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height } = out.info;
  const e = c.expect;
  if (e.kind === 'reject') return;
  if (e.width !== undefined) assert.deepEqual([width, height], [e.width, e.height], `${c.name}: size`);
  if (e.kind !== 'valid') return;
  const at = (img: typeof out, [fx, fy]: [number, number]) => {
    const x = Math.min(img.info.width - 1, Math.floor(fx * img.info.width));
    const y = Math.min(img.info.height - 1, Math.floor(fy * img.info.height));
    const i = (y * img.info.width + x) * 4;
    return [...img.data.subarray(i, i + 4)];
  };
  // The card's own colours: orientation, channel order and colour conversion, decoder-independent.
  for (const p of e.pixels ?? []) {
    const got = at(out, p.at);
    assert.ok(near(got.slice(0, 3), p.rgb, 72), `${c.name}: at ${p.at} expected ~${p.rgb}, got ${got}`);
  }
  // And the same pixels as a reference decode, at a few places.
  const ref = await reference(c.bytes);
  // Away from edges, where sharpening overshoots.
  for (const p of [[0.05, 0.08], [0.25, 0.6], [0.75, 0.6], [0.25, 0.9], [0.9, 0.2]] as Array<[number, number]>) {
    assert.ok(near(at(out, p), at(ref, p), 24), `${c.name}: at ${p} got ${at(out, p)}, reference ${at(ref, p)}`);
  }
  if (e.alpha) assert.ok(at(out, [0.5, 0.5])[3]! < 255, `${c.name}: alpha kept`);
}

describe('the bad-input corpus', () => {
  it('has at least 300 generated cases in every group', () => {
    assert.ok(corpus.length >= 300, String(corpus.length));
    const groups = new Set(corpus.map((c) => c.name.split('/')[0]));
    for (const g of ['truncated', 'bitflip', 'tiny', 'renamed', 'polyglot', 'header-lie', 'bomb', 'animated', 'valid', 'odd-icc']) assert.ok(groups.has(g), g);
    assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length, 'names are unique');
  });

  it('every case answers its expected outcome, never a 5xx', { timeout: 240_000 }, async () => {
    const failures: string[] = [];
    const tally: Record<string, number> = {};
    for (const c of corpus) {
      const res = await post(c);
      tally[res.statusCode] = (tally[res.statusCode] ?? 0) + 1;
      try {
        assert.ok(res.statusCode < 500, `${c.name}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        if (res.statusCode !== 200) {
          assert.ok(c.expect.kind !== 'valid', `${c.name}: expected 200, got ${res.statusCode} ${res.body.slice(0, 300)}`);
          assert.ok(res.statusCode >= 400, `${c.name}: ${res.statusCode}`);
          const body = JSON.parse(res.body);
          assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type'], c.name);
          if (c.expect.kind === 'reject' && c.expect.codes) assert.ok(c.expect.codes.includes(body.error.code), `${c.name}: ${body.error.code}`);
        } else {
          assert.ok(c.expect.kind !== 'reject', `${c.name}: expected a 4xx, got 200`);
          await checkResult(c, JSON.parse(res.body).data[0].b64_json);
        }
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${corpus.length} cases failed; statuses ${JSON.stringify(tally)}`);
    assert.equal((await t.app.server.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });
});
