/**
 * The README's edit examples work on a default install: every model/prompt pair in its code blocks
 * names a model the default server serves, and the edit succeeds. A new user copies these first.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { synthPhoto } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

const README = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');

/** Each `model … prompt …` pair of the README's code blocks (curl -F, Python dicts and keyword arguments). */
function examples(): Array<{ model: string; prompt: string; line: number }> {
  const found: Array<{ model: string; prompt: string; line: number }> = [];
  const fence = /```[a-z]*\n([\s\S]*?)```/g;
  for (let m; (m = fence.exec(README));) {
    const block = m[1]!;
    const pair = /model["']?\s*[=:]\s*["']?([\w.-]+)["']?[\s\S]{0,200}?prompt["']?\s*[=:]\s*["']([^"']+)["']/g;
    for (let p; (p = pair.exec(block));) {
      found.push({ model: p[1]!, prompt: p[2]!, line: README.slice(0, m.index).split('\n').length + block.slice(0, p.index).split('\n').length });
    }
  }
  return found;
}

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

describe("the README's edit examples", () => {
  const all = examples();
  it('are found (the extraction itself works)', () => {
    assert.ok(all.length >= 5, `found ${all.length}`);
  });
  for (const { model, prompt, line } of all) {
    it(`README line ${line}: ${model} "${prompt}" succeeds on a default install`, async () => {
      const photo = await synthPhoto(96, 64, (x, y) => [120 + x, 90 + y, 160 - x], { grain: 4, seed: 7 });
      const { body, headers } = await nodeForm([{ name: 'image', file: photo }, { name: 'model', value: model }, { name: 'prompt', value: prompt }]);
      const res = await t.app.server.inject({ method: 'POST', url: '/v1/images/edits', headers: { ...headers, ...t.auth }, payload: body });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(res.json().data[0].url || res.json().data[0].b64_json);
    });
  }
});
