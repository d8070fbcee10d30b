import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { startStandIn } from './helpers/stand-in.ts';
import { withinOneDay, withinOneMinute } from './helpers/clock.ts';

let upstream: Awaited<ReturnType<typeof startStandIn>>;
let t: TestApp;
before(async () => {
  upstream = await startStandIn(() => 'stall');
  t = await startTestApp({ RETOUCH_DEFAULT_RPM: '1000' }, {
    configFile: `
providers:
  slow: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: sk-upstream-0000001, timeoutMs: 20000, retries: 0 }
models:
  slow-model: { route: ["slow:gpt-image-1"] }
`,
  });
});
after(async () => { await t.close(); await upstream.close(); });

async function keyWith(limits: Parameters<TestApp['app']['services']['keys']['create']>[1]) {
  const { secret } = await t.app.services.keys.create('limited', limits);
  return { authorization: `Bearer ${secret}` };
}

async function post(auth: Record<string, string>, extra: Part[] = [], model = 'retouch-local-1') {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: 'grayscale' }, ...extra]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...auth }, payload: body });
}

describe('per-key rate limits', () => {
  it('N requests a minute pass with OpenAI and IETF headers; the (N+1)th gets 429 rate_limit_exceeded', async () => {
    const auth = await keyWith({ rpm: 2 });
    await withinOneMinute();
    const first = await post(auth);
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['x-ratelimit-limit-requests'], '2');
    assert.equal(first.headers['x-ratelimit-remaining-requests'], '1');
    assert.match(String(first.headers['x-ratelimit-reset-requests']), /^(\d+m)?\d+s$/);
    assert.equal(first.headers['ratelimit-policy'], '"requests";q=2;w=60');
    assert.match(String(first.headers.ratelimit), /^"requests";r=1;t=\d+$/);
    assert.equal((await post(auth)).headers['x-ratelimit-remaining-requests'], '0');
    const third = await post(auth);
    assertError(third, 429, { code: 'rate_limit_exceeded', type: 'rate_limit_exceeded' });
    const retryAfter = Number(third.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
    assert.equal(third.headers['x-ratelimit-remaining-requests'], '0');
    assert.match(String(third.headers.ratelimit), /"requests";r=0;t=\d+/);
    const record = (await t.app.services.store.usageForRequest(String(third.headers['x-request-id'])))!;
    assert.deepEqual([record.status, record.errorCode], [429, 'rate_limit_exceeded']);
  });

  it('refuses before a byte of the body is read', async () => {
    const auth = await keyWith({ rpm: 1 });
    await withinOneMinute();
    assert.equal((await post(auth)).statusCode, 200);
    const base = await t.listen();
    // Headers promise 20 MB that never come: the answer must not wait for them.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/v1/images/edits`, {
        method: 'POST', headers: { ...auth, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(20 * 1024 * 1024) },
      }, (res) => { resolve(res.statusCode!); res.resume(); req.destroy(); });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 429);
  });

  it('server-wide defaults apply to keys without their own limits; a key\'s own limit wins', async () => {
    const res = await post(t.auth);
    assert.equal(res.headers['x-ratelimit-limit-requests'], '1000');
    const own = await post(await keyWith({ rpm: 7 }));
    assert.equal(own.headers['x-ratelimit-limit-requests'], '7');
  });
});

describe('per-key quotas', () => {
  it('images per day: a quota spent is refused with 429 insufficient_quota until the day ends', async () => {
    const auth = await keyWith({ imagesPerDay: 3 });
    await withinOneDay(); // spent and refused in one UTC day: at midnight the quota starts again
    const first = await post(auth, [{ name: 'n', value: '2' }]);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['ratelimit-policy']), /"images-per-day";q=3;w=86400/);
    assert.equal((await post(auth)).statusCode, 200, 'one image left');
    const spent = await post(auth);
    assertError(spent, 429, { code: 'insufficient_quota', type: 'insufficient_quota' });
    const retryAfter = Number(spent.headers['retry-after']);
    assert.ok(retryAfter > 0 && retryAfter <= 86400);
    assert.match(String(spent.headers.ratelimit), /"images-per-day";r=0;t=\d+/);
  });

  it('a failed edit costs no images', async () => {
    const auth = await keyWith({ imagesPerDay: 1 });
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'add a hat' }]);
    const refused = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...auth }, payload: body });
    assert.equal(refused.statusCode, 400);
    assert.equal((await post(auth)).statusCode, 200);
  });

  it('a spend budget in output megapixels per month', async () => {
    // 64x48 = 3072 pixels a result: a budget of 0.005 MP allows two results.
    const auth = await keyWith({ megapixelsPerMonth: 0.005 });
    await withinOneDay(); // a month ends at a day's end
    assert.equal((await post(auth)).statusCode, 200);
    assert.equal((await post(auth)).statusCode, 200);
    assertError(await post(auth), 429, { code: 'insufficient_quota' });
  });
});

describe('concurrent edits per key', () => {
  it('a key at its limit of edits in flight gets 429 at once; the lease comes back when the edit ends', async () => {
    const auth = await keyWith({ concurrent: 1 });
    const base = await t.listen().catch(() => `http://127.0.0.1:${(t.app.server.server.address() as import('node:net').AddressInfo).port}`);
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'slow-model' }, { name: 'prompt', value: 'grayscale' }]);
    const abort = new AbortController();
    upstream.requests.length = 0;
    const slow = fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, ...auth }, signal: abort.signal }).catch(() => null);
    for (let i = 0; i < 100 && upstream.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const second = await post(auth);
    assertError(second, 429, { code: 'rate_limit_exceeded' });
    assert.equal(second.headers['retry-after'], '1');
    abort.abort();
    await slow;
    // The lease comes back once the server has seen the client leave and stopped the edit: late
    // on a loaded machine (2.5 s was not always enough), so up to 30 s.
    let status = 0;
    for (const end = Date.now() + 30_000; status !== 200 && Date.now() < end;) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await post(auth)).statusCode;
    }
    assert.equal(status, 200, 'the lease came back within 30 s of the client leaving');
  });
});
