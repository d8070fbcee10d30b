import type { BlobStore } from '../blob/index.ts';

/**
 * Where a job's input images wait between the door that received them and the service that edits
 * them; jobs refer to them by key. The inline door keeps them in this process's memory (no copy, no
 * I/O); a door that hands jobs to other machines stores them as blobs.
 */
export interface InputStash {
  readonly kind: string;
  put(key: string, bytes: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Forgets inputs once their job has ended. */
  delete(keys: string[]): Promise<void>;
}

/** Input keys for a request: `in_<request id>_<n>`, never a name /img serves. */
export const inputKey = (requestId: string, index: number | 'mask') => `in_${requestId}_${index}`;

export class MemoryInputs implements InputStash {
  readonly kind = 'memory';
  private readonly bytes = new Map<string, Buffer>();

  async put(key: string, bytes: Buffer) { this.bytes.set(key, bytes); }

  async get(key: string) {
    const b = this.bytes.get(key);
    if (!b) throw new Error(`input ${key} is not in this process`);
    return b;
  }

  async delete(keys: string[]) { for (const k of keys) this.bytes.delete(k); }

  /** Inputs held now (for tests). */
  get size() { return this.bytes.size; }
}

/** Inputs as blobs in the shared blob store, for jobs that run in another process. */
export class BlobInputs implements InputStash {
  readonly kind = 'blob';
  constructor(private readonly blobs: BlobStore) {}

  put(key: string, bytes: Buffer) { return this.blobs.put(key, bytes); }

  async get(key: string) {
    const blob = await this.blobs.get(key);
    if (!blob) throw new Error(`input ${key} is missing from the blob store`);
    const chunks: Buffer[] = [];
    for await (const c of blob.body as AsyncIterable<Buffer>) chunks.push(c);
    return Buffer.concat(chunks);
  }

  async delete(keys: string[]) { await Promise.all(keys.map((k) => this.blobs.delete(k))); }
}
