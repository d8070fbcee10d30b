/**
 * `npm run cluster`: 2 API nodes + 2 workers + an S3-compatible server (s3rver) on this machine,
 * against the local PostgreSQL and Redis. Prints the URLs and an API key; a member that dies is started
 * again; Ctrl-C stops everything.
 *
 * Override with RETOUCH_DATABASE_URL, RETOUCH_REDIS_URL, RETOUCH_REDIS_PREFIX, CLUSTER_PORT (the first
 * API node's port; the others follow), CLUSTER_API_NODES, CLUSTER_WORKERS.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { redactShapes } from '../src/redact.ts';
import { type Cluster, startCluster } from './cluster/launch.ts';

const env = process.env;
const base = Number(env.CLUSTER_PORT ?? 8080);
const apiCount = Number(env.CLUSTER_API_NODES ?? 2);
const workerCount = Number(env.CLUSTER_WORKERS ?? 2);
const dataDir = path.resolve(env.RETOUCH_DATA_DIR ?? './data/cluster');
const s3Port = base + 20;

const { default: S3rver } = await import('s3rver');
await mkdir(path.join(dataDir, 's3'), { recursive: true });
const bucket = 'retouch';
const s3 = new S3rver({ port: s3Port, address: '127.0.0.1', silent: true, directory: path.join(dataDir, 's3'), configureBuckets: [{ name: bucket, configs: [] }] });
await s3.run();

// One static key for the whole cluster, new each run, shown once here and never logged.
const key = `sk-cluster-${randomBytes(16).toString('hex')}`;
const webhookSecret = `whsec_${randomBytes(32).toString('base64')}`;
const shared = {
  RETOUCH_DATABASE_URL: env.RETOUCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres?schema=retouch_cluster',
  RETOUCH_REDIS_URL: env.RETOUCH_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  RETOUCH_REDIS_PREFIX: env.RETOUCH_REDIS_PREFIX ?? 'retouch-cluster:',
  RETOUCH_S3_BUCKET: bucket, RETOUCH_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`, RETOUCH_S3_FORCE_PATH_STYLE: 'true',
  RETOUCH_S3_REQUEST_CHECKSUM: 'when_required', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER',
  RETOUCH_DATA_DIR: dataDir,
  RETOUCH_API_KEYS: key,
  // Signs the webhooks of that static key (a stored key has a secret of its own).
  RETOUCH_WEBHOOK_SECRET: webhookSecret,
  // As npm start sets it: fewer glibc malloc arenas keep freed image buffers from staying resident.
  MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2',
};

const apiPorts = Array.from({ length: apiCount }, (_, i) => base + i);
const workerPorts = Array.from({ length: workerCount }, (_, i) => base + 10 + i);
process.stdout.write(`starting ${apiCount} API nodes and ${workerCount} workers (database ${redactShapes(maskPassword(shared.RETOUCH_DATABASE_URL))}, redis ${maskPassword(shared.RETOUCH_REDIS_URL)})…\n`);

let stopping = false;
let markStarted: (cluster: Cluster | null) => void = () => {};
const clusterStarted = new Promise<Cluster | null>((resolve) => { markStarted = resolve; });
const cluster = await startCluster({
  env: shared,
  apiPorts,
  workerPorts,
  onLine: (name, line) => process.stdout.write(`[${name}] ${line}\n`),
  // A member that dies is started again, as a supervisor would: kill one to watch the others and
  // the queue carry its work (README: "Running at scale").
  onExit: (name, code, signal) => {
    if (stopping) return;
    process.stderr.write(`[${name}] exited (${signal ?? code}); starting it again\n`);
    void restartLater(name);
  },
}).catch(async (err: Error) => {
  process.stderr.write(`cluster did not start: ${err.message}\n`);
  await s3.close();
  process.exit(1);
});

markStarted(cluster);

process.stdout.write(`
Retouch cluster ready.
  API nodes:   ${cluster.apis.map((m) => m.url).join('  ')}
  workers:     ${cluster.workers.map((m) => `${m.url}/ready`).join('  ')}
  S3 (s3rver): http://127.0.0.1:${s3Port}/${bucket}
  API key:     ${key}
  webhooks:    signed with ${webhookSecret}

  curl ${cluster.apis[0]!.url}/v1/images/edits -H "Authorization: Bearer ${key}" \\
    -F model=retouch-local-1 -F image=@photo.jpg -F "prompt=make it black and white"

A member that dies (kill -9 one to try it) is started again. Ctrl-C stops everything.
`);

/** Restarts a member once the cluster has started (a member that dies while it starts fails the start). */
async function restartLater(name: string) {
  const started = await clusterStarted;
  if (!started || stopping) return;
  await started.restart(name).then(
    (m) => process.stdout.write(`[${name}] ready again at ${m.url}\n`),
    (err: Error) => process.stderr.write(`[${name}] could not be started again: ${err.message}\n`),
  );
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  process.stdout.write('stopping: API nodes finish their requests, workers their jobs…\n');
  await cluster.stop();
  await s3.close();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function maskPassword(url: string) {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
