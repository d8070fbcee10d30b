import { fromRaster, type Raster, toRaster } from '../../../images/raster.ts';
import type { EngineWorkers } from '../worker-pool.ts';
import type { Segmenter, SubjectMask } from './index.ts';

/** GrabCut works on a small copy (measured ~0.3 s at 400 px); the mask is scaled back up and feathered. */
const WORK_SIDE = 400;

/**
 * The permissive (Apache-2.0) segmenter: OpenCV.js GrabCut from a centred rectangle. Good on one
 * object on a plain or textured background; weak on people in clutter, where an ONNX model does
 * better. Runs in worker threads so the event loop stays free.
 */
export class GrabCutSegmenter implements Segmenter {
  readonly name = 'grabcut';

  constructor(private readonly workers: EngineWorkers) {}

  async segment(image: Raster, signal: AbortSignal): Promise<SubjectMask> {
    const scale = Math.min(1, WORK_SIDE / Math.max(image.width, image.height));
    const w = Math.max(8, Math.round(image.width * scale));
    const h = Math.max(8, Math.round(image.height * scale));
    const small = await toRaster(fromRaster(image).removeAlpha().resize(w, h, { fit: 'fill' }).toColourspace('srgb'));
    const rgb = small.channels === 3 ? small : await toRaster(fromRaster(small).removeAlpha());
    const bits: Uint8Array = await this.workers.run('grabCut', { data: new Uint8Array(rgb.data), width: w, height: h }, signal);
    // Scale back with a smooth kernel and a slight blur: a soft edge hides the working-size steps.
    const mask = await toRaster(
      fromRaster({ data: Buffer.from(bits), width: w, height: h, channels: 1 })
        .resize(image.width, image.height, { fit: 'fill', kernel: 'cubic' })
        .blur(Math.max(0.6, 1 / scale / 2))
        .extractChannel(0),
    );
    return { ...mask, channels: 1 };
  }

}
