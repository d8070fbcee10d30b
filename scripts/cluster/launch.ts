/**
 * Starts a Retouch cluster on this machine: API nodes (`retouch serve`, RETOUCH_QUEUE=bullmq) and
 * workers (`retouch worker`) as separate processes sharing one PostgreSQL, one Redis and one
 * S3-compatible bucket. Used by `npm run cluster`, the cluster test and `npm run bench -- cluster`,
 * so the script people run is the one that is tested.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/retouch.js', import.meta.url));

export interface ClusterOptions {
  /** Environment shared by every process: database, Redis, S3, keys. */
  env: Record<string, string>;
  apiPorts: number[];
  workerPorts: number[];
  /** Each line a process prints, with its name; default: dropped. */
  onLine?: (name: string, line: string) => void;
  /** Called when a process ends that was not asked to. */
  onExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
  /** How long to wait for every process to answer /ready. */
  readyTimeoutMs?: number;
}

export interface Member {
  name: string;
  kind: 'api' | 'worker';
  url: string;
  process: ChildProcess;
  /** Resolves when the process has ended. */
  exited: Promise<void>;
}

export interface Cluster {
  apis: Member[];
  workers: Member[];
  /** Starts one more worker (after `kill`, say) and waits until it is ready. */
  addWorker(port: number): Promise<Member>;
  /** Starts a member that ended again, on its port, under its name, and waits until it is ready. */
  restart(name: string): Promise<Member>;
  /** SIGTERM to all (workers finish their jobs), then SIGKILL whatever is left after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const members: Member[] = [];
  const stopping = new Set<Member>();
  const launch = (kind: 'api' | 'worker', index: number, port: number): Member => {
    const name = `${kind}-${index}`;
    const env = {
      // bullmq unless the caller says otherwise (a bench's inline baseline).
      ...process.env, RETOUCH_QUEUE: 'bullmq', ...opts.env,
      ...(kind === 'api' ? { PORT: String(port) } : { RETOUCH_WORKER_PORT: String(port) }),
    };
    const child = spawn(process.execPath, [CLI, kind === 'api' ? 'serve' : 'worker'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const member: Member = {
      name, kind, url: `http://127.0.0.1:${port}`, process: child,
      exited: new Promise((resolve) => child.once('exit', (code, signal) => {
        if (!stopping.has(member)) opts.onExit?.(name, code, signal);
        resolve();
      })),
    };
    for (const stream of [child.stdout!, child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const line of lines) if (line) opts.onLine?.(name, line);
      });
    }
    members.push(member);
    return member;
  };
  const ready = async (m: Member) => {
    const end = Date.now() + (opts.readyTimeoutMs ?? 90_000);
    let exited = false;
    void m.exited.then(() => { exited = true; });
    for (;;) {
      if (exited) throw new Error(`${m.name} exited before it was ready`);
      const ok = await fetch(`${m.url}/ready`).then((r) => r.ok, () => false);
      if (ok) return m;
      if (Date.now() > end) throw new Error(`${m.name} was not ready at ${m.url}/ready in time`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async (graceMs = 30_000) => {
    for (const m of members) stopping.add(m);
    for (const m of members) if (m.process.exitCode === null && m.process.signalCode === null) m.process.kill('SIGTERM');
    const timer = setTimeout(() => { for (const m of members) m.process.kill('SIGKILL'); }, graceMs);
    await Promise.all(members.map((m) => m.exited));
    clearTimeout(timer);
  };
  try {
    const apis = opts.apiPorts.map((p, i) => launch('api', i + 1, p));
    const workers = opts.workerPorts.map((p, i) => launch('worker', i + 1, p));
    await Promise.all([...apis, ...workers].map(ready));
    let n = workers.length;
    return {
      apis,
      workers,
      addWorker: (port) => ready(launch('worker', ++n, port)),
      restart: (name) => {
        const old = members.find((m) => m.name === name);
        if (!old) return Promise.reject(new Error(`no member ${name}`));
        members.splice(members.indexOf(old), 1);
        const [kind, index] = [old.kind, Number(name.split('-').at(-1))];
        const fresh = launch(kind, index, Number(new URL(old.url).port));
        const list = kind === 'api' ? apis : workers;
        if (list.includes(old)) list[list.indexOf(old)] = fresh;
        return ready(fresh);
      },
      stop,
    };
  } catch (err) {
    await stop(5000);
    throw err;
  }
}

/** A free loopback port (asked of the OS, then released). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
