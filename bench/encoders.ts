/**
 * The encoder settings Retouch uses, against sharp's defaults: time and size of JPEG with and without
 * Huffman optimisation, and WebP at effort 0, 2 (Retouch) and 4 (sharp's default), plus the memory a
 * 48 MP JPEG encode holds either way.
 *
 *   npm run bench -- encoders
 */
import { spawnSync } from 'node:child_process';
import sharp, { type Sharp } from 'sharp';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { interleavedMs } from './lib/stats.ts';

const SETTINGS: Array<[string, (s: Sharp) => Sharp]> = [
  ['JPEG q90, optimised Huffman (sharp default)', (s) => s.jpeg({ quality: 90 })],
  ['JPEG q90, standard Huffman (Retouch)', (s) => s.jpeg({ quality: 90, optimiseCoding: false })],
  ['WebP q90, effort 4 (sharp default)', (s) => s.webp({ quality: 90, effort: 4 })],
  ['WebP q90, effort 2 (Retouch)', (s) => s.webp({ quality: 90, effort: 2 })],
  ['WebP q90, effort 0', (s) => s.webp({ quality: 90, effort: 0 })],
];

/** Peak extra memory of one 48 MP JPEG re-encode, in a fresh process so nothing else is counted. */
function encodePeakMiB(optimise: boolean): number {
  const script = `
    import sharp from 'sharp';
    const w = 8000, h = 6000, raw = Buffer.alloc(w * h * 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7919 + (i >> 13)) & 255;
    const input = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95, optimiseCoding: false }).toBuffer();
    await new Promise((r) => setTimeout(r, 200));
    const before = process.memoryUsage.rss();
    let peak = before;
    const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 5);
    await sharp(input).jpeg({ quality: 90, optimiseCoding: ${optimise} }).toBuffer();
    clearInterval(t);
    console.log(Math.round((peak - before) / 2 ** 20));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.stdout.trim());
}

export async function encodersBench() {
  const rows: Array<Array<string | number>> = [];
  for (const [label, w, h] of [['1 MP', 1155, 866], ['12 MP', 4243, 2828]] as const) {
    const image = await photo(w, h);
    const t = await interleavedMs(Object.fromEntries(SETTINGS.map(([name, enc]) => [name, () => enc(sharp(image)).toBuffer()])));
    for (const [name, enc] of SETTINGS) {
      const size = (await enc(sharp(image)).toBuffer()).length;
      rows.push([name, label, t[name]!.toFixed(0), (size / 1024).toFixed(0)]);
    }
  }
  const peaks = [encodePeakMiB(true), encodePeakMiB(false)];
  process.stdout.write(`${rows.map((r) => r.join(' | ')).join('\n')}\n48 MP JPEG encode peak: optimised ${peaks[0]} MiB, standard ${peaks[1]} MiB\n`);
  await writeSection('encoders', `## Encoder settings

Command: \`npm run bench -- encoders\` (run on ${today()}; ${machine()}).
Re-encoding the benchmark photo (JPEG q90 in), medians of 7 runs in turns. Retouch writes JPEG without
Huffman optimisation and WebP at effort 2: optimisation makes libjpeg hold every DCT coefficient of
the image before writing (a 48 MP re-encode holds ${peaks[0]} MiB more at its peak with it, ${peaks[1]} MiB without), and
both defaults cost about twice the time for files a few percent smaller.

${table(['encoder', 'size', 'time (ms)', 'file (KiB)'], rows, ['l', 'l', 'r', 'r'])}`);
}
