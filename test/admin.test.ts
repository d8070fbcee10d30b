import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/index.ts';
import { secretsIn } from '../src/redact.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

const ADMIN = 'sk-admin-from-env-0123456789abcdef';

describe('the admin API', () => {
  let t: TestApp;
  const lines: string[] = [];
  const admin = { authorization: `Bearer ${ADMIN}` };

  before(async () => {
    t = await startTestApp({ RETOUCH_ADMIN_KEYS: ADMIN }, { logLines: { level: 'debug', lines } });
  });
  after(async () => { await t?.close(); });

  const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown, headers: Record<string, string> = admin) =>
    t.app.server.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

  async function edit(secret: string) {
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' }]);
    return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, authorization: `Bearer ${secret}` }, payload: body });
  }

  it('registers admin keys and the metrics token with the redactor, like every configured secret', () => {
    const config = loadConfig({ RETOUCH_DATA_DIR: t.dataDir, RETOUCH_ADMIN_KEYS: ADMIN, RETOUCH_METRICS_TOKEN: 'metrics-token-redact-0001' });
    const secrets = secretsIn(config);
    assert.ok(secrets.includes(ADMIN) && secrets.includes('metrics-token-redact-0001'));
  });

  it('refuses no key (401), an ordinary key (403) and answers the envelope', async () => {
    assertError(await call('GET', '/v1/admin/keys', undefined, {}), 401, { code: 'invalid_api_key', type: 'authentication_error' });
    const denied = assertError(await call('GET', '/v1/admin/keys', undefined, t.auth), 403, { code: 'insufficient_permissions' });
    assert.match(denied.message, /admin scope/);
  });

  it('creates a key with limits, shows its secret once, and the key works under those limits', async () => {
    const res = await call('POST', '/v1/admin/keys', { name: 'team a', limits: { rpm: 2, images_per_day: 100 } });
    assert.equal(res.statusCode, 201, res.body);
    const made = res.json();
    assert.match(made.secret, /^sk-/);
    assert.deepEqual(made.limits, { rpm: 2, images_per_day: 100 });
    assert.equal(made.object, 'api_key');
    assert.deepEqual(made.scopes, []);
    assert.equal((await edit(made.secret)).statusCode, 200);
    assert.equal((await edit(made.secret)).statusCode, 200);
    assertError(await edit(made.secret), 429, { code: 'rate_limit_exceeded' });

    const got = (await call('GET', `/v1/admin/keys/${made.id}`)).json();
    assert.equal(got.secret, undefined, 'the secret is never shown again');
    assert.equal(got.prefix, made.secret.slice(0, 10));
    const list = (await call('GET', '/v1/admin/keys')).json();
    assert.equal(list.object, 'list');
    assert.ok(list.data.some((k: { id: string }) => k.id === made.id));
    const all = JSON.stringify(list);
    assert.ok(!all.includes(made.secret) && !all.includes('hash'), 'no secret or hash in the listing');
    // The secret is in no log line either.
    assert.ok(!lines.some((l) => l.includes(made.secret) || l.includes(ADMIN)));
  });

  it('updates limits (0 or null back to the default), revokes, and rotates', async () => {
    const made = (await call('POST', '/v1/admin/keys', { limits: { rpm: 5, concurrent: 2 } })).json();
    const updated = await call('PATCH', `/v1/admin/keys/${made.id}`, { limits: { rpm: 10, concurrent: null, images_per_month: 7 } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.deepEqual(updated.json().limits, { rpm: 10, images_per_month: 7 });
    assertError(await call('PATCH', `/v1/admin/keys/${made.id}`, { limits: { rpm: -1 } }), 400, { code: 'invalid_value', param: 'limits.rpm' });
    assertError(await call('PATCH', `/v1/admin/keys/${made.id}`, { limits: { bogus: 1 } }), 400, { code: 'invalid_value' });

    const rotated = await call('POST', `/v1/admin/keys/${made.id}/rotate`);
    assert.equal(rotated.statusCode, 200, rotated.body);
    const fresh = rotated.json().secret as string;
    assert.notEqual(fresh, made.secret);
    assertError(await edit(made.secret), 401, { code: 'invalid_api_key' });
    assert.equal((await edit(fresh)).statusCode, 200);

    const revoked = await call('POST', `/v1/admin/keys/${made.id}/revoke`);
    assert.equal(revoked.statusCode, 200);
    assert.equal(typeof revoked.json().revoked_at, 'number');
    assertError(await edit(fresh), 401, { code: 'invalid_api_key' });
    assert.equal((await call('POST', `/v1/admin/keys/${made.id}/revoke`)).statusCode, 200, 'revoking twice changes nothing');
    assertError(await call('POST', `/v1/admin/keys/${made.id}/rotate`), 409, { code: 'key_revoked' });
    assertError(await call('GET', '/v1/admin/keys/key_nope'), 404, { code: 'not_found' });
    assertError(await call('PATCH', '/v1/admin/keys/key_nope', { limits: { rpm: 1 } }), 404, { code: 'not_found' });
  });

  it('an admin key made through the API opens the admin API; an ordinary one does not', async () => {
    const made = (await call('POST', '/v1/admin/keys', { name: 'second admin', admin: true })).json();
    assert.deepEqual(made.scopes, ['admin']);
    assert.equal((await call('GET', '/v1/admin/keys', undefined, { authorization: `Bearer ${made.secret}` })).statusCode, 200);
  });

  it('reports usage in buckets with percentiles, as JSON and CSV, and the recent failures', async () => {
    const res = await call('GET', '/v1/admin/usage?bucket=hour');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.bucket, 'hour');
    const total = (k: string) => body.data.reduce((n: number, r: Record<string, number>) => n + r[k]!, 0);
    // Three edits ran (two, then one with the rotated secret) and one was refused before its body
    // was read; 401s have no key and so no usage record.
    assert.deepEqual([total('requests'), total('images'), total('errors'), total('refusals')], [4, 3, 1, 1]);
    assert.ok(body.data[0].latency_ms.p50 > 0 && body.data[0].latency_ms.p99 >= body.data[0].latency_ms.p50);

    const byModel = (await call('GET', '/v1/admin/usage?bucket=day&group_by=model')).json();
    assert.deepEqual(byModel.data.map((r: { group: string | null; requests: number }) => [r.group, r.requests]).sort(), [[null, 1], ['retouch-local-1', 3]].sort());

    const csv = await call('GET', '/v1/admin/usage?bucket=hour&format=csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment; filename="retouch-usage-.*\.csv"/);
    const [header, ...rows] = csv.body.trim().split('\r\n');
    assert.equal(header, 'bucket_start,group,requests,images,errors,refusals,latency_p50_ms,latency_p95_ms,latency_p99_ms,input_tokens,output_tokens,output_pixels');
    assert.equal(rows.reduce((n, r) => n + Number(r.split(',')[2]), 0), 4);

    assertError(await call('GET', '/v1/admin/usage?from=yesterday'), 400, { code: 'invalid_value', param: 'from' });
    assertError(await call('GET', '/v1/admin/usage?bucket=week'), 400, { code: 'invalid_value', param: 'bucket' });
    assertError(await call('GET', '/v1/admin/usage?from=0&bucket=hour'), 400, { code: 'invalid_value', param: 'from' });

    const failures = (await call('GET', '/v1/admin/failures?limit=10')).json();
    assert.deepEqual(failures.data.map((f: { status: number; error_code: string }) => [f.status, f.error_code]), [[429, 'rate_limit_exceeded']]);
  });

  it('records every admin action: who, what, on what, when, how it ended; never a secret', async () => {
    const log = (await call('GET', '/v1/admin/audit?limit=100')).json().data as Array<{ actor: string; action: string; target: string | null; status: number; at: number; detail: unknown }>;
    const actions = log.map((a) => `${a.action}:${a.status}`);
    for (const want of ['keys.create:201', 'keys.update:200', 'keys.update:400', 'keys.rotate:200', 'keys.rotate:409', 'keys.revoke:200', 'keys.get:404', 'usage.read:200', 'usage.export:200', 'failures.read:200', 'keys.list:403']) {
      assert.ok(actions.includes(want), `${want} in ${actions.join(' ')}`);
    }
    const envAdmin = log.find((a) => a.action === 'keys.create')!.actor;
    assert.match(envAdmin, /^key_static_/);
    const denied = log.find((a) => a.status === 403)!;
    assert.equal(denied.actor, (await t.app.services.keys.list()).find((k) => k.name === 'test')!.id, 'the ordinary key that tried');
    const update = log.find((a) => a.action === 'keys.update' && a.status === 200)!;
    assert.deepEqual(update.detail, { limits: { rpm: 10, concurrent: null, images_per_month: 7 } });
    assert.ok(log.every((a) => a.at > 0 && !JSON.stringify(a).includes('sk-')), 'no secret in the log');
  });
});
