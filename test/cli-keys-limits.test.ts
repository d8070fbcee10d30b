import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../src/store/sqlite.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
let dataDir: string;
const retouch = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent' }, encoding: 'utf8' });

before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cli-limits-')); });
after(async () => { await rm(dataDir, { recursive: true, force: true }); });

describe('retouch keys: limits and quotas', () => {
  it('create sets limits, list shows them, update changes one and 0 clears it', async () => {
    const created = await retouch('keys', 'create', '--name', 'paid', '--rpm', '60', '--images-per-day', '500', '--concurrent', '4');
    assert.match(created.stdout.trim(), /^sk-[0-9a-z]{32}$/);
    assert.match(created.stderr, /60 rpm, 500 images\/day, 4 at once/);
    const listed = (await retouch('keys', 'list')).stdout;
    assert.match(listed, /paid {2}\[60 rpm, 500 images\/day, 4 at once\]/);
    const id = /^(key_\w+)/m.exec(listed)![1]!;
    const updated = await retouch('keys', 'update', id, '--rpm', '120', '--concurrent', '0', '--megapixels-per-month', '2.5');
    assert.match(updated.stdout, /120 rpm, 500 images\/day, 2.5 MP\/month/);
    const store = await openSqliteStore(path.join(dataDir, 'retouch.db'));
    assert.deepEqual((await store.listKeys())[0]!.limits, { rpm: 120, imagesPerDay: 500, megapixelsPerMonth: 2.5 });
    await store.close();
  });

  it('refuses a bad value and an unknown key', async () => {
    const bad = await retouch('keys', 'create', '--rpm', 'lots').catch((e) => e);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--rpm takes a number/);
    const unknown = await retouch('keys', 'update', 'key_nope', '--rpm', '5').catch((e) => e);
    assert.equal(unknown.code, 1);
  });
});

describe('retouch config: ports', () => {
  it('names the store, blob store and limiter in use, with passwords masked', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'config'], {
      env: { ...process.env, RETOUCH_DATA_DIR: dataDir, RETOUCH_DATABASE_URL: 'postgres://app:hunter22@db:5432/retouch', RETOUCH_REDIS_URL: 'redis://:hunter22@redis:6379/3' }, encoding: 'utf8',
    });
    assert.match(stdout, /store\s+postgres postgres:\/\/app:xxx@db:5432\/retouch/);
    assert.match(stdout, /limiter\s+redis redis:\/\/:xxx@redis:6379\/3, prefix 'retouch:'/);
    assert.match(stdout, /blobs\s+files /);
    assert.ok(!stdout.includes('hunter22'));
  });
});
