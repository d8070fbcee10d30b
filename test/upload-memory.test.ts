/**
 * RETOUCH_UPLOAD_MEMORY_MB bounds the request bodies held in memory at once: a request that does not
 * fit next to those in flight is refused with 429 and retry-after before its body is read, and the
 * room comes back when an answer is done, whatever its outcome.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { until, uploadMemoryInUse as inUse } from './helpers/upload-memory.ts';

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp({ RETOUCH_UPLOAD_MEMORY_MB: '1' });
  base = await t.listen();
});
after(async () => { await t.close(); });

/** Starts an upload that declares `bytes` but sends only its head, holding its reservation open. */
function heldUpload(bytes: number) {
  const req = http.request(`${base}/v1/images/edits`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.key}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(bytes) },
  });
  const answered = new Promise<number>((resolve) => {
    req.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', () => resolve(0));
  });
  req.write('--x\r\n');
  return { answered, abort: () => req.destroy() };
}

async function post(parts: Awaited<ReturnType<typeof nodeForm>>) {
  const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(parts.body), headers: { ...parts.headers, ...t.auth } });
  return { status: res.status, headers: res.headers, body: await res.json() as any };
}

describe('memory for request bodies', () => {
  it('a request that does not fit next to one in flight gets 429 with retry-after, before its body is read', async () => {
    const held = heldUpload(1024 * 1024 - 100); // leaves less room than any edit form needs
    await until(() => inUse() === 1024 * 1024 - 100, 'the held upload to reserve its declared size'); // made on arrival
    const form = await nodeForm([
      { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' },
      { name: 'image', file: await card(), filename: 'card.png', contentType: 'image/png' },
    ]);
    const busy = await post(form);
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.deepEqual(Object.keys(busy.body.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(busy.body.error.code, 'rate_limit_exceeded');
    assert.match(busy.body.error.message, /busy receiving other uploads/);

    // Once the held request is gone (client left), its room is back.
    held.abort();
    await held.answered;
    // The room comes back when the server sees the connection close, after the client let go.
    await until(() => inUse() === 0, "the held upload's room to be given back");
    const ok = await post(form);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('a request alone is let in even when larger than the memory bound (the upload limit still applies)', async () => {
    const form = await nodeForm([
      { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' },
      { name: 'image', file: await card(), filename: 'card.png', contentType: 'image/png' },
      // A file part the API ignores, which still makes the body larger than 1 MiB.
      { name: 'extra', file: Buffer.alloc(1100 * 1024, 1), filename: 'extra.bin', contentType: 'application/octet-stream' },
    ]);
    assert.ok(form.body.length > 1024 * 1024);
    const res = await post(form);
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });
});
