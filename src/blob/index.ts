import type { Readable } from 'node:stream';

export interface StoredBlob {
  body: Readable;
  size: number;
  createdAt: number;
}

/** Where hosted result images live. Names are chosen by the caller and already validated. */
export interface BlobStore {
  readonly kind: string;
  /** Stores bytes under a name; readers never see a partly written blob. */
  put(name: string, bytes: Buffer): Promise<void>;
  get(name: string): Promise<StoredBlob | null>;
  /** Deletes blobs created before `before` (ms since epoch); returns how many went. */
  sweep(before: number): Promise<number>;
}
