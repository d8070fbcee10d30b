import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseScalarFields } from '../src/edits/request.ts';
import type { EditEvent, EditJob } from '../src/edits/job.ts';
import { inputKey } from '../src/edits/inputs.ts';
import { newId } from '../src/ids.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { startStandIn } from './helpers/stand-in.ts';
import { until, uploadMemoryInUse } from './helpers/upload-memory.ts';

let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
before(async () => {
  upstream = await startStandIn(() => 'stall');
  t = await startTestApp({}, {
    configFile: `
providers:
  slow: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: sk-upstream-0000001, timeoutMs: 20000, retries: 0 }
models:
  slow-model: { route: ["slow:gpt-image-1"] }
`,
  });
});
after(async () => { await t.close(); await upstream.close(); });

describe('EditService', () => {
  it('runs a job given as data (blob keys, no buffers) and returns the answer and its usage', async () => {
    const { edits, inputs } = t.app.services;
    const id = newId('request');
    await inputs.put(inputKey(id, 0), await card());
    const job: EditJob = {
      id, keyId: null, images: [inputKey(id, 0)], mask: null, publicBase: 'http://img.test',
      fields: parseScalarFields({ model: 'retouch-local-1', prompt: 'rotate it 90 degrees', output_format: 'png' }, 32000),
    };
    // The job is small data that survives JSON: it can cross a queue. The service runs the copy.
    const text = JSON.stringify(job);
    assert.ok(text.length < 1000, text);
    const wire: EditJob = JSON.parse(text);
    const events: EditEvent[] = [];
    const out = await edits.run(wire, { signal: new AbortController().signal, onEvent: (e) => events.push(e) });
    assert.deepEqual(events.map((e) => e.type === 'stage' && e.stage), ['started', 'validated', 'edited', 'stored']);
    assert.equal(out.images, 1);
    assert.equal(out.headers['x-retouch-backend'], 'local');
    const url = (out.answer.data[0] as { url: string }).url;
    assert.match(url, /^http:\/\/img\.test\/img\/img_\w+\.png$/);
    const blob = await t.app.services.blobs.get(url.split('/').pop()!);
    const chunks: Buffer[] = [];
    for await (const c of blob!.body) chunks.push(c as Buffer);
    const img = await decode(Buffer.concat(chunks));
    assert.deepEqual([img.width, img.height], [48, 64]);
    assert.deepEqual([out.usage.backend, out.usage.inputPixels, out.usage.outputPixels], ['local', 64 * 48, 64 * 48]);
  });

  it('a failed job says what it cost on the error', async () => {
    const id = newId('request');
    await t.app.services.inputs.put(inputKey(id, 0), await card());
    const job: EditJob = {
      id, keyId: null, images: [inputKey(id, 0)], mask: null, publicBase: 'http://img.test',
      fields: parseScalarFields({ model: 'retouch-local-1', prompt: 'add a hat' }, 32000),
    };
    await assert.rejects(t.app.services.edits.run(job, { signal: new AbortController().signal }), (err: any) => {
      assert.equal(err.code, 'unsupported_edit');
      assert.deepEqual([err.usage.errorCode, err.usage.backend, err.usage.inputPixels], ['unsupported_edit', 'local', 64 * 48]);
      return true;
    });
  });

  it('the HTTP route leaves no input behind in the stash', async () => {
    const held = (t.app.services.inputs as unknown as { size: number }).size;
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
    const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
    assert.equal(res.statusCode, 200);
    await new Promise((r) => setImmediate(r));
    assert.equal((t.app.services.inputs as unknown as { size: number }).size, held);
  });
});

describe('a client that disconnects', () => {
  it('still gets a usage record: status 499 cancelled, with the work done', async () => {
    const base = await t.listen();
    const keyId = (await t.app.services.keys.verify(t.key))!.id;
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'slow-model' }, { name: 'prompt', value: 'grayscale' }]);
    const abort = new AbortController();
    const pending = fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, ...t.auth }, signal: abort.signal }).catch(() => null);
    for (const end = Date.now() + 30_000; upstream.requests.length === 0 && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
    assert.equal(upstream.requests.length, 1, 'the upstream got the call');
    abort.abort();
    await pending;
    await upstream.requests[0]!.closed; // the upstream call was aborted too
    let rec;
    // Up to 30 s: the record is written when the server notices the hang-up, late on a loaded machine.
    for (const end = Date.now() + 30_000; Date.now() < end;) {
      rec = (await t.app.services.store.usageForKey(keyId, 1))[0];
      if (rec?.status === 499) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(rec);
    assert.deepEqual([rec.status, rec.errorCode, rec.model, rec.backend, rec.inputPixels], [499, 'request_cancelled', 'slow-model', 'slow', 64 * 48]);
    assert.equal(rec.attempts?.[0]?.backend, 'slow');
    assert.match(rec.requestId, /^req_/);
  });
});

describe('a client that disconnects mid-upload', () => {
  it('gets a usage record too, and no answer is waited for', async () => {
    const base = `http://127.0.0.1:${(t.app.server.server.address() as import('node:net').AddressInfo).port}`;
    const { secret, id: keyId } = await t.app.services.keys.create('uploader');
    const { body, headers } = await nodeForm([{ name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grayscale' }, { name: 'image', file: await card(640, 480) }]);
    const reservedBefore = uploadMemoryInUse();
    const req = http.request(`${base}/v1/images/edits`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${secret}`, 'content-length': String(body.length) } });
    req.on('error', () => {});
    req.write(body.subarray(0, Math.floor(body.length / 2)));
    // Leave once the server has the request (its upload memory is reserved on arrival, after its
    // usage record is begun), not after a fixed 200 ms: on a loaded machine the client could leave
    // before the server had it, and there was no request to record.
    await until(() => uploadMemoryInUse() > reservedBefore, 'the server to take the upload');
    req.destroy();
    let rec;
    // Up to 30 s: the record is written when the server notices the hang-up, late on a loaded machine.
    for (let i = 0; i < 600 && !rec; i++) {
      rec = (await t.app.services.store.usageForKey(keyId, 1))[0];
      if (!rec) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(rec, 'recorded');
    assert.deepEqual([rec.status, rec.errorCode], [499, 'request_cancelled']);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await t.app.services.store.usageForKey(keyId, 10)).length, 1, 'recorded once');
  });
});

describe('start-up', () => {
  it('removes stale *.partial files a killed process left, and nothing else', async () => {
    const scratch = await startTestApp();
    const dir = path.join(scratch.dataDir, 'images');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'img_x.webp.abcd.partial'), 'half');
    await writeFile(path.join(dir, 'img_y.webp.abcd.partial'), 'in flight');
    await writeFile(path.join(dir, 'img_z.webp'), 'done');
    const old = new Date(Date.now() - 3600_000);
    await utimes(path.join(dir, 'img_x.webp.abcd.partial'), old, old);
    await utimes(path.join(dir, 'img_z.webp'), old, old);
    await scratch.app.close();
    const again = await startTestApp({ RETOUCH_DATA_DIR: scratch.dataDir });
    assert.deepEqual((await readdir(dir)).sort(), ['img_y.webp.abcd.partial', 'img_z.webp']);
    await again.close();
  });
});
