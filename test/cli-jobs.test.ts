import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './helpers/app.ts';
import { card, decode, pixel } from './helpers/images.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
let t: TestApp;
let server: string;
before(async () => { t = await startTestApp(); server = await t.listen(); });
after(async () => { await t.close(); });
const retouch = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, RETOUCH_SERVER: server, RETOUCH_KEY: t.key }, encoding: 'utf8' });

describe('retouch edit --server and retouch jobs', () => {
  it('--async prints the job id; jobs wait prints the finished job; jobs get and cancel read it', async () => {
    const input = path.join(t.dataDir, 'in.png');
    await writeFile(input, await card());
    const { stdout } = await retouch('edit', input, 'make it black and white', '--async');
    const id = stdout.trim();
    assert.match(id, /^job_[0-9a-z]{26}$/);
    const done = JSON.parse((await retouch('jobs', 'wait', id)).stdout);
    assert.equal(done.status, 'succeeded');
    assert.equal(JSON.parse((await retouch('jobs', 'get', id)).stdout).id, id);
    assert.equal(JSON.parse((await retouch('jobs', 'cancel', id)).stdout).status, 'succeeded', 'an ended job stays as it ended');
    await assert.rejects(retouch('jobs', 'get', 'job_nope'), (err: { stderr: string }) => /No job/.test(err.stderr));
  });

  it('edit --server waits for the job and writes the result', async () => {
    const input = path.join(t.dataDir, 'in2.png');
    const out = path.join(t.dataDir, 'out.png');
    await writeFile(input, await card());
    await retouch('edit', input, 'rotate 180 degrees', '--server', server, '-o', out);
    const img = await decode(await readFile(out));
    assert.ok(pixel(img, 60, 44)[1]! > 200, 'rotated');
  });
});
