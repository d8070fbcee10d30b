import { Readable } from 'node:stream';
import {
  DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { S3Config } from '../config/index.ts';
import type { BlobStore, StoredBlob } from './index.ts';

const MIME: Record<string, string> = { webp: 'image/webp', png: 'image/png', jpeg: 'image/jpeg' };

const notFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
};

/**
 * Blobs as objects in an S3 (or S3-compatible) bucket, under a key prefix. A PutObject is atomic,
 * so readers never see a partly written blob. Every node sees every blob.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(config: S3Config) {
    this.bucket = config.bucket;
    this.prefix = config.prefix;
    const options: S3ClientConfig = {
      region: config.region,
      forcePathStyle: config.forcePathStyle,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.credentials ? { credentials: config.credentials } : {}),
      // Some S3-compatible servers (s3rver) store the SDK's aws-chunked framing as the object's bytes
      // unless checksums are only sent where an operation requires them.
      ...(config.requestChecksum ? { requestChecksumCalculation: config.requestChecksum === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED' } : {}),
      ...(config.requestChecksum === 'when_required' ? { responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    };
    this.client = new S3Client(options);
  }

  private key(name: string) {
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new Error(`bad blob name ${name}`);
    return `${this.prefix}${name}`;
  }

  async put(name: string, bytes: Buffer) {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    await this.client.send(new PutObjectCommand({
      Bucket: this.bucket, Key: this.key(name), Body: bytes, ContentLength: bytes.length,
      ...(MIME[ext] ? { ContentType: MIME[ext], CacheControl: 'public, max-age=31536000, immutable' } : {}),
    }));
  }

  async get(name: string): Promise<StoredBlob | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      const body = res.Body as Readable | undefined;
      if (!body) return null;
      return { body: body instanceof Readable ? body : Readable.fromWeb(body as never), size: Number(res.ContentLength ?? 0), createdAt: res.LastModified?.getTime() ?? Date.now() };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async delete(name: string) {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
  }

  async presign(name: string, seconds: number) {
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }), { expiresIn: seconds });
  }

  /**
   * Deletes objects under the prefix last modified before `before`. A bucket lifecycle rule on the
   * prefix does the same without any node listing the bucket (see the README).
   */
  async sweep(before: number) {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
      // One DeleteObject per key: DeleteObjects needs a Content-MD5 some S3-compatible servers check
      // differently, and a sweep is rare and small.
      for (const o of page.Contents ?? []) {
        if (!o.Key || (o.LastModified?.getTime() ?? Infinity) >= before) continue;
        await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: o.Key }));
        removed++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }
}
