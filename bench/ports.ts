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

const RUNS = 21;

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
  const body = await multipartBody(editForm(jpeg, { model: 'retouch-local-1', prompt: 'make it black and white', output_format: 'jpeg' }));
  const names = Object.keys(nodes) as Array<keyof typeof nodes>;
  const t = await interleavedMs(Object.fromEntries(names.map((n) => [n, () => postRaw(`${nodes[n].base}/v1/images/edits`, BENCH_KEY, body)])) as Record<keyof typeof nodes, () => Promise<Buffer>>, RUNS);
  const added = t.shared - t.embedded;
  for (const n of names) process.stdout.write(`${n.padEnd(9)} ${t[n].toFixed(1)} ms (+${(t[n] - t.embedded).toFixed(1)})\n`);
  await Promise.all(names.map((n) => nodes[n].stop()));
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
  ], ['l', 'r', 'r'])}

s3rver is a Node.js stand-in that writes each object to a file; a real MinIO or S3 has different
latency, usually higher over a network than this loopback figure.`);
}
