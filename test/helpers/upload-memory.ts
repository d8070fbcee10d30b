import assert from 'node:assert/strict';
import { BodyMemory } from '../../src/http/body-memory.ts';

/**
 * The server's upload memory (RETOUCH_UPLOAD_MEMORY_MB), seen as its requests reserve it: a test
 * waits for a reservation, or its release, to be made rather than sleep and hope the server got
 * there (both happen when the server gets to the request, late on a loaded machine).
 */
const memories = new Set<BodyMemory>();
const reserve = BodyMemory.prototype.reserve;
BodyMemory.prototype.reserve = function (this: BodyMemory, bytes: number) {
  memories.add(this);
  return reserve.call(this, bytes);
};

/** Bytes reserved now, over every app of this process that has reserved any. */
export const uploadMemoryInUse = () => [...memories].reduce((n, m) => n + m.inUse, 0);

/** Waits up to 30 s for `done`, failing with `what`. */
export async function until(done: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 30_000; !done(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) assert.fail(`timed out after 30 s waiting for ${what}`);
  }
}
