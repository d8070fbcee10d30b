import type { ProviderConfig } from '../../config/routing.ts';
import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import type { EncodedImage } from '../../images/encode.ts';
import type { BackendCall, BackendResult } from '../index.ts';
import { UpstreamBackend } from '../upstream/backend.ts';
import { conformImage } from '../upstream/conform.ts';
import { UpstreamTask } from './task.ts';

/**
 * What the submit-and-poll providers share: `n` split into tasks of at most `imagesPerTask` images,
 * each task through the provider's concurrency limit with its own deadline, and every result made to
 * honour the edit contract. When one task fails, the others are stopped.
 */
export abstract class TaskBackend<C extends ProviderConfig> extends UpstreamBackend<C> {
  protected abstract readonly imagesPerTask: number;
  /** Whether the upstream's task URLs may be on other hosts of its domain (see UpstreamTask). */
  protected readonly siblingHosts: boolean = false;

  /** Submits one task for `count` images and returns their bytes. */
  protected abstract run(task: UpstreamTask, request: EditRequest, model: string, count: number): Promise<Buffer[]>;

  async edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    const started = performance.now();
    const counts: number[] = [];
    for (let left = request.n; left > 0; left -= this.imagesPerTask) counts.push(Math.min(left, this.imagesPerTask));
    const group = new AbortController();
    const signal = AbortSignal.any([call.signal, group.signal]);
    let calls = 0;
    const batches = await Promise.all(counts.map((count) => this.limiter.run(async () => {
      const task = new UpstreamTask(this.provider, signal, this.backoffMs, this.siblingHosts);
      try {
        return await this.run(task, request, call.model, count);
      } catch (err) {
        group.abort();
        throw err;
      } finally {
        calls += task.calls;
      }
    }, signal)));
    const images: EncodedImage[] = [];
    for (const bytes of batches.flat()) images.push(await conformImage(bytes, request, this.maxPixels, this.name));
    if (images.length === 0) throw errors.upstreamNoImage(`The ${this.name} upstream answered without an image.`);
    return { images, upstream: { attempts: calls, latencyMs: performance.now() - started } };
  }
}
