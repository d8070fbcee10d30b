import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { assertError } from './helpers/assertions.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
let base: string;
before(async () => {
  t = await startTestApp(); // default limits: 50 MB per file and per request
  base = await t.listen();
});
after(async () => { await t.close(); });

interface Sent { status: number; body: string; bytesSent: number }

/**
 * Streams a multipart upload of `totalBytes` of PNG-looking data over a real socket, stopping as soon
 * as the server answers. Returns how much had been sent by then.
 */
function streamUpload(totalBytes: number, opts: { declareLength: boolean }): Promise<Sent> {
  const boundary = 'retouchboundary';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="model"\r\n\r\nnano-banana-1\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="prompt"\r\n\r\ngrayscale\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 7);
  chunk.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let answered = false;
    const req = http.request(`${base}/v1/images/edits`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${t.key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        ...(opts.declareLength ? { 'content-length': String(head.length + totalBytes + tail.length) } : { 'transfer-encoding': 'chunked' }),
      },
    });
    req.on('response', (res) => {
      answered = true;
      const sentAtAnswer = bytesSent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => { resolve({ status: res.statusCode!, body, bytesSent: sentAtAnswer }); req.destroy(); });
    });
    req.on('error', (err) => { if (!answered) reject(err); });
    req.write(head);
    bytesSent += head.length;
    const pump = () => {
      while (!answered && bytesSent < totalBytes) {
        bytesSent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end(tail);
    };
    pump();
  });
}

describe('uploads over the byte limit', () => {
  it('a declared 100 MB body is refused with 413 before any of it is read', async () => {
    const res = await streamUpload(100 * 1024 * 1024, { declareLength: true });
    assert.equal(res.status, 413, res.body);
    const err = JSON.parse(res.body).error;
    assert.equal(err.code, 'payload_too_large');
    assert.ok(res.bytesSent < 20 * 1024 * 1024, `sent ${res.bytesSent} bytes before the answer`);
  });

  it('a chunked 100 MB upload is refused with 413 while it streams, memory staying bounded', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    const res = await streamUpload(100 * 1024 * 1024, { declareLength: false });
    const grown = process.memoryUsage().rss - before;
    assert.equal(res.status, 413, res.body);
    assert.equal(JSON.parse(res.body).error.code, 'payload_too_large');
    assert.equal(JSON.parse(res.body).error.param, 'image');
    // The server stops at the 50 MB limit: it never holds the 100 MB.
    assert.ok(res.bytesSent < 70 * 1024 * 1024, `sent ${res.bytesSent} bytes before the answer`);
    assert.ok(grown < 150 * 1024 * 1024, `RSS grew by ${(grown / 1e6).toFixed(0)} MB`);
  });

  it('the server still serves after refusing uploads', async () => {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
    const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, authorization: `Bearer ${t.key}` } });
    assert.equal(res.status, 200);
  });

  it('a file over the per-file limit in-process → 413 naming the field', async () => {
    const big = Buffer.alloc(50.5 * 1024 * 1024, 1); // past the 50 MB file limit, within the body allowance
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const { body, headers } = await nodeForm([{ name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'mask', file: big }, { name: 'image', file: await card() }]);
    assertError(await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body }), 413, { code: 'payload_too_large', param: 'mask' });
  });

  it('a JSON body over the limit → 413', async () => {
    const res = await t.app.server.inject({
      method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ model: 'nano-banana-1', prompt: 'grayscale', image: `data:image/png;base64,${Buffer.alloc(70 * 1024 * 1024).toString('base64')}` }),
    });
    assertError(res, 413, { code: 'payload_too_large' });
  });
});
