import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { card } from './helpers/images.ts';
import { nodeForm } from './helpers/multipart.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
let dataDir: string;

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Starts `retouch serve` as `npm start` does, and waits until it listens. */
async function startServer(bin = BIN): Promise<{ child: ChildProcess; base: string; out: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve'], { env: { ...process.env, RETOUCH_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' } });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const base = `http://127.0.0.1:${port}`;
  // Up to 120 s: on a loaded machine, tsx compiling the sources alone can take ten, and a cold
  // start has taken 10-25 s (two-nodes.test.ts); 30 s was not always enough under load.
  for (const end = Date.now() + 120_000; Date.now() < end;) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return { child, base, out: () => out };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`server did not start:\n${out}`);
}

before(async () => { dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-serve-')); });
after(async () => { await rm(dataDir, { recursive: true, force: true }); });

describe('retouch serve', () => {
  it('prints a first key once on a fresh data dir; the key works; a restart prints none', async () => {
    const first = await startServer();
    const key = /(sk-[0-9a-z]{32})/.exec(first.out())?.[1];
    assert.ok(key, first.out());
    const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'grayscale' }]);
    const res = await fetch(`${first.base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200);
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const second = await startServer();
    assert.doesNotMatch(second.out(), /sk-[0-9a-z]{32}/);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });

  it('SIGTERM lets an in-flight request finish, then exits 0', async () => {
    const s = await startServer();
    const key = /(sk-[0-9a-z]{32})/.exec(s.out())?.[1] ?? process.env.NEVER;
    // The first test made the key; make a request with a key from the CLI instead.
    const { execFileSync } = await import('node:child_process');
    const secret = key ?? execFileSync(process.execPath, [BIN, 'keys', 'create'], { env: { ...process.env, RETOUCH_DATA_DIR: dataDir }, encoding: 'utf8' }).trim();
    const big = await (await import('sharp')).default({ create: { width: 3000, height: 3000, channels: 3, background: '#f80' } }).png().toBuffer();
    const { body, headers } = await nodeForm([{ name: 'image', file: big }, { name: 'model', value: 'nano-banana-1' }, { name: 'prompt', value: 'rotate 33 degrees' }, { name: 'output_format', value: 'png' }]);
    const inflight = fetch(`${s.base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, authorization: `Bearer ${secret}` } });
    // SIGTERM once the server has the request (it logs it on arrival), not after a fixed 150 ms: on
    // a loaded machine the request could still be on its way, and a server that is closing refuses it.
    for (const end = Date.now() + 30_000; !/"url":"\/v1\/images\/edits"/.test(s.out()); await new Promise((r) => setTimeout(r, 10))) {
      if (Date.now() > end) assert.fail(`the server did not log the request within 30 s:\n${s.out()}`);
    }
    const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    const res = await inflight;
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(await exited, 0);
  });

  it('`npm start` runs the compiled build (dist/server, made by `npm run build`): it serves the API and the playground', async () => {
    const compiled = path.resolve(import.meta.dirname, '../dist/server/cli/main.js');
    const s = await startServer(compiled);
    try {
      const { execFileSync } = await import('node:child_process');
      const secret = execFileSync(process.execPath, [compiled, 'keys', 'create'], { env: { ...process.env, RETOUCH_DATA_DIR: dataDir }, encoding: 'utf8' }).trim();
      const image = await (await import('sharp')).default({ create: { width: 40, height: 30, channels: 3, background: '#f80' } }).png().toBuffer();
      const { body, headers } = await nodeForm([{ name: 'image', file: image }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'flip it' }]);
      const res = await fetch(`${s.base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, authorization: `Bearer ${secret}` } });
      assert.equal(res.status, 200, await res.clone().text());
      const page = await fetch(`${s.base}/`);
      assert.match(await page.text(), /<!doctype html>/i);
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((r) => s.child.once('exit', r));
    }
  });
});
