/**
 * Large uploads: 16 clients each post a ~40 MB, 48 MP image at once to `retouch serve`; the server's
 * peak resident memory, and how every request ended.
 *
 *   npm run bench -- uploads
 */
import sharp from 'sharp';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { BENCH_KEY, rssSampler, spawnRetouch } from './lib/process.ts';
import { editForm, multipartBody, postRawStatus } from './lib/server.ts';

const CLIENTS = 16;

/** An 8000x6000 photo-like JPEG of about 40 MB: fine noise over gradients, quality 95. */
async function bigPhoto(): Promise<Buffer> {
  const w = 8000, h = 6000;
  const data = Buffer.alloc(w * h * 3);
  let seed = 11;
  for (let i = 0; i < data.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    data[i] = ((i % (w * 3)) / (w * 3)) * 160 + ((seed >> 16) % 32);
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).toBuffer();
}

/** One burst of CLIENTS uploads against a fresh server: its peak memory and how each request ended. */
async function burst(body: { body: Buffer; type: string }) {
  const server = await spawnRetouch();
  const memory = rssSampler(server.pid);
  memory.reset();
  const idle = memory.peak();
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: CLIENTS }, async () => {
    const t = performance.now();
    const { status, body: answer } = await postRawStatus(`${server.base}/v1/images/edits`, BENCH_KEY, body);
    return { status, ms: performance.now() - t, code: status === 200 ? '' : (JSON.parse(answer.toString('utf8')).error?.code as string) };
  }));
  const wall = performance.now() - started;
  memory.stop();
  await server.stop();
  const answers = new Map<string, number>();
  for (const o of outcomes) answers.set(`${o.status}${o.code ? ` ${o.code}` : ''}`, (answers.get(`${o.status}${o.code ? ` ${o.code}` : ''}`) ?? 0) + 1);
  const ok = outcomes.filter((o) => o.status === 200).map((o) => o.ms).sort((a, b) => a - b);
  return { idle, peak: memory.peak(), wall, answers: [...answers].map(([k, v]) => `${v}× ${k}`).join(', '), ok };
}

export async function uploadsBench() {
  const image = await bigPhoto();
  const rows: Array<Array<string | number>> = [];
  for (const format of ['jpeg', 'webp']) {
    const body = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt: 'make it black and white', output_format: format }));
    const r = await burst(body);
    const mib = (n: number) => (n / 2 ** 20).toFixed(0);
    const s = (ms: number | undefined) => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
    rows.push([format === 'webp' ? 'WebP (the default)' : 'JPEG', mib(r.idle), mib(r.peak), r.answers, `${s(r.ok[0])} / ${s(r.ok[Math.floor(r.ok.length / 2)])} / ${s(r.ok.at(-1))}`, s(r.wall)]);
    process.stdout.write(`${format}: peak RSS ${mib(r.peak)} MiB; ${r.answers}; wall ${s(r.wall)} s\n`);
  }
  await writeSection('uploads', `## Large uploads

Command: \`npm run bench -- uploads\` (run on ${today()}; ${machine()}).
${CLIENTS} clients post the same ${(image.length / 2 ** 20).toFixed(1)} MiB, 48 MP (8000x6000) JPEG at once to a fresh
\`retouch serve\` with default settings (black and white, \`url\` answer), once asking for JPEG and once
for WebP. Target: peak RSS ≤ 1 GB; no request fails except with a documented 429 (here: the
${'`'}RETOUCH_UPLOAD_MEMORY_MB${'`'} bound on bodies held at once, retried by OpenAI's SDKs on their own).

${table(['output', 'RSS idle (MiB)', 'peak RSS (MiB)', 'answers', 'first / median / last 200 (s)', 'all done (s)'], rows, ['l', 'r', 'r', 'l', 'r', 'r'])}`);
}
