import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startMetricsServer } from '../src/metrics/http.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';
import { withinOneDay } from './helpers/clock.ts';
import { type Family, parsePrometheusText } from './helpers/prometheus-text.ts';
import { greyscaleOf, startStandIn } from './helpers/stand-in.ts';

const TOKEN = 'metrics-token-0123456789';

const parse = parsePrometheusText;

/** The value of the one sample named `name` in family `f` whose labels include `labels`. */
function value(f: Family | undefined, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = f?.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  assert.ok(found.length <= 1, `${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('GET /metrics', () => {
  let t: TestApp;
  let base: string;
  let upstream: Awaited<ReturnType<typeof startStandIn>>;

  before(async () => {
    // The stand-in fails the first call of each pair with 503, so every upstream edit takes one retry.
    upstream = await startStandIn(async (req, n) => {
      if (n % 2 === 1) return { status: 503, json: { error: { message: 'busy', type: 'server_error', param: null, code: null } } };
      const image = req.parts.find((p) => p.name === 'image')!.bytes!;
      return { json: { created: 1, data: [{ b64_json: (await greyscaleOf(image)).toString('base64') }] } };
    });
    t = await startTestApp({ RETOUCH_METRICS_TOKEN: TOKEN }, {
      configFile: `
upstream: { retries: 2 }
providers:
  openai: { type: openai, baseUrl: ${upstream.origin}/v1, apiKey: sk-upstream-metrics-0001 }
`,
    });
    base = await t.listen();
    await t.app.services.keys.update((await t.app.services.keys.list())[0]!.id, { imagesPerDay: 3 });
  });
  after(async () => { await t?.close(); await upstream?.close(); });

  async function edit(model: string, prompt = 'make it black and white') {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: model }, { name: 'prompt', value: prompt }]);
    return fetch(`${base}/v1/images/edits`, { method: 'POST', headers: { ...headers, ...t.auth }, body: new Uint8Array(body) });
  }

  it('counts edits, their latency, queue wait, upstream retries and rate-limit refusals, in the text format', async () => {
    await withinOneDay(); // the key's 3 images a day spent and the 4th refused in one UTC day
    assert.equal((await edit('no-such-model')).status, 404);
    assert.equal((await edit('retouch-local-1')).status, 200);
    assert.equal((await edit('gpt-image-1')).status, 200);
    assert.equal((await edit('retouch-local-1', 'remove the background')).status, 200);
    const refused = await edit('retouch-local-1'); // the key's quota is 3 images a day
    assert.equal(refused.status, 429);
    await refused.body?.cancel();

    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const m = parse(text);

    const requests = m.get('retouch_http_requests_total');
    assert.equal(requests?.type, 'counter');
    const edits = 'retouch_http_requests_total';
    assert.equal(value(requests, edits, { route: '/v1/images/edits', status: '200', model: 'retouch-local-1', backend: 'local' }), 2);
    assert.equal(value(requests, edits, { route: '/v1/images/edits', status: '200', model: 'gpt-image-1', backend: 'openai' }), 1);
    // A model the server does not serve is not a label of its own: a client cannot mint series.
    assert.equal(value(requests, edits, { status: '404', model: 'other' }), 1);
    assert.equal(value(requests, edits, { status: '429' }), 1);
    assert.doesNotMatch(text, /no-such-model/);

    const latency = m.get('retouch_http_request_duration_seconds');
    assert.equal(latency?.type, 'histogram');
    const local = { route: '/v1/images/edits', model: 'retouch-local-1', backend: 'local' };
    assert.equal(value(latency, 'retouch_http_request_duration_seconds_count', local), 2);
    assert.ok(value(latency, 'retouch_http_request_duration_seconds_sum', local)! > 0);
    assert.equal(value(latency, 'retouch_http_request_duration_seconds_bucket', { ...local, le: '+Inf' }), 2);
    // Every job handed to the queue; the unknown model (a 404 as soon as its fields are read) and
    // the refused request never got that far.
    assert.equal(value(m.get('retouch_queue_wait_seconds'), 'retouch_queue_wait_seconds_count'), 3);

    const ok = { provider: 'openai', outcome: 'ok' };
    assert.equal(value(m.get('retouch_upstream_attempts_total'), 'retouch_upstream_attempts_total', ok), 2);
    assert.equal(value(m.get('retouch_upstream_retries_total'), 'retouch_upstream_retries_total', ok), 1);
    assert.equal(value(m.get('retouch_upstream_call_duration_seconds'), 'retouch_upstream_call_duration_seconds_count', ok), 1);
    assert.equal(value(m.get('retouch_rate_limited_total'), 'retouch_rate_limited_total', { reason: 'insufficient_quota' }), 1);

    assert.equal(value(m.get('retouch_engine_slots'), 'retouch_engine_slots'), t.app.services.config.local.concurrency);
    assert.equal(value(m.get('retouch_engine_slots_in_use'), 'retouch_engine_slots_in_use'), 0);
    assert.equal(value(m.get('retouch_queue_depth'), 'retouch_queue_depth', { state: 'waiting' }), 0);
    const segmenter = m.get('retouch_segmenter_duration_seconds');
    assert.equal(segmenter?.type, 'histogram');
    assert.equal(segmenter?.samples.filter((x) => x.name.endsWith('_count')).reduce((n, x) => n + x.value, 0), 1, 'the background removal segmented once');
    assert.ok(m.has('process_cpu_user_seconds_total') && m.has('nodejs_heap_size_used_bytes'), 'process metrics');

    // No key id, secret or prompt in any label.
    const keyId = (await t.app.services.keys.list())[0]!.id;
    assert.ok(!text.includes(keyId) && !text.includes(t.key) && !text.includes('black and white'));
  });

  it('answers 401 in the error envelope without the token, and 404 with a hint where metrics are off', async () => {
    assertError(await t.app.server.inject({ url: '/metrics' }), 401, { code: 'invalid_api_key' });
    assertError(await t.app.server.inject({ url: '/metrics', headers: { authorization: 'Bearer metrics-token-wrong-0000' } }), 401, { code: 'invalid_api_key' });
    const off = await startTestApp();
    try {
      const res = await off.app.server.inject({ url: '/metrics', headers: off.auth });
      assertError(res, 404, { code: 'not_found' });
      assert.match(res.json().error.message, /RETOUCH_METRICS_TOKEN/);
    } finally {
      await off.close();
    }
  });

  it('serves /metrics alone on a port of its own (RETOUCH_METRICS_PORT)', async () => {
    const own = await startTestApp({ RETOUCH_METRICS_PORT: '0' });
    const server = await startMetricsServer(own.app.services.metrics, { token: undefined, host: '127.0.0.1', port: 0 });
    try {
      const { port } = server.server.address() as import('node:net').AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.ok(parse(await res.text()).has('retouch_http_requests_total'));
      const other = await fetch(`http://127.0.0.1:${port}/v1/models`);
      assert.equal(other.status, 404);
      assert.equal((await other.json()).error.code, 'not_found');
      // And not on the API port.
      assertError(await own.app.server.inject({ url: '/metrics' }), 404, { code: 'not_found' });
    } finally {
      await server.close();
      await own.close();
    }
  });
});
