import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { card, decode } from './helpers/images.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
let dataDir: string;
const env = () => ({ ...process.env, RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent' });
const retouch = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: env(), encoding: 'utf8' });

before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cli-')); });
after(async () => { await rm(dataDir, { recursive: true, force: true }); });

describe('the retouch CLI', () => {
  it('keys create prints a key once; list shows its prefix, not the secret; revoke revokes', async () => {
    const { stdout } = await retouch('keys', 'create', '--name', 'ci');
    const secret = stdout.trim();
    assert.match(secret, /^sk-[0-9a-z]{32}$/);
    const listed = (await retouch('keys', 'list')).stdout;
    assert.match(listed, /active/);
    assert.match(listed, /ci/);
    assert.ok(!listed.includes(secret));
    const id = /^(key_\w+)/m.exec(listed)![1]!;
    assert.match((await retouch('keys', 'revoke', id)).stdout, /Revoked/);
    assert.match((await retouch('keys', 'list')).stdout, /revoked/);
    await assert.rejects(retouch('keys', 'revoke', 'key_nope'));
  });

  it('usage prints a summary', async () => {
    assert.match((await retouch('usage', '--since', '7d')).stdout, /Usage since/);
  });

  it('config prints every variable with secrets masked', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'config'], { env: { ...env(), RETOUCH_API_KEYS: 'sk-supersecretvalue' }, encoding: 'utf8' });
    assert.match(stdout, /RETOUCH_MAX_UPLOAD_MB\s+50 \(default\)/);
    assert.ok(!stdout.includes('supersecretvalue'));
  });

  it('a bad configuration fails once, listing every problem', async () => {
    const err = await run(process.execPath, [BIN, 'config'], { env: { ...env(), PORT: 'eighty', RETOUCH_MAX_UPLOAD_MB: '-1' }, encoding: 'utf8' }).catch((e) => e);
    assert.equal(err.code, 2);
    assert.match(err.stderr, /PORT="eighty"/);
    assert.match(err.stderr, /RETOUCH_MAX_UPLOAD_MB="-1"/);
  });

  it('edit runs the local engine without a server; --explain prints the plan', async () => {
    const input = path.join(dataDir, 'in.png');
    const output = path.join(dataDir, 'out.png');
    await writeFile(input, await card());
    assert.equal((await retouch('edit', input, 'make it black and white and rotate it 90 degrees', '--explain')).stdout.trim(), 'convert to black and white; rotate 90 degrees clockwise');
    await retouch('edit', input, 'rotate 90 degrees', '-o', output);
    const out = await decode(await (await import('node:fs/promises')).readFile(output));
    assert.deepEqual([out.width, out.height, out.format], [48, 64, 'png']);
    const err = await retouch('edit', input, 'add a hat', '-o', output).catch((e) => e);
    assert.equal(err.code, 1);
    assert.match(err.stderr, /add a hat/);
  });

  it('edit of a file that is not there says so in one line, without a stack trace', async () => {
    const missing = path.join(dataDir, 'nonexistent.jpg');
    for (const args of [[], ['--server', 'http://127.0.0.1:9', '--key', 'sk-x']]) {
      const err = await retouch('edit', missing, 'make it warmer', ...args).catch((e) => e);
      assert.equal(err.code, 1);
      assert.equal(err.stderr.trim(), `${missing}: no such file.`);
    }
    const folder = await retouch('edit', dataDir, 'make it warmer').catch((e) => e);
    assert.equal(folder.code, 1);
    assert.equal(folder.stderr.trim(), `${dataDir}: a folder, not a file.`);
  });
});
