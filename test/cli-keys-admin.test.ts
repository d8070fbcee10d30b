import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
let dataDir: string;
const retouch = (...args: string[]) => run(process.execPath, [BIN, ...args], { env: { ...process.env, RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent' }, encoding: 'utf8' });

before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cli-admin-')); });
after(async () => { await rm(dataDir, { recursive: true, force: true }); });

describe('retouch keys create --admin', () => {
  it('makes a key that opens the admin API, and an ordinary one that does not', async () => {
    const admin = (await retouch('keys', 'create', '--admin', '--name', 'ops')).stdout.trim();
    const plain = (await retouch('keys', 'create', '--name', 'app')).stdout.trim();
    const listed = (await retouch('keys', 'list')).stdout;
    assert.match(listed, /ops {2}\(admin\)/);
    assert.doesNotMatch(listed.split('\n').find((l) => l.includes(' app'))!, /admin/);

    const app = await createApp(loadConfig({ RETOUCH_DATA_DIR: dataDir, RETOUCH_LOG_LEVEL: 'silent' }), { logger: pino({ level: 'silent' }) });
    try {
      const as = (key: string) => app.server.inject({ url: '/v1/admin/keys', headers: { authorization: `Bearer ${key}` } });
      const ok = await as(admin);
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json().data.map((k: { name: string; scopes: string[] }) => [k.name, k.scopes]), [['ops', ['admin']], ['app', []]]);
      assert.equal((await as(plain)).statusCode, 403);
    } finally {
      await app.close();
    }
  });
});
