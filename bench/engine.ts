/**
 * Local-engine benchmark: each classical operation end to end over HTTP, against ImageMagick's
 * `convert` doing the same on the same file, and against sharp in-process (the floor); and the
 * background edit against the segmenter alone. Medians of 5 runs after a warm-up, all in one run.
 *
 *   npm run bench            (needs Debian's imagemagick: apt-get install imagemagick)
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import sharp, { type Sharp } from 'sharp';
import { createApp } from '../src/app.ts';
import { chooseSegmenter } from '../src/backends/local/segment/choose.ts';
import { EngineWorkers } from '../src/backends/local/worker-pool.ts';
import { loadConfig } from '../src/config/index.ts';
import { medianMs } from './stats.ts';

const run = promisify(execFile);
// The Debian binary by full path: a stand-in `convert` may come first on PATH.
const CONVERT = ['/usr/bin/convert-im6.q16', '/usr/bin/convert'].find((p) => existsSync(p));
const SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]] as const;

interface Op {
  name: string;
  prompt: string;
  im: (w: number, h: number) => string[];
  sharp: (s: Sharp, w: number, h: number) => Sharp;
}

const OPS: Op[] = [
  { name: 'black and white', prompt: 'make it black and white', im: () => ['-colorspace', 'Gray'], sharp: (s) => s.grayscale() },
  { name: 'rotate 90', prompt: 'rotate 90 degrees', im: () => ['-rotate', '90'], sharp: (s) => s.rotate(90) },
  { name: 'mirror', prompt: 'flip horizontally', im: () => ['-flop'], sharp: (s) => s.flop() },
  { name: 'resize 50%', prompt: 'scale to 50%', im: () => ['-resize', '50%'], sharp: (s, w) => s.resize(Math.round(w / 2)) },
  { name: 'crop square', prompt: 'crop to square', im: (w, h) => ['-gravity', 'center', '-crop', `${Math.min(w, h)}x${Math.min(w, h)}+0+0`, '+repage'], sharp: (s, w, h) => s.resize(Math.min(w, h), Math.min(w, h), { fit: 'cover' }) },
  { name: 'brighten 20%', prompt: 'increase the brightness by 20%', im: () => ['-evaluate', 'multiply', '1.2'], sharp: (s) => s.linear(1.2, 0) },
  { name: 'sepia', prompt: 'make it sepia', im: () => ['-sepia-tone', '80%'], sharp: (s) => s.recomb(SEPIA as never) },
  { name: 'blur', prompt: 'blur it', im: (w, h) => ['-blur', `0x${Math.max(2, Math.min(w, h) / 150).toFixed(1)}`], sharp: (s, w, h) => s.blur(Math.max(2, Math.min(w, h) / 150)) },
  { name: 'sharpen', prompt: 'sharpen it', im: () => ['-sharpen', '0x1.5'], sharp: (s) => s.sharpen({ sigma: 1.5 }) },
  { name: '20px border', prompt: 'add a 20px black border', im: () => ['-bordercolor', 'black', '-border', '20'], sharp: (s) => s.extend({ top: 20, bottom: 20, left: 20, right: 20, background: '#000' }) },
];

/** A photo-like test image: smooth gradients plus noise, saved as JPEG (what users upload). */
async function photo(w: number, h: number): Promise<Buffer> {
  const data = Buffer.alloc(w * h * 3);
  let seed = 7;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = (seed >> 16) % 24;
    const i = (y * w + x) * 3;
    data[i] = (x * 255) / w * 0.8 + n;
    data[i + 1] = (y * 255) / h * 0.7 + n;
    data[i + 2] = 120 + 60 * Math.sin(x / 90) + n;
  }
  return sharp(data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function main() {
  if (!CONVERT) throw new Error('ImageMagick is not installed: apt-get install imagemagick');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'retouch-bench-'));
  const config = loadConfig({ RETOUCH_DATA_DIR: dir, RETOUCH_LOG_LEVEL: 'silent' });
  const app = await createApp(config, { logger: pino({ level: 'silent' }) });
  const { secret } = await app.services.keys.create('bench');
  await app.server.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.server.address() as { port: number }).port}`;

  async function overHttp(image: Buffer, prompt: string, format = 'jpeg') {
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(image)], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('model', 'retouch-local-1');
    form.append('prompt', prompt);
    form.append('response_format', 'b64_json');
    form.append('output_format', format);
    const res = await fetch(`${base}/v1/images/edits`, { method: 'POST', body: form, headers: { authorization: `Bearer ${secret}` } });
    if (!res.ok) throw new Error(`${prompt}: ${res.status} ${await res.text()}`);
    await res.arrayBuffer();
  }

  const rows: string[] = [];
  const line = (cells: Array<string | number>) => rows.push(`| ${cells.join(' | ')} |`);
  line(['operation', 'size', 'Retouch over HTTP (ms)', 'sharp in-process (ms)', 'ImageMagick convert (ms)', 'HTTP ÷ sharp', 'convert ÷ HTTP']);
  line(['---', '---', '---:', '---:', '---:', '---:', '---:']);
  for (const [label, w, h] of [['1 MP', 1155, 866], ['12 MP', 4243, 2828]] as const) {
    const image = await photo(w, h);
    const input = path.join(dir, `in-${label.replace(' ', '')}.jpg`);
    await writeFile(input, image);
    for (const op of OPS) {
      const http = await medianMs(() => overHttp(image, op.prompt));
      const floor = await medianMs(() => op.sharp(sharp(image).rotate(), w, h).jpeg({ quality: 90 }).toBuffer());
      const im = await medianMs(() => run(CONVERT, [input, ...op.im(w, h), '-quality', '90', path.join(dir, 'out.jpg')]));
      line([op.name, label, http.toFixed(0), floor.toFixed(0), im.toFixed(0), (http / floor).toFixed(2), (im / http).toFixed(2)]);
      process.stdout.write(`${rows.at(-1)}\n`);
    }
  }

  // The background edit against the segmenter alone, at 1 MP.
  const workers = new EngineWorkers();
  const segmenter = chooseSegmenter(config.local.segmenter, config.local.segmentationModel, workers);
  const image = await photo(1155, 866);
  const raw = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  const seg = await medianMs(() => segmenter.segment({ data: raw.data, width: raw.info.width, height: raw.info.height, channels: 3 }, new AbortController().signal));
  const bg = await medianMs(() => overHttp(image, 'remove the background', 'png'));
  const bgRow = `| remove background (${segmenter.name}) | 1 MP | ${bg.toFixed(0)} | segmenter alone: ${seg.toFixed(0)} | – | ${(bg / seg).toFixed(2)} | – |`;
  rows.push(bgRow);
  process.stdout.write(`${bgRow}\n`);
  await workers.close();
  await app.close();
  await rm(dir, { recursive: true, force: true });

  const env = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${(await run(CONVERT, ['-version'])).stdout.split('\n')[0]}`;
  const doc = await readFile('docs/performance.md', 'utf8').catch(() => '');
  const section = `<!-- engine:start -->\n## Local engine\n\nCommand: \`npm run bench\` (run on ${new Date().toISOString().slice(0, 10)}; ${env}).\nMedians of 5 runs after a warm-up, JPEG in and out (quality 90). "Retouch over HTTP" is a full\nrequest: multipart upload, decode, edit, encode, base64 answer. "sharp in-process" is the same\noperation as one sharp pipeline in the same process (the floor). ImageMagick's time includes\nstarting its process.\n\n${rows.join('\n')}\n<!-- engine:end -->`;
  const next = doc.includes('<!-- engine:start -->')
    ? doc.replace(/<!-- engine:start -->[\s\S]*<!-- engine:end -->/, section)
    : `# Performance\n\nFigures measured on this project's machine by the commands shown. Timing thresholds are never part of \`npm test\`.\n\n${section}\n`;
  await writeFile('docs/performance.md', next);
  process.stdout.write('\nwrote docs/performance.md\n');
}

await main();
