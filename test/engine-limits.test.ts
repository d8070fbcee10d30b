/**
 * The local engine's limits and refusals: the deadline and a client leaving answer at once, output
 * sizes are checked from the plan before any pixel work, and an edit that cannot be done whole is a
 * 400 rather than an image that leaves part of the prompt out.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { LocalBackend } from '../src/backends/local/index.ts';
import type { Segmenter, SubjectMask } from '../src/backends/local/segment/index.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { loadConfig } from '../src/config/index.ts';
import { buildEditRequest } from '../src/edits/build.ts';
import { parseScalarFields } from '../src/edits/request.ts';
import { RetouchError } from '../src/errors.ts';

const limits = loadConfig({}).limits;
const workers = new EngineWorkers();
after(() => workers.close());

async function requestFor(image: Buffer, prompt: string, mask?: Buffer) {
  const scalars = parseScalarFields({ prompt, model: 'retouch-local-1', output_format: 'png' }, limits.maxPromptChars);
  return buildEditRequest({ fields: {}, images: [image], mask }, scalars, limits);
}

const isError = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof RetouchError, `not a RetouchError: ${e}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

/** A segmenter stuck in work that does not listen to the abort signal, as a libvips call is. */
class StuckSegmenter implements Segmenter {
  readonly name = 'stuck';
  release: () => void = () => {};
  private enter: () => void = () => {};
  readonly entered = new Promise<void>((r) => { this.enter = r; });
  async segment(image: { width: number; height: number }): Promise<SubjectMask> {
    this.enter();
    await new Promise<void>((r) => { this.release = r; });
    return { data: Buffer.alloc(image.width * image.height, 255), width: image.width, height: image.height, channels: 1 };
  }
}

describe('the deadline and a client leaving', () => {
  const photo = () => sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();

  it('the deadline answers 504 on time even while a step cannot be interrupted; the slot stays held until the work ends', async () => {
    const stuck = new StuckSegmenter();
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4, timeoutMs: 150 }, workers, stuck);
    const started = Date.now();
    const edit = engine.edit(await requestFor(await photo(), 'remove the background'), { model: 'retouch-local-1', signal: new AbortController().signal });
    await assert.rejects(edit, isError('edit_timeout'));
    assert.ok(Date.now() - started < 1000, `answered after ${Date.now() - started} ms`);
    // The work is still running: its slot is honestly still taken, and given back when it ends.
    assert.equal(engine.slotsInUse, 1);
    stuck.release();
    for (let i = 0; i < 200 && engine.slotsInUse > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(engine.slotsInUse, 0);
  });

  it('a client that leaves gets its answer at once, not when the stuck step ends', async () => {
    const stuck = new StuckSegmenter();
    const engine = new LocalBackend(limits.maxInputPixels, { concurrency: 2, queue: 4, timeoutMs: 60_000 }, workers, stuck);
    const client = new AbortController();
    const edit = engine.edit(await requestFor(await photo(), 'remove the background'), { model: 'retouch-local-1', signal: client.signal });
    await stuck.entered;
    client.abort();
    const started = Date.now();
    await assert.rejects(edit, isError('request_cancelled'));
    assert.ok(Date.now() - started < 500);
    stuck.release();
  });
});
