import type { Readable } from 'node:stream';
import { errors } from '../errors.ts';
import type { UploadWatch } from './upload-watch.ts';
import { describeUnsupported, SNIFF_BYTES, sniffFormat } from '../images/sniff.ts';

/** The parts of an edit request before validation: text fields, and files as bytes. */
export interface RawForm {
  fields: Record<string, string>;
  images: Buffer[];
  mask: Buffer | undefined;
}

export interface UploadBudget {
  maxFileBytes: number;
  /** Bytes still allowed for the whole request; reading decrements it. */
  remainingBodyBytes: number;
}

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(0)} MB`;

/**
 * Reads one uploaded file, refusing it as soon as it can: after the first bytes when they are not an
 * image, and at the first byte past the file or body limit (413), without buffering the rest.
 */
export async function readUpload(stream: Readable, param: string, budget: UploadBudget, watch?: UploadWatch): Promise<Buffer> {
  // One buffer as large as what may still arrive, filled as chunks come: the kernel backs only the
  // pages written, where collecting chunks and joining them held the file twice at the end.
  const bytes = Buffer.allocUnsafe(Math.min(budget.maxFileBytes, budget.remainingBodyBytes));
  let size = 0;
  let sniffed = false;
  for await (const chunk of chunksOf(stream, watch)) {
    if (size + chunk.length > budget.maxFileBytes) {
      throw errors.payloadTooLarge(`'${param}' is larger than the ${MB(budget.maxFileBytes)} limit per file.`, param);
    }
    if (size + chunk.length > budget.remainingBodyBytes) {
      throw errors.payloadTooLarge(`The request is larger than the ${MB(budget.maxFileBytes)} limit per request.`, param);
    }
    chunk.copy(bytes, size);
    size += chunk.length;
    if (!sniffed && size >= SNIFF_BYTES) {
      sniffed = true;
      checkMagic(bytes.subarray(0, size), param);
    }
  }
  if (!sniffed) checkMagic(bytes.subarray(0, size), param);
  budget.remainingBodyBytes -= size;
  return bytes.subarray(0, size);
}

/** Reads past a file part nobody asked for, still counting it against the body limit. */
export async function discardUpload(stream: Readable, budget: UploadBudget, watch?: UploadWatch): Promise<void> {
  for await (const chunk of chunksOf(stream, watch)) {
    budget.remainingBodyBytes -= chunk.length;
    if (budget.remainingBodyBytes < 0) throw errors.payloadTooLarge('The request body is larger than this server accepts.');
  }
}

const chunksOf = (stream: Readable, watch: UploadWatch | undefined) =>
  (watch ? watch.iterate(stream as AsyncIterable<Buffer>) : stream) as AsyncIterable<Buffer>;

/** Rejects bytes that do not start like a PNG, JPEG or WEBP; used for data URLs too. */
export function checkMagic(head: Buffer, param: string): void {
  if (!sniffFormat(head.subarray(0, SNIFF_BYTES))) {
    throw errors.invalidImage(`Invalid image file for '${param}': ${describeUnsupported(head.subarray(0, SNIFF_BYTES))}. Use PNG, JPEG or WEBP.`, param);
  }
}

/** `image`, `image[]`, `image[0]`…: the names clients use for the input images. */
export const isImageField = (name: string) => /^image(\[\d*\])?$/.test(name) || name === 'images' || name === 'images[]';
