/**
 * Throughput and fairness: 1 MP black-and-white edits at concurrency 1–16 with autocannon (a real
 * multipart body), against `retouch serve` in its own process. Requests/s, p50/p99 latency, and
 * the server's peak resident memory at each level.
 *
 *   npm run bench -- throughput
 */
import autocannon from 'autocannon';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { BENCH_KEY, rssSampler, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody } from './lib/server.ts';

const LEVELS = [1, 2, 4, 8, 16];
const SECONDS = 10;

export async function throughputBench() {
  const server = await spawnRetouch();
  const memory = rssSampler(server.pid);
  const body = await multipartBody(editForm(await photo(1155, 866), {
    model: 'retouch-local-1', prompt: 'make it black and white', response_format: 'b64_json', output_format: 'jpeg',
  }));
  const load = (connections: number, duration: number) => autocannon({
    url: `${server.base}/v1/images/edits`, method: 'POST', connections, duration,
    headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': body.type }, body: body.body,
  });
  await load(2, 3); // warm-up: JIT, sharp's first pipelines, SQLite pages
  const results = [];
  for (const c of LEVELS) {
    memory.reset();
    const r = await load(c, SECONDS);
    results.push({ c, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r['2xx'], failed: r.non2xx + r.errors + r.timeouts, rss: memory.peak() });
    process.stdout.write(`c=${c}: ${r.requests.average} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.non2xx + r.errors} failed, peak RSS ${(memory.peak() / 2 ** 20).toFixed(0)} MiB\n`);
  }
  memory.stop();
  await server.stop();

  const best = Math.max(...results.map((r) => r.rps));
  const one = results[0]!.rps;
  // Ideal queueing: c clients served at the best rate each wait c / rate.
  const rows = results.map((r) => {
    const ideal = (r.c / best) * 1000;
    return [r.c, r.rps.toFixed(1), (r.rps / one).toFixed(2), r.p50, r.p99, ideal.toFixed(0), (r.p99 / ideal).toFixed(2), r.ok, r.failed, (r.rss / 2 ** 20).toFixed(0)];
  });
  await writeSection('throughput', `## Throughput and fairness

Command: \`npm run bench -- throughput\` (run on ${today()}; ${machine()}).
\`retouch serve\` in its own process with default settings; autocannon posts the same 1 MP JPEG
black-and-white edit (multipart, \`b64_json\`) from ${SECONDS}-second runs at each concurrency, after a
warm-up. "ideal" is c ÷ best throughput: the wait of a client in a fair queue at full speed.
Targets: c=2 at least 1.7× the throughput of c=1; at c=16, p99 at most 1.5× ideal; peak RSS ≤ 600 MB.

${table(['concurrency', 'req/s', '× c=1', 'p50 (ms)', 'p99 (ms)', 'ideal (ms)', 'p99 ÷ ideal', 'ok', 'failed', 'peak RSS (MiB)'], rows, ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}`);
}
