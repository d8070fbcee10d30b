// ONNX segmentation in a worker thread. onnxruntime-node's run() returns a Promise but computes
// synchronously on the calling thread (microsoft/onnxruntime#19611): on the event loop it stalled
// /health for ~1.5 s per image. The per-pixel pre- and post-processing runs here too. Plain JS so
// the worker needs no TypeScript loader.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);

/** @type {Map<string, Promise<any>>} one session per model, created on first use and kept */
const sessions = new Map();

/**
 * Session options, measured with IS-Net fp32 at 1024² (docs/performance.md, memory):
 * - no CPU memory arena: with it, onnxruntime kept growing its arena across runs (RSS 1.5 GB after
 *   one inference, 2.3 GB after two);
 * - no memory pattern: the pattern plans one block for every intermediate tensor of a run; without
 *   it tensors are freed as soon as their consumers are done (run peak −200 MiB);
 * - 'extended' graph optimisation, not 'all': 'all' adds the NCHWc layout transform, which packs a
 *   second, blocked copy of every convolution's weights (loaded session 530 → 175 MiB).
 */
const SESSION_OPTIONS = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'extended',
  enableCpuMemArena: false,
  enableMemPattern: false,
  executionMode: 'sequential',
};

/**
 * The model as one file onnxruntime can read itself. A model split into chunks (as the IS-Net
 * package ships it) is joined once into a cache file; reading it from a path keeps the 88 MB
 * model, and its chunks, out of JS buffers (loading peaked ~150 MiB higher from a buffer).
 */
async function modelFile(files) {
  if (files.length === 1) return files[0];
  const key = createHash('sha256').update(files.join('\n')).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), 'retouch-models');
  const file = path.join(dir, `${key}.onnx`);
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size)));
  const expected = sizes.reduce((a, b) => a + b, 0);
  if ((await stat(file).catch(() => null))?.size === expected) return file;
  await mkdir(dir, { recursive: true });
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    const out = createWriteStream(partial);
    for (const f of files) await pipeline(createReadStream(f), out, { end: false });
    await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return file;
}

function sessionFor(files) {
  const key = files.join('\n');
  if (!sessions.has(key)) {
    sessions.set(key, (async () => {
      const ort = require('onnxruntime-node');
      return ort.InferenceSession.create(await modelFile(files), SESSION_OPTIONS);
    })());
  }
  return sessions.get(key);
}

/**
 * IS-Net's interface: input float32 [1,3,side,side], planar RGB, (v − 128) / 256; output
 * [1,1,side,side] in 0–1.
 * @param {{ files: string[], rgb: Uint8Array, side: number }} task the model's files (concatenated), RGB pixels side×side
 * @returns {Promise<Uint8Array>} one byte per pixel, 0–255
 */
export async function segment({ files, rgb, side }) {
  const ort = require('onnxruntime-node');
  const session = await sessionFor(files);
  const plane = side * side;
  const input = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    input[i] = (rgb[i * 3] - 128) / 256;
    input[plane + i] = (rgb[i * 3 + 1] - 128) / 256;
    input[2 * plane + i] = (rgb[i * 3 + 2] - 128) / 256;
  }
  // Only the mask: IS-Net also returns five side outputs and six feature maps (the largest
  // [1,64,512,512], 64 MB), which onnxruntime would keep to the end of the run and then copy into
  // JS; asking for the first output alone lets it free them as it goes (resident after a run
  // 570–700 → 190 MiB, measured).
  const wanted = session.outputNames[0];
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, side, side]) }, [wanted]);
  const prob = out[wanted].data;
  const bytes = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(prob[i] * 255)));
  return bytes;
}
