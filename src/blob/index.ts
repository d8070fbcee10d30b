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
  /** Removes one blob; no error when it is absent. */
  delete(name: string): Promise<void>;
  /**
   * A URL a client may fetch the blob from directly for `seconds`, when the store can sign one
   * (S3); undefined otherwise.
   */
  presign?(name: string, seconds: number): Promise<string>;
  /** Deletes blobs created before `before` (ms since epoch); returns how many went. */
  sweep(before: number): Promise<number>;
}
