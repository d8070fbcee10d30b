import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import type { LocalBackend } from '../src/backends/local/index.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp({ RETOUCH_LOCAL_CONCURRENCY: '1', RETOUCH_LOCAL_QUEUE: '0' });
  base = await t.listen();
});
after(async () => { await t.close(); });

describe('the local engine work queue', () => {
  it('a full queue answers 429 with retry-after at once; /health stays fast during a heavy edit', async () => {
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#c84' } }).png({ compressionLevel: 1 }).toBuffer();
    const heavy = await nodeForm([{ name: 'image', file: big }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'rotate 33 degrees and blur it a lot' }, { name: 'output_format', value: 'png' }]);
    const first = fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(heavy.body), headers: { ...heavy.headers, ...t.auth } });
    // Wait until the heavy edit holds the only slot, then ask for another edit.
    const local = t.app.services.router.resolve('retouch-local-1')[0]!.backend as LocalBackend;
    for (let i = 0; i < 2000 && local.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(local.inFlight, 1, 'the heavy edit is running');
    const probe = await nodeForm([{ name: 'image', file: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'flip it' }]);
    const refused = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...probe.headers, ...t.auth }, payload: probe.body });
    assertError(refused, 429, { code: 'rate_limit_exceeded', type: 'rate_limit_exceeded' });
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    const started = performance.now();
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    // Measured, not a performance claim: sharp works off the event loop, so this is a few ms.
    const healthMs = performance.now() - started;
    assert.equal((await first).status, 200);
    process.stdout.write(`# /health during a heavy edit: ${healthMs.toFixed(1)} ms\n`);
  });

  it('an unsupported prompt is refused without waiting for a slot', async () => {
    const small = await nodeForm([{ name: 'image', file: await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'add a moustache' }]);
    assertError(await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...small.headers, ...t.auth }, payload: small.body }), 400, { code: 'unsupported_edit' });
  });
});

describe('the local engine deadline', () => {
  let slow: TestApp;
  before(async () => { slow = await startTestApp({ RETOUCH_LOCAL_TIMEOUT_SECONDS: '0.05' }); });
  after(async () => { await slow.close(); });

  it('an edit past its deadline stops between steps with 504 edit_timeout', async () => {
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#48c' } }).png({ compressionLevel: 1 }).toBuffer();
    const form = await nodeForm([{ name: 'image', file: big }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'rotate 33 degrees, blur it a lot and sharpen it' }]);
    const res = await slow.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...form.headers, ...slow.auth }, payload: form.body });
    assertError(res, 504, { code: 'edit_timeout', type: 'server_error' });
  });
});
