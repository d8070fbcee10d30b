/**
 * What the shared ports cost: the same 1 MP edit (local engine, result hosted as a URL) against
 * `retouch serve` on the embedded defaults (SQLite, files, limits in memory) and on PostgreSQL +
 * Redis + S3 (loopback: this machine's PostgreSQL and Redis, s3rver). Both nodes run with per-key
 * limits on, so each request also passes the limiter, and writes one usage row and one blob.
 *
 *   npm run bench -- ports
 */
import { dims43, photo } from './lib/images.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { BENCH_KEY, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRaw } from './lib/server.ts';
import { interleavedMs } from './lib/stats.ts';
import { pgSchema, redisPrefix, startS3 } from '../test/helpers/services.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FsBlobStore } from '../src/blob/fs.ts';
import { S3BlobStore } from '../src/blob/s3.ts';
import type { BlobStore } from '../src/blob/index.ts';
import { loadConfig } from '../src/config/index.ts';
import { KeyService } from '../src/keys/index.ts';
import { KeyLimitGate } from '../src/ratelimit/key-limits.ts';
import { MemoryRateLimiter } from '../src/ratelimit/memory.ts';
import { RedisRateLimiter } from '../src/ratelimit/redis.ts';
import { openPostgresStore } from '../src/store/postgres.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/index.ts';

const RUNS = 21;

/**
 * The port calls on one request's path, each timed in this process (robust on a busy machine,
 * where end-to-end medians of a 1 MP edit move by more than the ports cost): verifying the key,
 * the per-key checks before and after, and storing the result blob. The usage row is written after
 * the answer is sent, so it is not on the path.
 */
async function pathCosts(store: Store, gate: KeyLimitGate, blobs: BlobStore, result: Buffer) {
  const keys = new KeyService(store);
  const { secret } = await keys.create('bench');
  const limits = { rpm: 100000, imagesPerDay: 100000000, concurrent: 64 };
  let i = 0;
  return interleavedMs({
    key: () => keys.verify(secret),
    limits: async () => (await gate.admit('bench', limits)).finish({ images: 1, pixels: 1 }),
    blob: () => blobs.put(`img_bench${i++}.jpeg`, result),
  }, 41);
}

export async function portsBench() {
  const [s3, db, redis] = await Promise.all([startS3(), pgSchema(), redisPrefix()]);
  const limits = { RETOUCH_DEFAULT_RPM: '100000', RETOUCH_DEFAULT_IMAGES_PER_DAY: '100000000', RETOUCH_DEFAULT_CONCURRENT_EDITS: '64' };
  const pgEnv = { RETOUCH_DATABASE_URL: db.url };
  const redisEnv = { RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix };
  // One node per combination, so the cost of each port shows on its own as well as together.
  const nodes = {
    embedded: await spawnRetouch(limits),
    postgres: await spawnRetouch({ ...limits, ...pgEnv }),
    redis: await spawnRetouch({ ...limits, ...redisEnv }),
    s3: await spawnRetouch({ ...limits, ...s3.env }),
    shared: await spawnRetouch({ ...limits, ...pgEnv, ...redisEnv, ...s3.env }),
  };
  const [w, h] = dims43(1);
  const jpeg = await photo(w, h, 'jpeg');
  const fields = { model: 'retouch-local-1', prompt: 'make it black and white', output_format: 'jpeg' };
  const body = await multipartBody(editForm(jpeg, fields));
  // b64_json stores no blob: what PostgreSQL and Redis add on their own.
  const b64 = await multipartBody(editForm(jpeg, { ...fields, response_format: 'b64_json' }));
  const names = Object.keys(nodes) as Array<keyof typeof nodes>;
  const t = await interleavedMs({
    ...Object.fromEntries(names.map((n) => [n, () => postRaw(`${nodes[n].base}/v1/images/edits`, BENCH_KEY, body)])) as Record<keyof typeof nodes, () => Promise<Buffer>>,
    embeddedB64: () => postRaw(`${nodes.embedded.base}/v1/images/edits`, BENCH_KEY, b64),
    sharedB64: () => postRaw(`${nodes.shared.base}/v1/images/edits`, BENCH_KEY, b64),
  }, RUNS);
  const added = t.shared - t.embedded;
  for (const n of Object.keys(t) as Array<keyof typeof t>) process.stdout.write(`${n.padEnd(12)} ${t[n].toFixed(1)} ms\n`);
  process.stdout.write(`added at the median: ${added.toFixed(1)} ms (url), ${(t.sharedB64 - t.embeddedB64).toFixed(1)} ms (b64_json)\n`);
  const result = Buffer.from(JSON.parse((await postRaw(`${nodes.embedded.base}/v1/images/edits`, BENCH_KEY, b64)).toString()).data[0].b64_json, 'base64');
  await Promise.all(names.map((n) => nodes[n].stop()));

  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bench-ports-'));
  const sqlite = await openSqliteStore(path.join(dir, 'retouch.db'));
  const memory = new MemoryRateLimiter();
  const local = await pathCosts(sqlite, new KeyLimitGate(memory), new FsBlobStore(path.join(dir, 'images')), result);
  const pgStore = await openPostgresStore(db.url);
  const redisLimiter = await RedisRateLimiter.connect(redis.url, redis.prefix);
  const remote = await pathCosts(pgStore, new KeyLimitGate(redisLimiter), new S3BlobStore(loadConfig(s3.env).s3!), result);
  await Promise.all([sqlite.close(), memory.close(), pgStore.close(), redisLimiter.close()]);
  await rm(dir, { recursive: true, force: true });
  const sum = (x: typeof local) => x.key + x.limits + x.blob;
  process.stdout.write(`on the path: embedded ${sum(local).toFixed(2)} ms, shared ${sum(remote).toFixed(2)} ms\n`);
  await Promise.allSettled([s3.close(), db.drop(), redis.clean()]);
  await writeSection('ports', `## Shared ports: PostgreSQL, Redis and S3

Command: \`npm run bench -- ports\` (run on ${today()}; ${machine()}).
The same ${w}x${h} JPEG, "make it black and white" on the local engine, result hosted as a URL, posted to
\`retouch serve\` processes on the embedded defaults (SQLite, files, limits in memory), on each shared
port alone, and on all three (PostgreSQL and Redis on 127.0.0.1, s3rver on loopback). Every node checks
per-key limits (requests per minute, images per day, edits in flight) and writes one usage row and one
blob per request.
${RUNS} runs each after a warm-up, in turns. Target: at most 5 ms added at the median.

${table(['node', 'median (ms)', 'added (ms)'], [
    ['embedded defaults', t.embedded.toFixed(1), '–'],
    ['PostgreSQL only', t.postgres.toFixed(1), (t.postgres - t.embedded).toFixed(1)],
    ['Redis only', t.redis.toFixed(1), (t.redis - t.embedded).toFixed(1)],
    ['S3 (s3rver) only', t.s3.toFixed(1), (t.s3 - t.embedded).toFixed(1)],
    ['**PostgreSQL + Redis + S3**', t.shared.toFixed(1), `**${added.toFixed(1)}**`],
    ['embedded, `b64_json` (no blob)', t.embeddedB64.toFixed(1), '–'],
    ['**PostgreSQL + Redis + S3, `b64_json`**', t.sharedB64.toFixed(1), `**${(t.sharedB64 - t.embeddedB64).toFixed(1)}**`],
  ], ['l', 'r', 'r'])}

The port calls on one request's path, each timed in one process (${(result.length / 1024).toFixed(0)} KiB result; 41 runs each, in turns):

${table(['call', 'embedded (ms)', 'shared (ms)', 'added (ms)'], [
    ['verify the key (SQLite / PostgreSQL)', local.key.toFixed(2), remote.key.toFixed(2), (remote.key - local.key).toFixed(2)],
    ['per-key checks and charge (memory / Redis)', local.limits.toFixed(2), remote.limits.toFixed(2), (remote.limits - local.limits).toFixed(2)],
    ['store the result (file / S3 on s3rver)', local.blob.toFixed(2), remote.blob.toFixed(2), (remote.blob - local.blob).toFixed(2)],
    ['**total on the path**', sum(local).toFixed(2), sum(remote).toFixed(2), `**${(sum(remote) - sum(local)).toFixed(2)}**`],
  ], ['l', 'r', 'r', 'r'])}

s3rver is a Node.js stand-in that writes each object to a file; a real MinIO or S3 has different
latency, usually higher over a network than this loopback figure.`);
}
