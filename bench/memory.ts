/**
 * Memory of background edits (issue 14): the resident memory of `retouch serve`, in its own
 * process, sampled every 25 ms. Cold: the first "remove the background" after start-up (the model
 * loads); warm: the next one; then a steady mixed load (background edits among recolours, tone and
 * geometry edits, several clients at once). Targets: peak of one background edit < 1 GiB (aim
 * 700 MiB), steady mixed load < 1 GiB.
 *
 *   npm run bench -- memory          (MEMORY_LOAD_SECONDS=60 by default)
 */
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { BENCH_KEY, rssOf, rssSampler, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRawStatus } from './lib/server.ts';
import { percentile } from './lib/stats.ts';

const MIB = 2 ** 20;
const mib = (bytes: number) => (bytes / MIB).toFixed(0);
const LOAD_SECONDS = Number(process.env.MEMORY_LOAD_SECONDS ?? 60);
const CLIENTS = 4;

export async function memoryBench() {
  const [w, h] = [4000, 3000];
  const image = await photo(w, h);
  const small = await photo(1600, 1200);
  const form = (img: Buffer, prompt: string, extra: Record<string, string> = {}) =>
    multipartBody(editForm(img, { model: 'retouch-local-1', prompt, response_format: 'b64_json', ...extra }));
  const background = await form(image, 'remove the background', { output_format: 'png' });
  const mixed = [
    background,
    await form(small, 'replace the background with white'),
    await form(image, 'make it black and white'),
    await form(small, 'rotate it 90 degrees'),
    await form(small, 'blur the background'),
    await form(image, 'make it warmer and increase the contrast'),
  ];

  const server = await spawnRetouch();
  const url = `${server.base}/v1/images/edits`;
  const sampler = rssSampler(server.pid);
  const edit = async (body: { body: Buffer; type: string }) => {
    const res = await postRawStatus(url, BENCH_KEY, body);
    if (res.status !== 200) throw new Error(`${res.status} ${res.body.toString().slice(0, 200)}`);
  };
  try {
    await new Promise((r) => setTimeout(r, 500));
    const idle = rssOf(server.pid);
    sampler.reset();
    await edit(background);
    const cold = sampler.peak();
    await new Promise((r) => setTimeout(r, 1000));
    const afterCold = rssOf(server.pid);
    sampler.reset();
    await edit(background);
    const warm = sampler.peak();
    await new Promise((r) => setTimeout(r, 1000));
    const afterWarm = rssOf(server.pid);
    process.stdout.write(`idle ${mib(idle)} MiB; cold background edit peak ${mib(cold)} MiB (then ${mib(afterCold)}); warm peak ${mib(warm)} MiB (then ${mib(afterWarm)})\n`);

    // Steady mixed load: CLIENTS clients in a loop, each picking the next edit of the mix.
    sampler.reset();
    const samples: number[] = [];
    const sampling = setInterval(() => samples.push(rssOf(server.pid)), 250);
    const until = performance.now() + LOAD_SECONDS * 1000;
    let n = 0;
    let done = 0;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        await edit(mixed[n++ % mixed.length]!);
        done++;
      }
    }));
    clearInterval(sampling);
    const load = { peak: sampler.peak(), p50: percentile(samples, 50), p95: percentile(samples, 95) };
    process.stdout.write(`mixed load, ${CLIENTS} clients, ${LOAD_SECONDS} s, ${done} edits: peak ${mib(load.peak)} MiB, median ${mib(load.p50)}, p95 ${mib(load.p95)}\n`);
    const verdict = (bytes: number, target: number) => (bytes < target ? 'yes' : '**no**');

    await writeSection('memory', `## Memory of background edits

Command: \`npm run bench -- memory\` (run on ${today()}; ${machine()}; segmenter ${process.env.RETOUCH_SEGMENTER ?? 'auto'} at side ${process.env.RETOUCH_SEGMENT_SIDE ?? '640 (default)'}; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2 (as npm start sets it)'}).
Resident memory (RSS) of \`retouch serve\` in its own process, sampled every 25 ms. The image is a
${w}x${h} (${((w * h) / 1e6).toFixed(0)} MP) JPEG photo, "remove the background" to PNG, answered as b64_json. The mixed load is
${CLIENTS} clients for ${LOAD_SECONDS} s cycling through: that background removal, a white background and a blurred
background at 2 MP, black and white and warmer+contrast at 12 MP, a rotation at 2 MP (${done} edits).
Targets (issue 14): one background edit under 1 GiB (aim 700 MiB); a steady mixed load under 1 GiB.

${table(['', 'RSS (MiB)', 'under target'], [
      ['idle, after start-up', mib(idle), ''],
      ['cold background edit (model loads), peak', mib(cold), verdict(cold, 1024 * MIB)],
      ['resident after it', mib(afterCold), ''],
      ['warm background edit, peak', mib(warm), verdict(warm, 1024 * MIB)],
      ['resident after it', mib(afterWarm), ''],
      ['mixed load, peak', mib(load.peak), verdict(load.peak, 1024 * MIB)],
      ['mixed load, median / p95', `${mib(load.p50)} / ${mib(load.p95)}`, ''],
    ], ['l', 'r', 'l'])}`);
  } finally {
    sampler.stop();
    await server.stop();
  }
}
