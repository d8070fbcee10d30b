import type { CoreServices } from '../core.ts';
import type { EditQueue } from './index.ts';
import { InlineQueue } from './inline.ts';

/** The queue an API node hands its jobs to, chosen from config; BullMQ loads only when configured. */
export async function openQueue(core: CoreServices): Promise<EditQueue> {
  const { config } = core;
  if (config.queue.kind === 'bullmq' && config.redis) {
    const { BullmqQueue } = await import('./bullmq.ts');
    return BullmqQueue.connect({
      redisUrl: config.redis.url, redisPrefix: config.redis.prefix, maxWaiting: config.queue.maxWaiting, deadlineMs: config.queue.deadlineMs,
      onUnprocessed: core.endUnprocessed,
    }, core.blobs);
  }
  // The inline queue runs the core's one processor in this process.
  return new InlineQueue(core.process, config.queue.shutdownGraceMs);
}
