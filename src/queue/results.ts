import type { Redis } from 'ioredis';
import type { BlobStore } from '../blob/index.ts';
import type { QueueNames } from './names.ts';
import { type JobResult, pack, unpack } from './wire.ts';

/** Results up to this size live in Redis; larger ones (base64 answers) in the blob store. */
const INLINE_MAX_BYTES = 64 * 1024;
/** A result blob's name: never an image name /img serves. */
const blobName = (jobId: string) => `qres_${jobId}.bin`;
const IN_REDIS = 0x50; // 'P': the packed result follows
const IN_BLOB = 0x42; // 'B': the result is in the blob store

/**
 * Results recorded under their job's id. A worker records one before BullMQ acknowledges the job, so
 * a job run again after a stall finds it and returns it instead of editing (and paying an upstream)
 * twice. Kept for `ttlSeconds`, as long as BullMQ keeps the finished job.
 */
export class ResultBook {
  constructor(private readonly redis: Redis, private readonly blobs: BlobStore, private readonly names: QueueNames, private readonly ttlSeconds: number) {}

  async record(jobId: string, result: JobResult): Promise<void> {
    const packed = pack(result);
    if (packed.length <= INLINE_MAX_BYTES) {
      await this.redis.set(this.names.result(jobId), Buffer.concat([Buffer.of(IN_REDIS), packed]), 'EX', this.ttlSeconds);
      return;
    }
    // Blob first, then the pointer: a reader that sees the pointer always finds the blob.
    await this.blobs.put(blobName(jobId), packed);
    await this.redis.set(this.names.result(jobId), Buffer.of(IN_BLOB), 'EX', this.ttlSeconds);
  }

  async read(jobId: string): Promise<JobResult | null> {
    return this.decode(jobId, await this.redis.getBuffer(this.names.result(jobId)));
  }

  /** A result from the raw value of its key (for callers that fetch it in a pipeline with other reads). */
  async decode(jobId: string, value: Buffer | null): Promise<JobResult | null> {
    if (!value || value.length === 0) return null;
    if (value[0] === IN_REDIS) return unpack<JobResult>(value.subarray(1));
    const blob = await this.blobs.get(blobName(jobId));
    if (!blob) return null; // swept already: treat as never recorded
    const chunks: Buffer[] = [];
    for await (const c of blob.body as AsyncIterable<Buffer>) chunks.push(c);
    return unpack<JobResult>(Buffer.concat(chunks));
  }
}
