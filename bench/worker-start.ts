/**
 * Worker cold start: `retouch worker` from spawn to /ready answering 200, run from the TypeScript
 * sources through tsx (`node bin/retouch.js worker`) and from the compiled build (`npm run worker`,
 * dist/server). Part of `npm run bench -- cold-start`; needs the local Redis.
 */
import { spawn } from 'node:child_process';
import { freePort } from '../scripts/cluster/launch.ts';
import { redisPrefix } from '../test/helpers/services.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { median } from './lib/stats.ts';

const RUNS = 5;

export async function workerStartBench() {
  const redis = await redisPrefix();
  const variants = {
    'tsx (node bin/retouch.js worker)': ['bin/retouch.js', 'worker'],
    'compiled (npm run worker: node dist/server/cli/main.js worker)': ['dist/server/cli/main.js', 'worker'],
  };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]]));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [name, args] of Object.entries(variants)) {
        const port = await freePort();
        const t = performance.now();
        const child = spawn(process.execPath, args, {
          env: { ...process.env, RETOUCH_DATA_DIR: `${process.cwd()}/data/bench-worker`, RETOUCH_REDIS_URL: redis.url, RETOUCH_REDIS_PREFIX: redis.prefix, RETOUCH_WORKER_PORT: String(port), RETOUCH_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        while (!(await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.ok, () => false))) {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        times[name]!.push(performance.now() - t);
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    }
  } finally {
    await redis.clean();
  }
  for (const [name, ts] of Object.entries(times)) process.stdout.write(`worker ${name}: ${median(ts).toFixed(0)} ms to /ready\n`);
  await writeSection('cold-start-worker', `## Worker cold start: tsx or compiled

Command: \`npm run bench -- cold-start\` (run on ${today()}; ${machine()}).
\`retouch worker\` from spawn to its /ready answering 200 (store, blobs, Redis and the queue
reachable), ${RUNS} runs each, measured in turns; medians. This is why production runs the compiled
build (\`npm run build\` emits dist/server; \`npm start\` and \`npm run worker\` run it) and tsx stays
for development.

${table(['worker started from', 'median to /ready (ms)', 'runs (ms)'], Object.entries(times).map(([name, ts]) => [name, median(ts).toFixed(0), ts.map((x) => x.toFixed(0)).join(', ')]), ['l', 'r', 'l'])}`);
}
