/**
 * Cold start: `npm start` on a fresh data directory to /health answering, to the first edit, and to
 * the first background edit (which loads the segmentation model on first use).
 *
 *   npm run bench -- cold-start
 */
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { BENCH_KEY, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRaw } from './lib/server.ts';
import { median } from './lib/stats.ts';
import { workerStartBench } from './worker-start.ts';

const RUNS = 3;

export async function coldStartBench() {
  const image = await photo(1155, 866);
  const bw = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt: 'make it black and white', response_format: 'b64_json' }));
  const bg = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt: 'remove the background', response_format: 'b64_json', output_format: 'png' }));
  const runs: Array<{ health: number; edit: number; background: number; segmenter: string; healthMax: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const server = await spawnRetouch({}, [], true);
    const url = `${server.base}/v1/images/edits`;
    await postRaw(url, BENCH_KEY, bw);
    const edited = performance.now();
    // /health probed all along the background edit: the model loads and runs in a worker thread.
    let done = 0;
    const probes: number[] = [];
    const probing = (async () => {
      while (!done) {
        const t = performance.now();
        await fetch(`${server.base}/health`).then((r) => r.arrayBuffer());
        probes.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const res = await fetch(url, { method: 'POST', body: new Uint8Array(bg.body), headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': bg.type } });
    if (!res.ok) throw new Error(`background edit: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
    done = performance.now();
    await probing;
    runs.push({ health: server.healthyAt - server.startedAt, edit: edited - server.startedAt, background: done - edited, segmenter: res.headers.get('x-retouch-segmenter') ?? '?', healthMax: Math.max(...probes) });
    process.stdout.write(`run ${i + 1}: health ${runs.at(-1)!.health.toFixed(0)} ms, first edit ${runs.at(-1)!.edit.toFixed(0)} ms, first background edit +${runs.at(-1)!.background.toFixed(0)} ms (${runs.at(-1)!.segmenter}), /health during it at most ${runs.at(-1)!.healthMax.toFixed(0)} ms\n`);
    await server.stop();
  }
  const m = (k: 'health' | 'edit' | 'background' | 'healthMax') => median(runs.map((r) => r[k])).toFixed(0);
  await writeSection('cold-start', `## Cold start

Command: \`npm run bench -- cold-start\` (run on ${today()}; ${machine()}).
\`npm start\` on a fresh data directory (new SQLite file), ${RUNS} times; medians. The segmentation model
loads on the first edit that needs it, so neither /health nor the first plain edit waits for it.
Targets: /health green within 2 s; /health under 50 ms while a background edit runs.

${table(['from `npm start` to', 'median (ms)'], [
    ['/health answers 200', m('health')],
    ['first edit done (1 MP black and white)', m('edit')],
    [`then the first background edit done (${runs[0]!.segmenter}, model loaded on first use)`, `+${m('background')}`],
    ['slowest /health answer during that background edit', m('healthMax')],
  ], ['l', 'r'])}`);
  await workerStartBench();
}
