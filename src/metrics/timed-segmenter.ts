import type { Segmenter } from '../backends/local/segment/index.ts';
import type { Metrics } from './index.ts';

/** The segmenter with each call timed into the segmenter histogram; the engine does not know metrics exist. */
export function timedSegmenter(inner: Segmenter, metrics: Metrics): Segmenter {
  return {
    name: inner.name,
    async segment(image, signal) {
      const started = performance.now();
      const mask = await inner.segment(image, signal);
      // Only finished segmentations: a cancelled one says nothing about how long the model takes.
      metrics.observeSegmenter(inner.name, performance.now() - started);
      return mask;
    },
  };
}
