import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { allEvents, sseEvents } from './helpers/sse.ts';
import { relayConfig, type Script, startStandIn, streamingUpstream } from './helpers/stand-in.ts';

const isGrey = (p: number[]) => Math.abs(p[0]! - p[1]!) <= 3 && Math.abs(p[1]! - p[2]!) <= 3;

let script: Script;
let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
let base: string;

before(async () => {
  upstream = await startStandIn((req, n) => script(req, n));
  t = await startTestApp({ RETOUCH_STREAM_HEARTBEAT_SECONDS: '0.05' }, {
    configFile: relayConfig(upstream.origin),
  });
  base = await t.listen();
});
after(async () => { await t.close(); await upstream.close(); });
beforeEach(() => { upstream.requests.length = 0; });

async function submit(fields: Record<string, string>, key = t.key) {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'prompt', value: 'make it black and white' },
    ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${key}`, prefer: 'respond-async' }, body: new Uint8Array(body) });
  assert.equal(res.status, 202);
  return (await res.json()) as { id: string; status: string };
}
const follow = (id: string, key = t.key) => fetch(`${base}/v1/images/edits/${id}/events`, { headers: { authorization: `Bearer ${key}` } });

describe('GET /v1/images/edits/{id}/events', () => {
  it('follows a job: its state, its partial images as they come, then the ended job, and closes', async () => {
    script = streamingUpstream(2, 300);
    const job = await submit({ model: 'relayed', partial_images: '2' });
    const res = await follow(job.id);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    assert.equal(res.headers.get('x-retouch-job'), job.id);
    const events = await allEvents(res);
    const names = events.map((e) => e.event);
    assert.equal(names[0], 'image.edit.job', 'the job first');
    assert.equal(names.at(-1), 'image.edit.job', 'the ended job last');
    assert.deepEqual(names.filter((n) => n === 'image_edit.partial_image').length, 2, names.join());
    const partials = events.filter((e) => e.event === 'image_edit.partial_image').map((e) => e.data);
    assert.deepEqual(partials.map((p) => p.partial_image_index), [0, 1]);
    assert.equal(partials[0].type, 'image_edit.partial_image');
    assert.equal(partials[0].background, 'auto');
    const preview = await decode(Buffer.from(partials[1].b64_json, 'base64'));
    assert.equal(preview.width, 32, "the upstream's own partial, passed on");
    assert.ok(isGrey(pixel(preview, 20, 10)));
    const last = events.at(-1)!.data;
    assert.equal(last.id, job.id);
    assert.equal(last.status, 'succeeded');
    const out = await decode(Buffer.from(await (await fetch(last.data[0].url)).arrayBuffer()));
    assert.ok(isGrey(pixel(out, 40, 30)));
    assert.equal(upstream.requests[0]!.parts.find((p) => p.name === 'stream')?.value, 'true', 'the upstream was asked to stream for the follower');
  });

  it('a job that has ended answers its final state at once; another key sees nothing', async () => {
    const job = await submit({ model: 'retouch-local-1' });
    await fetch(`${base}/v1/images/edits/${job.id}`, { headers: { ...t.auth, prefer: 'wait=30' } });
    const events = await allEvents(await follow(job.id));
    assert.deepEqual(events.map((e) => [e.event, e.data.status]), [['image.edit.job', 'succeeded']]);
    const other = await t.app.services.keys.create('other');
    const res = await follow(job.id, other.secret);
    assert.equal(res.status, 404);
    assert.deepEqual(Object.keys((await res.json()).error).sort(), ['code', 'message', 'param', 'type']);
  });

  it('a job canceled while followed ends the stream with its canceled state', async () => {
    script = () => 'stall';
    const job = await submit({ model: 'relayed' });
    const res = await follow(job.id);
    const seen: Array<[string, string]> = [];
    for await (const e of sseEvents(res)) {
      seen.push([e.event, e.data.status]);
      if (seen.length === 1) {
        for (let i = 0; i < 200 && upstream.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
        await fetch(`${base}/v1/images/edits/${job.id}`, { method: 'DELETE', headers: t.auth });
      }
    }
    assert.deepEqual(seen.at(-1), ['image.edit.job', 'canceled']);
  });

  it('a server shutting down ends the streams that follow jobs, so they cannot hold it open', async () => {
    script = () => 'stall';
    const other = await startTestApp({}, { configFile: relayConfig(upstream.origin) });
    const otherBase = await other.listen();
    const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'prompt', value: 'grey' }, { name: 'model', value: 'relayed' }]);
    const job = await (await fetch(`${otherBase}/v1/images/edits`, { method: 'POST', headers: { ...headers, ...other.auth, prefer: 'respond-async' }, body: new Uint8Array(body) })).json();
    const events = sseEvents(await fetch(`${otherBase}/v1/images/edits/${job.id}/events`, { headers: other.auth }));
    assert.equal((await events.next()).value!.event, 'image.edit.job');
    await other.close(); // would wait for the stalled upstream for ever if the follower held it
    const rest = [];
    for await (const e of events) rest.push(e);
    assert.ok(rest.every((e) => e.event === 'image.edit.job'), 'nothing but job states after');
  });
});
