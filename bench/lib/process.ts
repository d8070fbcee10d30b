import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const BENCH_KEY = 'sk-bench-0123456789abcdef';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** Resident memory of a process now, from /proc (Linux), in bytes. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Samples a process's resident memory every 25 ms; `peak()` is the largest seen since `reset()`. */
export function rssSampler(pid: number) {
  let peak = 0;
  const timer = setInterval(() => { try { peak = Math.max(peak, rssOf(pid)); } catch { /* exited */ } }, 25);
  return { peak: () => peak, reset: () => { peak = rssOf(pid); }, stop: () => clearInterval(timer) };
}

/**
 * `retouch serve` as a user starts it (`npm start` runs the same command), in its own process so
 * its memory is measured alone and the load generator does not share its event loop.
 * `startedAt` is just before the spawn; `healthyAt` when /health first answered 200. `nodeArgs`
 * are for profiling (`--cpu-prof`, `--heap-prof`); `viaNpm` starts it with `npm start` instead.
 */
export async function spawnRetouch(env: Record<string, string> = {}, nodeArgs: string[] = [], viaNpm = false) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bench-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  // `npm start` runs the same command; through npm, its own start-up is counted too.
  const child: ChildProcess = spawn(viaNpm ? 'npm' : process.execPath, viaNpm ? ['start', '--silent'] : [...nodeArgs, 'bin/retouch.js', 'serve'], {
    // MALLOC_ARENA_MAX as `npm start` sets it (package.json; why: README, "Memory").
    env: { MALLOC_ARENA_MAX: '2', ...process.env, PORT: String(port), HOST: '127.0.0.1', RETOUCH_DATA_DIR: dir, RETOUCH_API_KEYS: BENCH_KEY, RETOUCH_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', process.env.BENCH_CHILD_STDOUT ? 'inherit' : 'ignore', 'inherit'],
    // Its own process group, so stop() reaches the server under npm too (npm does not pass SIGTERM on).
    detached: true,
  });
  let healthyAt = 0;
  while (!healthyAt) {
    if (child.exitCode !== null) throw new Error(`retouch serve exited with ${child.exitCode}`);
    const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
    if (ok) healthyAt = performance.now();
    else await new Promise((r) => setTimeout(r, 10));
  }
  return {
    base, pid: child.pid!, startedAt, healthyAt,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      // Under npm, npm may exit before the server has closed: wait until the port is free.
      while (await fetch(`${base}/health`).then(() => true, () => false)) await new Promise((r) => setTimeout(r, 20));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
