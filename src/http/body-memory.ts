import { errors } from '../errors.ts';

/**
 * Bounds the request bodies held in memory at once, across all requests. A request reserves its
 * declared Content-Length (or the largest body allowed, when it declares none) before a byte is
 * read, and gives it back when its answer is done. What does not fit is refused with 429 and
 * retry-after, which OpenAI's SDKs retry on their own.
 *
 * Why: uploads are read whole into memory (sharp and upstreams want one buffer), and the engine
 * queue admits more requests than it runs; without this, sixteen 40 MB uploads at once held over
 * 2 GB (docs/performance.md, large uploads).
 */
export class BodyMemory {
  private reserved = 0;

  constructor(private readonly maxBytes: number) {}

  /** Reserves `bytes`, or throws the 429; the returned function gives them back (once). */
  reserve(bytes: number): () => void {
    // One request alone is always let in: its size was checked against the upload limit already.
    if (this.reserved > 0 && this.reserved + bytes > this.maxBytes) {
      throw errors.rateLimited(
        `The server is busy receiving other uploads (${Math.round(this.maxBytes / 2 ** 20)} MiB at once); retry shortly.`,
        1,
      );
    }
    this.reserved += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.reserved -= bytes;
    };
  }

  /** Bytes reserved now (for tests and metrics). */
  get inUse(): number {
    return this.reserved;
  }
}
