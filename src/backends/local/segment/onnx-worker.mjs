// ONNX segmentation in a worker thread. onnxruntime-node's run() returns a Promise but computes
// synchronously on the calling thread (microsoft/onnxruntime#19611): on the event loop it stalled
// /health for ~1.5 s per image. The per-pixel pre- and post-processing runs here too. Plain JS so
// the worker needs no TypeScript loader.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** @type {Map<string, Promise<any>>} one session per model, created on first use and kept */
const sessions = new Map();

function sessionFor(files) {
  const key = files.join('\n');
  if (!sessions.has(key)) {
    sessions.set(key, (async () => {
      const ort = require('onnxruntime-node');
      const model = Buffer.concat(await Promise.all(files.map((f) => readFile(f))));
      // No CPU memory arena: with it, onnxruntime kept growing its arena across runs (RSS 1.5 GB
      // after one 1024² inference, 2.3 GB after two); without it ~600 MB, at the same speed.
      return ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', enableCpuMemArena: false });
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
  const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [1, 3, side, side]) });
  const prob = out[session.outputNames[0]].data;
  const bytes = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(prob[i] * 255)));
  return bytes;
}
