import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore } from '../src/store/postgres.ts';
import { card, decode } from './helpers/images.ts';
import { nodeForm, type Part } from './helpers/multipart.ts';
import { withinOneDay, withinOneMinute } from './helpers/clock.ts';
import { pgSchema, redisPrefix, type S3Server, startS3 } from './helpers/services.ts';

const BIN = path.resolve(import.meta.dirname, '../bin/retouch.js');
const run = promisify(execFile);

async function freePort(): Promise<number> {
  const srv = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => srv.once('listening', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Node { child: ChildProcess; base: string; out: () => string; dataDir: string }

let s3: S3Server;
let db: Awaited<ReturnType<typeof pgSchema>>;
let redis: Awaited<ReturnType<typeof redisPrefix>>;
let env: Record<string, string>;
const nodes: Node[] = [];

async function startNode(extra: Record<string, string> = {}): Promise<Node> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-node-'));
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { ...process.env, ...env, ...extra, RETOUCH_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' } });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const base = `http://127.0.0.1:${port}`;
  // Up to 60 s: on a loaded 2-core machine a cold start alone has taken 10–25 s.
  for (let i = 0; i < 600; i++) {
    if (await fetch(`${base}/health`).then((r) => r.ok, () => false)) return { child, base, out: () => out, dataDir };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`node did not start:\n${out}`);
}

const keysCli = async (...args: string[]) => (await run(process.execPath, [BIN, 'keys', ...args], { env: { ...process.env, ...env, RETOUCH_LOG_LEVEL: 'silent' }, encoding: 'utf8' })).stdout.trim();

async function edit(node: Node, key: string, extra: Part[] = []) {
  const { body, headers } = await nodeForm([{ name: 'image', file: await card() }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'rotate it 90 degrees' }, { name: 'output_format', value: 'png' }, ...extra]);
  const res = await fetch(`${node.base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(body), headers: { ...headers, authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, json: await res.json() as any };
}

before(async () => {
  [s3, db, redis] = await Promise.all([startS3(), pgSchema(), redisPrefix()]);
  // The services are cleaned up by `after` even when a node fails to start.
  env = { ...s3.env, RETOUCH_DATABASE_URL: db.url, RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix, RETOUCH_LOG_LEVEL: 'warn' };
  // Both start at once on an empty schema: migrations take turns under the advisory lock.
  const started = await Promise.allSettled([startNode(), startNode({ RETOUCH_IMAGE_URLS: 'presigned' })]);
  for (const s of started) if (s.status === 'fulfilled') nodes.push(s.value);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
});

after(async () => {
  for (const n of nodes) {
    n.child.kill('SIGTERM');
    if (n.child.exitCode === null) await new Promise((r) => n.child.once('exit', r));
    await rm(n.dataDir, { recursive: true, force: true });
  }
  await Promise.allSettled([s3?.close(), db?.drop(), redis?.clean()]);
});

describe('two nodes sharing PostgreSQL, Redis and S3', () => {
  it('an image stored through one node is served by the other (streamed, or redirected to a presigned URL)', async () => {
    const [a, b] = nodes as [Node, Node];
    const key = await keysCli('create', '--name', 'shared');
    const res = await edit(a, key);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const name = new URL(res.json.data[0].url).pathname.split('/').pop()!;
    // Node a streams it from the bucket; node b redirects to the bucket.
    const viaA = await fetch(`${a.base}/img/${name}`);
    assert.equal(viaA.status, 200);
    assert.equal(viaA.headers.get('content-type'), 'image/png');
    const bytes = Buffer.from(await viaA.arrayBuffer());
    const img = await decode(bytes);
    assert.deepEqual([img.width, img.height], [48, 64]);
    const redirect = await fetch(`${b.base}/img/${name}`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.match(redirect.headers.get('location')!, new RegExp(`^${s3.endpoint}/${s3.bucket}/img/${name}\\?.*X-Amz-Signature=`));
    const viaB = await fetch(`${b.base}/img/${name}`);
    assert.ok(Buffer.from(await viaB.arrayBuffer()).equals(bytes), 'the same bytes through the presigned URL');
  });

  it('usage rows from both nodes land in one table, each with its request id', async () => {
    const [a, b] = nodes as [Node, Node];
    const key = await keysCli('create', '--name', 'usage');
    const ra = await edit(a, key);
    const rb = await edit(b, key);
    const store = await openPostgresStore(db.url);
    try {
      for (const r of [ra, rb]) {
        // A node writes the usage row once its answer is sent (onResponse): the client can read the
        // answer before the row is in PostgreSQL, so wait for it rather than read it once.
        const id = r.headers.get('x-request-id')!;
        let rec = await store.usageForRequest(id);
        for (const end = Date.now() + 30_000; !rec && Date.now() < end; await new Promise((res) => setTimeout(res, 25))) rec = await store.usageForRequest(id);
        assert.ok(rec, `recorded within 30 s: ${id}`);
        assert.deepEqual([rec.status, rec.backend, rec.outputPixels], [200, 'local', 64 * 48]);
      }
    } finally {
      await store.close();
    }
  });

  it('a key limited to N requests a minute gets its (N+1)th refused on either node', async () => {
    const [a, b] = nodes as [Node, Node];
    const key = await keysCli('create', '--name', 'rpm', '--rpm', '3');
    await withinOneMinute();
    assert.deepEqual([(await edit(a, key)).status, (await edit(b, key)).status, (await edit(a, key)).status], [200, 200, 200]);
    const refusedB = await edit(b, key);
    assert.equal(refusedB.status, 429);
    assert.equal(refusedB.json.error.code, 'rate_limit_exceeded');
    assert.equal(refusedB.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.ok(Number(refusedB.headers.get('retry-after')) > 0);
    assert.equal((await edit(a, key)).status, 429);
  });

  it('a quota spent on one node is spent on both', async () => {
    const [a, b] = nodes as [Node, Node];
    const key = await keysCli('create', '--name', 'quota', '--images-per-day', '2');
    await withinOneDay(); // spent on one node and refused on the other in one UTC day
    assert.equal((await edit(a, key, [{ name: 'n', value: '2' }])).status, 200);
    const spent = await edit(b, key);
    assert.equal(spent.status, 429);
    assert.equal(spent.json.error.code, 'insufficient_quota');
    assert.equal(spent.json.error.type, 'insufficient_quota');
  });
});
