import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { parseSize, targetDimensions } from '../src/edits/size.ts';
import { RetouchError } from '../src/errors.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    assert.equal(c.port, 8080);
    assert.equal(c.limits.maxUploadBytes, 50 * 1024 * 1024);
    assert.equal(c.limits.maxInputPixels, 50_000_000);
    assert.equal(c.limits.maxImages, 16);
    assert.equal(c.imageTtlMs, 24 * 3600_000);
    assert.deepEqual(c.apiKeys, []);
    assert.equal(c.publicUrl, undefined);
  });

  it('reports every bad value at once, with how to fix it', () => {
    assert.throws(() => loadConfig({ PORT: 'x', RETOUCH_PUBLIC_URL: 'ftp://nope', RETOUCH_IMAGE_TTL_HOURS: '0', RETOUCH_API_KEYS: 'short' }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4);
      assert.ok(err.problems.every((p) => / is: /.test(p)));
      assert.ok(!err.message.includes('short'), 'secret values are not echoed');
      return true;
    });
  });

  it('trims a trailing slash from RETOUCH_PUBLIC_URL and splits lists', () => {
    const c = loadConfig({ RETOUCH_PUBLIC_URL: 'https://img.example.com/', RETOUCH_CORS_ORIGINS: 'https://a.example, https://b.example', RETOUCH_API_KEYS: 'sk-aaaaaaaa,sk-bbbbbbbb' });
    assert.equal(c.publicUrl, 'https://img.example.com');
    assert.deepEqual(c.corsOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(c.apiKeys.length, 2);
  });
});

describe('parseSize and targetDimensions', () => {
  const ok: Array<[string | undefined, [number, number]]> = [
    [undefined, [3000, 2000]], ['auto', [3000, 2000]], ['AUTO', [3000, 2000]], ['1024x1024', [1024, 1024]], ['1536X1024', [1536, 1024]],
    ['16:9', [3000, 1688]], ['1:1', [2000, 2000]], ['9:16', [1125, 2000]], ['512', [512, 341]], ['1K', [1024, 683]], ['4k', [4096, 2731]],
  ];
  for (const [size, dims] of ok) {
    it(`${size} on 3000x2000 → ${dims.join('x')}`, () => {
      const d = targetDimensions(parseSize(size), 3000, 2000);
      assert.deepEqual([d.width, d.height], dims);
    });
  }
  for (const bad of ['0x0', '15x100', '9000x100', 'large', '1024', '3K', '1:0', '100:1', '-5x5', '1024x']) {
    it(`'${bad}' is a 400 naming size`, () => {
      assert.throws(() => parseSize(bad), (e: unknown) => e instanceof RetouchError && e.param === 'size' && e.status === 400);
    });
  }
});
