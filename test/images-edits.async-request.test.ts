/**
 * What makes an edit an async job, checked as strictly as `stream`: `async` is a boolean, a
 * webhook URL is a string of sensible length, and a `Webhook-Url` header in UTF-8 is read as such.
 * And what a 202 says of the `Prefer` tokens it applied.
 * (Jobs, webhooks and their delivery: images-edits.jobs.test.ts, webhooks-delivery.test.ts.)
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { relayConfig, startStandIn } from './helpers/stand-in.ts';

// `.invalid` never resolves (RFC 6761): a webhook there passes the submit check (a name that does
// not resolve now may later) and needs no network.
const HOOK = 'http://hook.invalid/hook';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

async function form(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' },
    { name: 'prompt', value: 'make it black and white' }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...h, ...t.auth, ...headers }, payload: body });
}
async function json(fields: Record<string, unknown>) {
  const image = `data:image/png;base64,${(await card()).toString('base64')}`;
  return t.app.server.inject({
    method: 'POST', url: '/v1/images/edits', headers: { ...t.auth, 'content-type': 'application/json' },
    payload: JSON.stringify({ model: 'retouch-local-1', prompt: 'make it black and white', image, ...fields }),
  });
}

describe('async', () => {
  for (const value of ['yes', 'maybe', '2']) {
    it(`async=${value} in a form → 400 invalid_value naming async, as stream=${value} is`, async () => {
      const err = assertError(await form({ async: value }), 400, { code: 'invalid_value', param: 'async' });
      assert.match(err.message, /'true', 'false', '1', '0'/);
    });
  }
  for (const value of [{ x: 1 }, ['true'], 'yes']) {
    it(`"async": ${JSON.stringify(value)} in a JSON body → 400 invalid_value naming async`, async () => {
      assertError(await json({ async: value }), 400, { code: 'invalid_value', param: 'async' });
    });
  }
  it('async=1 and "async": true make a job; async=false and "async": 0 do not', async () => {
    assert.equal((await form({ async: '1' })).statusCode, 202);
    assert.equal((await json({ async: true })).statusCode, 202);
    assert.equal((await form({ async: 'false' })).statusCode, 200);
    assert.equal((await json({ async: 0 })).statusCode, 200);
  });
});

describe('an async request for a model nobody serves', () => {
  it('is a 404 model_not_found at submit, as the same request without async is, not a 202 for a job that can only fail', async () => {
    for (const headers of [{}, { prefer: 'respond-async' }]) {
      const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'totally-bogus' },
        { name: 'prompt', value: 'make it black and white' }]);
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...h, ...t.auth, ...headers }, payload: body });
      const err = assertError(res, 404, { code: 'model_not_found', param: 'model' });
      assert.match(err.message, /totally-bogus/);
    }
    assertError(await json({ model: 'totally-bogus', async: true }), 404, { code: 'model_not_found', param: 'model' });
  });
});

describe('webhook_url', () => {
  for (const value of [[HOOK], { url: HOOK }, 5, true]) {
    it(`"webhook_url": ${JSON.stringify(value)} in a JSON body → 400 invalid_value naming webhook_url, not a synchronous answer`, async () => {
      assertError(await json({ webhook_url: value }), 400, { code: 'invalid_value', param: 'webhook_url' });
    });
  }

  it('a URL over 2048 characters → 400, in a field or a header; one at the limit is taken', async () => {
    const long = `${HOOK}?q=${'a'.repeat(100_000)}`;
    const err = assertError(await form({ webhook_url: long }), 400, { code: 'invalid_value', param: 'webhook_url' });
    assert.match(err.message, /2048/);
    assert.ok(err.message.length < 200, 'the URL is not echoed back');
    assertError(await json({ webhook_url: `${HOOK}?q=${'a'.repeat(2049 - HOOK.length - 3)}` }), 400, { code: 'invalid_value', param: 'webhook_url' });
    assertError(await form({}, { 'webhook-url': `${HOOK}?q=${'a'.repeat(3000)}` }), 400, { code: 'invalid_value', param: 'webhook_url' });
    const atLimit = `${HOOK}?q=${'a'.repeat(2048 - HOOK.length - 3)}`;
    const res = await json({ webhook_url: atLimit });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().webhook.url, atLimit);
  });

  it('a Webhook-Url header sent in UTF-8 is read as UTF-8, not latin1', async () => {
    // Over a real socket, as curl sends it: the header's bytes are UTF-8, which Node reads as latin1.
    const base = await t.listen();
    const { body, headers } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'grayscale' }]);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/v1/images/edits`, {
        method: 'POST',
        headers: { ...headers, ...t.auth, 'webhook-url': Buffer.from('http://hook.invalid/ü?city=Zürich').toString('latin1') },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => { text += c; }).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
    assert.equal(answer.status, 202, answer.body);
    assert.equal(JSON.parse(answer.body).webhook.url, 'http://hook.invalid/%C3%BC?city=Z%C3%BCrich');
  });
});

describe('Preference-Applied on the 202', () => {
  let upstream: Awaited<ReturnType<typeof startStandIn>>;
  let r: TestApp;
  before(async () => {
    upstream = await startStandIn(() => 'stall'); // the edit runs until it is canceled
    r = await startTestApp({}, { configFile: relayConfig(upstream.origin, 'timeoutMs: 60000') });
  });
  after(async () => { await r.close(); await upstream.close(); });

  async function submit(headers: Record<string, string>, fields: Record<string, string> = {}) {
    const { body, headers: h } = await nodeForm([{ name: 'image', file: await card(), contentType: 'image/png' }, { name: 'model', value: 'relayed' },
      { name: 'prompt', value: 'grayscale' }, ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
    const res = await r.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...h, ...r.auth, ...headers }, payload: body });
    assert.equal(res.statusCode, 202, res.body);
    await r.app.server.inject({ method: 'DELETE', url: `/v1/images/edits/${res.json().id}`, headers: r.auth });
    return res.headers['preference-applied'];
  }

  it('Prefer: wait=1 alone, unfinished after 1 s → wait=1 (the wait was applied; respond-async was not asked for)', async () => {
    assert.equal(await submit({ prefer: 'wait=1' }), 'wait=1');
  });
  it('Prefer: respond-async, wait=1 → both', async () => {
    assert.equal(await submit({ prefer: 'respond-async, wait=1' }), 'respond-async, wait=1');
  });
  it('Prefer: respond-async → respond-async', async () => {
    assert.equal(await submit({ prefer: 'respond-async' }), 'respond-async');
  });
  it('async=true without Prefer → no Preference-Applied (no preference was sent)', async () => {
    assert.equal(await submit({}, { async: 'true' }), undefined);
  });
});
