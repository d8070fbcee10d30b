import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

const ADMIN = 'sk-admin-openapi-0123456789abcdef';

/** A JSON pointer segment as JSON Pointer (RFC 6901) spells it. */
const ptr = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

describe('/openapi.json', () => {
  let t: TestApp;
  let doc: any;
  let ajv: Ajv2020;

  before(async () => {
    t = await startTestApp({ RETOUCH_ADMIN_KEYS: ADMIN });
    const res = await t.app.server.inject({ url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    doc = res.json();
    // OpenAPI 3.1 schemas are JSON Schema 2020-12: the document itself is the root of every $ref.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(doc, 'openapi.json');
  });
  after(async () => { await t?.close(); });

  /** Validates a live answer against the document's schema for that route, status and media type. */
  function assertMatches(path: string, method: string, status: number, body: unknown, type = 'application/json') {
    const response = doc.paths[path]?.[method]?.responses?.[status];
    assert.ok(response, `the document has ${method.toUpperCase()} ${path} → ${status}`);
    assert.ok(response.content?.[type]?.schema, `with a ${type} schema`);
    const validate = ajv.getSchema(`openapi.json#/paths/${ptr(path)}/${method}/responses/${status}/content/${ptr(type)}/schema`)!;
    assert.ok(validate(body), `${method.toUpperCase()} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`);
  }

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 1)?.slice(0, 2000));
    assert.equal(doc.openapi, '3.1.0');
  });

  it('describes every public and admin route, and nothing else', () => {
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    assert.deepEqual(documented, [
      'GET /health', 'GET /img/{name}',
      'GET /v1/admin/audit', 'GET /v1/admin/failures', 'GET /v1/admin/keys', 'GET /v1/admin/keys/{id}', 'GET /v1/admin/usage',
      'GET /v1/models', 'GET /v1/models/{id}',
      'PATCH /v1/admin/keys/{id}', 'POST /v1/admin/keys', 'POST /v1/admin/keys/{id}/revoke', 'POST /v1/admin/keys/{id}/rotate',
      'POST /v1/images/edits', 'GET /v1/images/edits/{id}', 'GET /v1/images/edits/{id}/events', 'DELETE /v1/images/edits/{id}',
    ].sort());
  });

  it('live answers validate against it: models, an edit, admin keys, usage, failures, audit, errors', async () => {
    const admin = { authorization: `Bearer ${ADMIN}` };
    const get = (url: string, headers: Record<string, string> = admin) => t.app.server.inject({ url, headers });

    assertMatches('/v1/models', 'get', 200, (await get('/v1/models', t.auth)).json());
    assertMatches('/v1/models/{id}', 'get', 200, (await get('/v1/models/retouch-local-1', t.auth)).json());
    const missing = await get('/v1/models/nope', t.auth);
    assertMatches('/v1/models/{id}', 'get', 404, missing.json());
    assertMatches('/v1/models', 'get', 401, (await get('/v1/models', {})).json());
    assertMatches('/health', 'get', 200, (await get('/health', {})).json());

    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'make it black and white' }]);
    const edited = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
    assert.equal(edited.statusCode, 200);
    assertMatches('/v1/images/edits', 'post', 200, edited.json());
    const bad = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: Buffer.from('x') });
    assertMatches('/v1/images/edits', 'post', 400, bad.json());

    const made = await t.app.server.inject({ method: 'POST', url: '/v1/admin/keys', headers: admin, payload: { name: 'doc', limits: { rpm: 5 } } });
    assertMatches('/v1/admin/keys', 'post', 201, made.json());
    const id = made.json().id;
    assertMatches('/v1/admin/keys', 'get', 200, (await get('/v1/admin/keys')).json());
    assertMatches('/v1/admin/keys/{id}', 'get', 200, (await get(`/v1/admin/keys/${id}`)).json());
    assertMatches('/v1/admin/keys/{id}', 'get', 404, (await get('/v1/admin/keys/key_nope')).json());
    const patched = await t.app.server.inject({ method: 'PATCH', url: `/v1/admin/keys/${id}`, headers: admin, payload: { limits: { rpm: 6 } } });
    assertMatches('/v1/admin/keys/{id}', 'patch', 200, patched.json());
    const invalid = await t.app.server.inject({ method: 'PATCH', url: `/v1/admin/keys/${id}`, headers: admin, payload: { limits: { rpm: 'six' } } });
    assertMatches('/v1/admin/keys/{id}', 'patch', 400, invalid.json());
    assertMatches('/v1/admin/keys/{id}/rotate', 'post', 200, (await t.app.server.inject({ method: 'POST', url: `/v1/admin/keys/${id}/rotate`, headers: admin })).json());
    assertMatches('/v1/admin/keys/{id}/revoke', 'post', 200, (await t.app.server.inject({ method: 'POST', url: `/v1/admin/keys/${id}/revoke`, headers: admin })).json());
    assertMatches('/v1/admin/keys', 'get', 403, (await get('/v1/admin/keys', t.auth)).json());

    const usage = (await get('/v1/admin/usage?bucket=hour&group_by=model')).json();
    assert.ok(usage.data.length > 0);
    assertMatches('/v1/admin/usage', 'get', 200, usage);
    const failures = (await get('/v1/admin/failures')).json();
    assert.ok(failures.data.length > 0);
    assertMatches('/v1/admin/failures', 'get', 200, failures);
    assertMatches('/v1/admin/audit', 'get', 200, (await get('/v1/admin/audit')).json());
  });

  it('has a rendered page that ships with the server', async () => {
    const page = await t.app.server.inject({ url: '/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
    assert.doesNotMatch(page.body, /https?:\/\/(?!localhost)[^"']*\.(js|css)/, 'no CDN');
  });
});
