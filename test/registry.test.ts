import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PROVIDERS } from '../src/backends/registry.ts';

const SRC = path.resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Every relative import of a source file, resolved to a path under src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
}

describe('the provider registry', () => {
  it('lists each type once, each with a schema, models and a way to build it', () => {
    assert.equal(new Set(PROVIDERS.map((p) => p.type)).size, PROVIDERS.length);
    for (const p of PROVIDERS) {
      assert.match(p.type, /^[a-z][a-z0-9-]*$/);
      assert.ok(p.fields.shape, `${p.type} declares its fields with zod`);
      assert.ok(p.models.length > 0, `${p.type} declares models`);
      assert.equal(typeof p.create, 'function');
    }
  });

  it('a provider type is reached only through its folder and its registry line', () => {
    const folders = new Set(PROVIDERS.map((p) => path.join(SRC, 'backends', p.type)));
    const withEnv = new Set(PROVIDERS.filter((p) => p.env).map((p) => path.join(SRC, 'backends', p.type)));
    for (const file of sources(SRC)) {
      const home = [...folders].find((f) => file.startsWith(f + path.sep));
      for (const target of importsOf(file)) {
        const folder = [...folders].find((f) => target.startsWith(f + path.sep));
        if (!folder || folder === home) continue;
        const allowed = file === path.join(SRC, 'backends', 'registry.ts')
          // A type may build on another (azure on openai, vertex on gemini).
          || home !== undefined
          // The env shortcuts (OPENAI_BASE_URL…) take their defaults from the type, not a second copy.
          || (file === path.join(SRC, 'config', 'env.ts') && withEnv.has(folder));
        assert.ok(allowed, `${path.relative(SRC, file)} imports ${path.relative(SRC, target)}`);
      }
    }
  });
});
