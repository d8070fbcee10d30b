// ONNX segmentation in a worker thread. onnxruntime-node's run() returns a Promise but computes
// synchronously on the calling thread (microsoft/onnxruntime#19611): on the event loop it stalled
// /health for ~1.5 s per image. The per-pixel pre- and post-processing runs here too. Plain JS so
// the worker needs no TypeScript loader.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { retargetSide } from './onnx-side.mjs';

const require = createRequire(import.meta.url);

/** @type {Map<string, Promise<{ session: any, side: number }>>} one session per model and side, created on first use and kept */
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
async function joinedFile(files) {
  if (files.length === 1) return files[0];
  const file = await cacheFile(files, '');
  const sizes = await Promise.all(files.map((f) => stat(f).then((s) => s.size)));
  const expected = sizes.reduce((a, b) => a + b, 0);
  if ((await stat(file).catch(() => null))?.size === expected) return file;
  await writeAtomically(file, async (partial) => {
    // One stream through every chunk in order (a pipeline per chunk into one writer would stack
    // a set of listeners on it per chunk).
    await pipeline(async function* () { for (const f of files) yield* createReadStream(f); }, createWriteStream(partial));
  });
  return file;
}

/** A cache file named for the model's files, their sizes and modification times. */
async function cacheFile(files, suffix) {
  const stats = await Promise.all(files.map((f) => stat(f)));
  const identity = files.map((f, i) => `${f}:${stats[i].size}:${stats[i].mtimeMs}`).join('\n');
  const key = createHash('sha256').update(identity).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), 'retouch-models', `${key}${suffix}.onnx`);
}

/** Writes `file` through a partial file of this process, so a reader never sees half of it. */
async function writeAtomically(file, write) {
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.${Date.now()}.partial`;
  try {
    await write(partial);
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/**
 * The model file to load for `side`, and the side it takes: the joined model re-targeted to `side`
 * once (onnx-side.mjs; cached beside the joined file, 1-2 s and ~200 MiB on first use), or the model
 * as it is when it cannot be re-targeted (a model of another shape: it then runs at its own side).
 */
async function modelFile(files, side) {
  const joined = await joinedFile(files);
  const retargeted = await cacheFile(files, `-side${side}`);
  // What an earlier process found for this model and side: { file, side }, so the model is decoded
  // once per machine, not once per start.
  const found = `${retargeted}.json`;
  const cached = JSON.parse(await readFile(found, 'utf8').catch(() => 'null'));
  if (cached && (await stat(cached.file).catch(() => null))) return cached;
  const { bytes, native, reason } = retargetSide(await readFile(joined), side);
  if (!bytes && !native) throw new Error(`the segmentation model cannot run at ${side}x${side}: ${reason}`);
  if (bytes && native !== side) await writeAtomically(retargeted, (partial) => writeFile(partial, bytes));
  const model = bytes ? { file: native === side ? joined : retargeted, side } : { file: joined, side: native };
  await writeAtomically(found, (partial) => writeFile(partial, JSON.stringify(model)));
  return model;
}

function sessionFor(files, side) {
  const key = `${files.join('\n')}@${side}`;
  if (!sessions.has(key)) {
    sessions.set(key, (async () => {
      const ort = require('onnxruntime-node');
      const model = await modelFile(files, side);
      return { session: await ort.InferenceSession.create(model.file, SESSION_OPTIONS), side: model.side };
    })());
    // A failed load is not kept: the next edit tries again.
    sessions.get(key).catch(() => sessions.delete(key));
  }
  return sessions.get(key);
}

/**
 * The side the model runs at when `side` is asked for (loading it if needed): `side`, or the
 * model's own when it cannot be re-targeted.
 * @param {{ files: string[], side: number }} task
 */
export async function modelSide({ files, side }) {
  return (await sessionFor(files, side)).side;
}

/**
 * IS-Net's interface: input float32 [1,3,side,side], planar RGB, (v − 128) / 256; output
 * [1,1,side,side] in 0–1.
 * @param {{ files: string[], rgb: Uint8Array, side: number, asked?: number }} task the model's files (concatenated), RGB pixels
 *   side×side (the side `modelSide` answered for `asked`)
 * @returns {Promise<Uint8Array>} one byte per pixel, 0–255
 */
export async function segment({ files, rgb, side, asked = side }) {
  const ort = require('onnxruntime-node');
  const { session } = await sessionFor(files, asked);
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
