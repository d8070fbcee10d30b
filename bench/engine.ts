/**
 * Local-engine benchmark: each classical operation end to end over HTTP, against ImageMagick's
 * `convert` doing the same on the same file, and against sharp in-process (the floor); and the
 * background edit against the segmenter alone. All in one run, contenders taking turns.
 *
 *   npm run bench -- engine      (needs Debian's imagemagick: apt-get install imagemagick)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { LocalBackend } from '../src/backends/local/index.ts';
import { chooseSegmenter } from '../src/backends/local/segment/choose.ts';
import { LUMA_MATRIX } from '../src/backends/local/steps/color-matrix.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { loadConfig } from '../src/config/index.ts';
import { buildEditRequest } from '../src/edits/build.ts';
import { parseScalarFields } from '../src/edits/request.ts';
import { machine, table, today, writeSection } from './lib/doc.ts';
import { photo } from './lib/images.ts';
import { editForm, multipartBody, postRaw, startRetouch } from './lib/server.ts';
import { interleavedMs, medianMs } from './lib/stats.ts';

const run = promisify(execFile);
// The Debian binary by full path: a stand-in `convert` may come first on PATH.
const CONVERT = ['/usr/bin/convert-im6.q16', '/usr/bin/convert'].find((p) => existsSync(p));
/**
 * JPEG out as Retouch writes it (quality 90, no Huffman optimisation: see src/images/encode.ts), told
 * to every contender so all three do the same work.
 */
const JPEG = { quality: 90, optimiseCoding: false } as const;
const IM_JPEG = ['-quality', '90', '-define', 'jpeg:optimize-coding=false'];
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]] as const;

interface Op {
  name: string;
  prompt: string;
  im: (w: number, h: number) => string[];
  sharp: (s: Sharp, w: number, h: number) => Sharp;
}

const OPS: Op[] = [
  // Rec. 709 luma on the sRGB values, kept as RGB: what Retouch and ImageMagick's Gray both compute
  // (sharp's grayscale() is another formula, luminance in linear light, and one band).
  { name: 'black and white', prompt: 'make it black and white', im: () => ['-colorspace', 'Gray'], sharp: (s) => s.recomb(LUMA_MATRIX) },
  { name: 'rotate 90', prompt: 'rotate 90 degrees', im: () => ['-rotate', '90'], sharp: (s) => s.rotate(90) },
  { name: 'mirror', prompt: 'flip horizontally', im: () => ['-flop'], sharp: (s) => s.flop() },
  { name: 'resize 50%', prompt: 'scale to 50%', im: () => ['-resize', '50%'], sharp: (s, w) => s.resize(Math.round(w / 2)) },
  { name: 'crop square', prompt: 'crop to square', im: (w, h) => ['-gravity', 'center', '-crop', `${Math.min(w, h)}x${Math.min(w, h)}+0+0`, '+repage'], sharp: (s, w, h) => s.extract({ left: Math.floor((w - Math.min(w, h)) / 2), top: Math.floor((h - Math.min(w, h)) / 2), width: Math.min(w, h), height: Math.min(w, h) }) },
  { name: 'brighten 20%', prompt: 'increase the brightness by 20%', im: () => ['-evaluate', 'multiply', '1.2'], sharp: (s) => s.linear(1.2, 0) },
  { name: 'sepia', prompt: 'make it sepia', im: () => ['-sepia-tone', '80%'], sharp: (s) => s.recomb(SEPIA as never) },
  { name: 'blur', prompt: 'blur it', im: (w, h) => ['-blur', `0x${Math.max(2, Math.min(w, h) / 150).toFixed(1)}`], sharp: (s, w, h) => s.blur(Math.max(2, Math.min(w, h) / 150)) },
  { name: 'sharpen', prompt: 'sharpen it', im: () => ['-sharpen', '0x1.5'], sharp: (s) => s.sharpen({ sigma: 1.5 }) },
  { name: '20px border', prompt: 'add a 20px black border', im: () => ['-bordercolor', 'black', '-border', '20'], sharp: (s) => s.extend({ top: 20, bottom: 20, left: 20, right: 20, background: '#000' }) },
];

export async function engineBench() {
  if (!CONVERT) throw new Error('ImageMagick is not installed: apt-get install imagemagick');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bench-'));
  const retouch = await startRetouch();
  const url = `${retouch.base}/v1/images/edits`;
  const request = async (image: Buffer, prompt: string, format = 'jpeg') => {
    const body = await multipartBody(editForm(image, { model: 'retouch-local-1', prompt, response_format: 'b64_json', output_format: format }));
    return () => postRaw(url, retouch.secret, body);
  };

  // The engine alone, in this process: the same request object the HTTP route builds, no transport.
  const limits = loadConfig({}).limits;
  const local = new LocalBackend(limits.maxInputPixels);
  const inProcess = (image: Buffer, prompt: string) => {
    const scalars = parseScalarFields({ model: 'retouch-local-1', prompt, output_format: 'jpeg' }, limits.maxPromptChars);
    return async () => local.edit(await buildEditRequest({ fields: {}, images: [image], mask: undefined }, scalars, limits),
      { model: 'retouch-local-1', signal: new AbortController().signal });
  };

  const rows: Array<Array<string | number>> = [];
  for (const [label, w, h] of [['1 MP', 1155, 866], ['12 MP', 4243, 2828]] as const) {
    const image = await photo(w, h);
    const input = path.join(dir, `in-${label.replace(' ', '')}.jpg`);
    await writeFile(input, image);
    for (const op of OPS) {
      // More runs for the small image: its times are short enough for noise to move the median.
      const t = await interleavedMs({
        http: await request(image, op.prompt),
        engine: inProcess(image, op.prompt),
        floor: () => op.sharp(sharp(image).autoOrient(), w, h).jpeg(JPEG).toBuffer(),
        im: () => run(CONVERT, [input, ...op.im(w, h), ...IM_JPEG, path.join(dir, 'out.jpg')]),
      }, label === '1 MP' ? 15 : 7);
      rows.push([op.name, label, t.http.toFixed(0), t.engine.toFixed(0), t.floor.toFixed(0), t.im.toFixed(0), (t.http / t.floor).toFixed(2), (t.engine / t.floor).toFixed(2), (t.im / t.http).toFixed(2)]);
      process.stdout.write(`${op.name} ${label}: ${rows.at(-1)!.slice(2).join(' ')}\n`);
    }
  }

  // The background edit against the segmenter alone, at 1 MP.
  const config = loadConfig({});
  const workers = new EngineWorkers();
  const segmenter = chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers);
  const image = await photo(1155, 866);
  const raw = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const seg = await medianMs(() => segmenter.segment({ data: raw.data, width: raw.info.width, height: raw.info.height, channels: 3 }, new AbortController().signal));
  const bg = await medianMs(await request(image, 'remove the background', 'png'));
  rows.push([`remove background (${segmenter.name})`, '1 MP', bg.toFixed(0), '–', `segmenter alone: ${seg.toFixed(0)}`, '–', (bg / seg).toFixed(2), '–', '–']);
  process.stdout.write(`background: ${bg.toFixed(0)} vs segmenter ${seg.toFixed(0)}\n`);
  await workers.close();
  await local.close();
  await retouch.close();
  await rm(dir, { recursive: true, force: true });

  const imVersion = (await run(CONVERT, ['-version'])).stdout.split('\n')[0]!.replace(/^Version: /, '');
  await writeSection('engine', `## Local engine

Command: \`npm run bench -- engine\` (run on ${today()}; ${machine()}, ${imVersion}).
Medians of 15 runs (1 MP) or 7 (12 MP) after a warm-up, the three contenders taking turns. JPEG in and out (quality 90,
no Huffman optimisation, for all three).
"Retouch over HTTP" is a full request from a node:http client with the multipart body built
beforehand (as curl sends a file): upload, parse, decode, edit, encode, base64 answer.
"Retouch engine in-process" is the local backend called directly with the request the HTTP route
would build (prompt parsing, header probe, engine, encode; no transport). "sharp in-process" is the
same operation as one sharp pipeline in the same process (the floor).
ImageMagick's time includes starting its process.

${table(['operation', 'size', 'Retouch over HTTP (ms)', 'Retouch engine in-process (ms)', 'sharp in-process (ms)', 'ImageMagick convert (ms)', 'HTTP ÷ sharp', 'engine ÷ sharp', 'convert ÷ HTTP'], rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'])}`);
}

