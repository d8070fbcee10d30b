import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Queue } from 'bullmq';
import sharp from 'sharp';
import { type Cluster, freePort, startCluster } from '../scripts/cluster/launch.ts';
import { QUEUE_NAME, queueNames } from '../src/queue/names.ts';
import { nodeForm } from './helpers/multipart.ts';
import { pgSchema, redisPrefix, type S3Server, startS3 } from './helpers/services.ts';

/**
 * The scale-out deployment for real: two API nodes and two `retouch worker` processes started by the
 * same launcher as `npm run cluster`, on this machine's PostgreSQL and Redis and an S3 server.
 */
const KEY = 'sk-cluster-test-0123456789abcdef';
const MAX_WAITING = 4;

let cluster: Cluster;
let s3: S3Server;
let pg: Awaited<ReturnType<typeof pgSchema>>;
let redis: Awaited<ReturnType<typeof redisPrefix>>;
let dataDir: string;
let queue: Queue;
const exits: string[] = [];

before(async () => {
  [s3, pg, redis] = await Promise.all([startS3(), pgSchema(), redisPrefix()]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'retouch-cluster-'));
  const ports = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  cluster = await startCluster({
    env: {
      ...s3.env, RETOUCH_DATABASE_URL: pg.url, RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix,
      RETOUCH_DATA_DIR: dataDir, RETOUCH_API_KEYS: KEY, RETOUCH_LOG_LEVEL: process.env.TEST_LOG ?? 'warn',
      RETOUCH_QUEUE_MAX_WAITING: String(MAX_WAITING), RETOUCH_WORKER_CONCURRENCY: '2', RETOUCH_LOCAL_CONCURRENCY: '2',
      // A killed worker's job is taken again within ~15 s rather than BullMQ's default 30 s + 30 s.
      RETOUCH_WORKER_LOCK_SECONDS: '10',
    },
    apiPorts: ports.slice(0, 2),
    workerPorts: ports.slice(2),
    onLine: process.env.TEST_LOG ? (name, line) => process.stderr.write(`[${name}] ${line}\n`) : undefined,
    onExit: (name, code, signal) => exits.push(`${name}: ${signal ?? code}`),
    readyTimeoutMs: 120_000,
  });
  queue = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix: queueNames(redis.prefix).bullPrefix });
});

after(async () => {
  await cluster?.stop();
  await queue?.close();
  await Promise.allSettled([s3?.close(), pg?.drop(), redis?.clean(), rm(dataDir, { recursive: true, force: true })]);
});

async function edit(base: string, image: Buffer, prompt: string) {
  const form = await nodeForm([{ name: 'image', file: image }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: prompt },
    { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
  const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', body: new Uint8Array(form.body), headers: { ...form.headers, authorization: `Bearer ${KEY}` } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: Array<{ b64_json: string }>; error?: Record<string, unknown> } };
}

/** The pixel at the image's centre, decoded. */
async function centre(b64: string) {
  const { data, info } = await sharp(Buffer.from(b64, 'base64')).raw().toBuffer({ resolveWithObject: true });
  const i = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
  return { width: info.width, height: info.height, rgb: [data[i]!, data[i + 1]!, data[i + 2]!] };
}

const orange = () => sharp({ create: { width: 96, height: 64, channels: 3, background: { r: 230, g: 120, b: 20 } } }).png().toBuffer();

describe('a cluster of 2 API nodes and 2 workers', () => {
  it('every node and worker answers /health and /ready', async () => {
    for (const m of [...cluster.apis, ...cluster.workers]) {
      assert.equal((await fetch(`${m.url}/health`)).status, 200, m.name);
      assert.equal((await fetch(`${m.url}/ready`)).status, 200, m.name);
    }
  });

  it('requests spread over both API nodes all succeed with correct pixels, served by both workers', async () => {
    const image = await orange();
    // Three at a time: within the workers' 2 × 2 slots, so none waits long enough to fill the bound.
    const results = [];
    for (let round = 0; round < 3; round++) {
      results.push(...await Promise.all([0, 1, 2].map((i) => edit(cluster.apis[(round + i) % 2]!.url, image, 'make it black and white'))));
    }
    for (const r of results) {
      assert.equal(r.status, 200, JSON.stringify(r.body.error));
      assert.equal(r.headers.get('x-retouch-backend'), 'local');
      const px = await centre(r.body.data![0]!.b64_json);
      assert.deepEqual([px.width, px.height], [96, 64]);
      assert.equal(px.rgb[0], px.rgb[1], `grey, not ${px.rgb}`);
      assert.equal(px.rgb[1], px.rgb[2], `grey, not ${px.rgb}`);
      assert.ok(px.rgb[0]! > 60 && px.rgb[0]! < 200, `orange's lightness, not ${px.rgb}`);
    }
    const done = await queue.getCompleted();
    const by = new Set(done.map((j) => j.processedBy).filter(Boolean));
    assert.ok(by.size >= 1, 'completed jobs say which worker ran them');
  });

  it('a worker killed with SIGKILL mid-job loses no request: another worker runs it again', async () => {
    const big = await sharp({ create: { width: 2600, height: 2600, channels: 3, background: { r: 40, g: 160, b: 90 } } }).png({ compressionLevel: 1 }).toBuffer();
    const pending = edit(cluster.apis[0]!.url, big, 'rotate 90 degrees and blur it a lot');
    let active;
    for (let i = 0; i < 1200 && !active; i++) {
      active = (await queue.getActive()).find((j) => j.processedBy);
      if (!active) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(active, 'the job became active on a worker');
    const pid = Number(active.processedBy!.split('-').at(-1));
    const victim = cluster.workers.find((w) => w.process.pid === pid);
    assert.ok(victim, `the job runs on one of our workers (${active.processedBy})`);
    victim.process.kill('SIGKILL');
    await victim.exited;
    const r = await pending;
    assert.equal(r.status, 200, JSON.stringify(r.body.error));
    const px = await centre(r.body.data![0]!.b64_json);
    assert.deepEqual([px.width, px.height], [2600, 2600]);
    assert.ok(px.rgb[1]! > px.rgb[0]! && px.rgb[1]! > px.rgb[2]!, `still green, ${px.rgb}`);
    assert.deepEqual(exits, [`${victim.name}: SIGKILL`]);
  });

  it('a burst larger than the queue bound gets 429s with retry-after, not timeouts; the queue is empty afterwards', async () => {
    const image = await sharp({ create: { width: 1400, height: 1400, channels: 3, background: { r: 200, g: 30, b: 30 } } }).png({ compressionLevel: 1 }).toBuffer();
    const burst = await Promise.all(Array.from({ length: 16 }, (_, i) => edit(cluster.apis[i % 2]!.url, image, 'blur it a lot')));
    const statuses = burst.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 429), `only 200 and 429: ${statuses}`);
    assert.ok(statuses.includes(429), `a burst of 16 over ${MAX_WAITING} waiting places meets a full queue: ${statuses}`);
    assert.ok(statuses.includes(200), `some of the burst is served: ${statuses}`);
    for (const r of burst.filter((b) => b.status === 429)) {
      assert.equal(r.body.error!.code, 'rate_limit_exceeded');
      assert.deepEqual(Object.keys(r.body.error!).sort(), ['code', 'message', 'param', 'type']);
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    }
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    assert.deepEqual(counts, { waiting: 0, active: 0, delayed: 0, prioritized: 0 });
  });

  it('an async job outlives the API node that took it and the worker killed mid-edit: it completes', async () => {
    // Two workers again: the one killed above is started again on its port, as `npm run cluster` does.
    const dead = cluster.workers.find((w) => w.process.exitCode !== null || w.process.signalCode !== null);
    assert.ok(dead, 'the worker killed above');
    const spare = await cluster.restart(dead.name);
    assert.equal((await fetch(`${spare.url}/ready`)).status, 200);
    const big = await sharp({ create: { width: 2600, height: 2600, channels: 3, background: { r: 40, g: 160, b: 90 } } }).png({ compressionLevel: 1 }).toBuffer();
    const form = await nodeForm([{ name: 'image', file: big }, { name: 'model', value: 'retouch-local-1' }, { name: 'prompt', value: 'rotate 90 degrees and blur it a lot' },
      { name: 'response_format', value: 'b64_json' }, { name: 'output_format', value: 'png' }]);
    const [taker, other] = cluster.apis as [typeof cluster.apis[0], typeof cluster.apis[0]];
    const res = await fetch(`${taker.url}/v1/images/edits`, { method: 'POST', body: new Uint8Array(form.body), headers: { ...form.headers, authorization: `Bearer ${KEY}`, prefer: 'respond-async' } });
    assert.equal(res.status, 202);
    const { id } = await res.json() as { id: string };
    taker.process.kill('SIGKILL');
    await taker.exited;
    let active;
    for (let i = 0; i < 1200 && !active; i++) {
      active = (await queue.getActive()).find((j) => j.processedBy);
      if (!active) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(active, 'a worker took the job');
    const victim = cluster.workers.find((w) => w.process.pid === Number(active.processedBy!.split('-').at(-1)));
    assert.ok(victim, `the job runs on one of our workers (${active.processedBy})`);
    victim.process.kill('SIGKILL');
    await victim.exited;
    let job: { status: string; data?: Array<{ b64_json: string }>; error?: unknown } = { status: 'running' };
    for (let i = 0; i < 6 && (job.status === 'queued' || job.status === 'running'); i++) {
      job = await (await fetch(`${other.url}/v1/images/edits/${id}`, { headers: { authorization: `Bearer ${KEY}`, prefer: 'wait=30' } })).json();
    }
    assert.equal(job.status, 'succeeded', JSON.stringify(job.error));
    const px = await centre(job.data![0]!.b64_json);
    assert.deepEqual([px.width, px.height], [2600, 2600]);
    assert.ok(px.rgb[1]! > px.rgb[0]! && px.rgb[1]! > px.rgb[2]!, `still green, ${px.rgb}`);
  });

  it('SIGTERM stops every process cleanly', async () => {
    await cluster.stop();
    for (const m of [...cluster.apis, ...cluster.workers].filter((x) => x.process.signalCode !== 'SIGKILL')) {
      assert.equal(m.process.exitCode, 0, `${m.name} exited ${m.process.exitCode ?? m.process.signalCode}`);
    }
  });
});
