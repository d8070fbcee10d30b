import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redactor } from '../src/redact.ts';
import { assertError } from './helpers/assertions.ts';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

let t: TestApp;
before(async () => { t = await startTestApp({ RETOUCH_API_KEYS: 'sk-static-ci-key-123' }); });
after(async () => { await t.close(); });

async function post(authorization?: string) {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
  return t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...(authorization ? { authorization } : {}) }, payload: body });
}

describe('authentication', () => {
  const cases: Array<[string, string | undefined]> = [
    ['no Authorization header', undefined],
    ['a wrong key', 'Bearer sk-0000000000000000000000000000000'],
    ['a key with the right prefix but wrong secret', 'PLACEHOLDER'],
    ['Basic auth', 'Basic dXNlcjpwYXNz'],
    ['Bearer with nothing', 'Bearer '],
  ];
  for (const [what, header] of cases) {
    it(`${what} → 401 invalid_api_key`, async () => {
      const value = header === 'PLACEHOLDER' ? `Bearer ${t.key.slice(0, 12)}xxxxxxxxxxxxxxxxxxxxxxxx` : header;
      assertError(await post(value), 401, { code: 'invalid_api_key', type: 'authentication_error', param: null });
    });
  }

  it('the hint in the 401 survives redaction: it says how to send the key, with nothing redacted', async () => {
    for (const header of [undefined, 'Basic dXNlcjpwYXNz', 'Token abc']) {
      const err = assertError(await post(header), 401, { code: 'invalid_api_key' });
      assert.doesNotMatch(err.message, /redacted/);
      assert.match(err.message, /Authorization header .*Bearer/);
      assert.equal(new Redactor().redact(err.message), err.message, 'nothing in it is shaped like a credential');
    }
  });

  it('a created key works, and stops working once revoked', async () => {
    const { id, secret } = await t.app.services.keys.create('to revoke');
    assert.equal((await post(`Bearer ${secret}`)).statusCode, 200);
    assert.equal(await t.app.services.keys.revoke(id), true);
    assertError(await post(`Bearer ${secret}`), 401, { code: 'invalid_api_key' });
  });

  it('static keys from RETOUCH_API_KEYS work', async () => {
    assert.equal((await post('Bearer sk-static-ci-key-123')).statusCode, 200);
  });

  it('GET /v1/models needs a key too; /health and /img do not', async () => {
    assertError(await t.app.server.inject({ method: 'GET', url: '/v1/models' }), 401, { code: 'invalid_api_key' });
    assert.equal((await t.app.server.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });

  it('stores only hashes', async () => {
    const keys = await t.app.services.store.listKeys();
    for (const k of keys) {
      assert.match(k.hash, /^[0-9a-f]{64}$/);
      assert.notEqual(k.hash, t.key);
    }
  });
});
