import path from 'node:path';
import type { Command } from 'commander';
import { readUserFile, writeUserFile } from './file-errors.ts';

/** Where a remote command goes: `--server` / `--key`, or RETOUCH_SERVER / RETOUCH_KEY. */
interface Remote {
  server: string;
  key: string;
}

interface Job {
  id: string;
  status: string;
  data?: Array<{ url?: string; b64_json?: string }>;
  error?: { message: string; code: string | null };
}

export function remoteOf(opts: { server?: string; key?: string }): Remote {
  const server = (opts.server ?? process.env.RETOUCH_SERVER ?? '').replace(/\/+$/, '');
  const key = opts.key ?? process.env.RETOUCH_KEY ?? '';
  if (!server || !key) {
    process.stderr.write('Give the server and an API key: --server URL --key sk-… (or RETOUCH_SERVER and RETOUCH_KEY).\n');
    process.exit(2);
  }
  return { server, key };
}

async function call(remote: Remote, method: string, url: string, init: { headers?: Record<string, string>; body?: FormData } = {}): Promise<Job> {
  const res = await fetch(`${remote.server}${url}`, { method, headers: { authorization: `Bearer ${remote.key}`, ...init.headers }, ...(init.body ? { body: init.body } : {}) });
  const json = await res.json().catch(() => ({})) as Job & { error?: { message: string } };
  if (!res.ok && res.status !== 202) throw new Error(json.error?.message ?? `the server answered ${res.status}`);
  return json;
}

/** A spinner with the job's status and time, on stderr when it is a terminal (nothing in a pipe). */
function spinner(label: () => string): () => void {
  if (!process.stderr.isTTY) return () => {};
  const frames = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏';
  const started = Date.now();
  let i = 0;
  const timer = setInterval(() => {
    process.stderr.write(`\r${frames[i++ % frames.length]} ${label()} ${Math.round((Date.now() - started) / 1000)}s `);
  }, 100);
  return () => { clearInterval(timer); process.stderr.write('\r\x1b[K'); };
}

/** Waits for a job to end with `Prefer: wait` (30 s at a time), showing progress. */
export async function waitJob(remote: Remote, id: string): Promise<Job> {
  let job: Job = { id, status: 'queued' };
  const stop = spinner(() => `${id} ${job.status}`);
  try {
    do job = await call(remote, 'GET', `/v1/images/edits/${id}`, { headers: { prefer: 'wait=30' } });
    while (job.status === 'queued' || job.status === 'running');
  } finally {
    stop();
  }
  return job;
}

/** Prints a job as JSON, and sets a failing exit code when it did not succeed. */
function printJob(job: Job) {
  process.stdout.write(`${JSON.stringify(job, null, 2)}\n`);
  if (job.status === 'failed' || job.status === 'canceled') process.exitCode = 1;
}

/** `retouch edit --server URL`: the edit on a server, as an async job (printed with --async, else waited for). */
export async function remoteEdit(input: string, prompt: string, opts: { server?: string; key?: string; model?: string; size?: string; async?: boolean; output?: string }) {
  const remote = remoteOf(opts);
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(await readUserFile(input))]), path.basename(input));
  form.append('prompt', prompt);
  form.append('model', opts.model ?? 'retouch-local-1');
  const out = opts.output ?? input.replace(/(\.[^./]+)?$/, '.edited.webp');
  form.append('output_format', path.extname(out).slice(1).toLowerCase() || 'webp');
  if (opts.size) form.append('size', opts.size);
  const submitted = await call(remote, 'POST', '/v1/images/edits', { headers: { prefer: 'respond-async' }, body: form });
  if (opts.async) return void process.stdout.write(`${submitted.id}\n`);
  const job = await waitJob(remote, submitted.id);
  if (job.status !== 'succeeded') return printJob(job);
  const url = job.data?.[0]?.url;
  if (!url) throw new Error('the job succeeded without an image URL');
  await writeUserFile(out, Buffer.from(await (await fetch(url)).arrayBuffer()));
  process.stderr.write(`wrote ${out}\n`);
}

export function jobsCommands(program: Command) {
  const jobs = program.command('jobs').description('Async jobs on a server: get, wait for or cancel one by id');
  const remoteOptions = (c: Command) => c.option('--server <url>', 'the Retouch server (or RETOUCH_SERVER)').option('--key <key>', 'an API key (or RETOUCH_KEY)');
  const run = (f: () => Promise<void>) => f().catch((err: Error) => { process.stderr.write(`${err.message}\n`); process.exitCode = 1; });
  remoteOptions(jobs.command('get').description('Print a job').argument('<id>'))
    .action((id: string, opts) => run(async () => printJob(await call(remoteOf(opts), 'GET', `/v1/images/edits/${id}`))));
  remoteOptions(jobs.command('wait').description('Wait for a job to end (with a spinner), then print it').argument('<id>'))
    .action((id: string, opts) => run(async () => printJob(await waitJob(remoteOf(opts), id))));
  remoteOptions(jobs.command('cancel').description('Cancel a job that has not ended, then print it').argument('<id>'))
    .action((id: string, opts) => run(async () => printJob(await call(remoteOf(opts), 'DELETE', `/v1/images/edits/${id}`))));
}
