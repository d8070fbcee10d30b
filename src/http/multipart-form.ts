import type { FastifyRequest } from 'fastify';
import type { Limits } from '../config/index.ts';
import { errors } from '../errors.ts';
import { discardUpload, isImageField, type RawForm, readUpload, type UploadBudget } from './uploads.ts';

/** Large enough for a 32000-character prompt in 4-byte UTF-8, small enough to bound memory. */
const MAX_FIELD_BYTES = 256 * 1024;
const MAX_FIELDS = 64;

/** RFC 2046: a boundary is 1 to 70 characters. Longer ones also overflow busboy's search (a 500). */
const MAX_BOUNDARY_CHARS = 70;

function checkBoundary(contentType: string | undefined) {
  const match = /;\s*boundary=(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  const boundary = match?.[1] ?? match?.[2] ?? '';
  if (boundary.length === 0 || boundary.length > MAX_BOUNDARY_CHARS) {
    throw errors.invalidRequest(
      `The multipart boundary must be 1 to ${MAX_BOUNDARY_CHARS} characters (RFC 2046); this one is ${boundary.length}.`, 'invalid_multipart',
    );
  }
}

/**
 * Streams a multipart edit form; files are checked as they arrive (see readUpload), and every wait
 * for the client's next bytes is bounded by the request's UploadWatch (408 when it stalls).
 */
export async function readMultipartForm(request: FastifyRequest, limits: Limits, maxBodyBytes: number): Promise<RawForm> {
  checkBoundary(request.headers['content-type']);
  const watch = request.uploadWatch ?? undefined;
  const form: RawForm = { fields: {}, images: [], mask: undefined };
  // The declared length, when there is one, bounds what can still arrive (Node's parser stops there).
  const declared = Number(request.headers['content-length'] ?? 0);
  const budget: UploadBudget = { maxFileBytes: limits.maxUploadBytes, remainingBodyBytes: declared > 0 ? Math.min(declared, maxBodyBytes) : maxBodyBytes };
  const parts = request.parts({
    limits: {
      // One byte over our own limit, so readUpload (which names the field) sees the overflow first.
      fileSize: limits.maxUploadBytes + 1,
      files: limits.maxImages + 1,
      fields: MAX_FIELDS,
      fieldSize: MAX_FIELD_BYTES,
      parts: limits.maxImages + 1 + MAX_FIELDS,
    },
  });
  // Fields arrive whole, so bytes, not parts, tell a slow client from a stalled one.
  for await (const part of watch ? watch.iterate(parts, () => watch.watchBytes(request.raw)) : parts) {
    if (part.type === 'field') {
      if (part.valueTruncated) throw errors.invalidValue(part.fieldname, `The field '${part.fieldname}' is too long.`);
      if (typeof part.value === 'string') form.fields[part.fieldname] = part.value;
      continue;
    }
    if (isImageField(part.fieldname)) {
      if (form.images.length >= limits.maxImages) {
        throw errors.invalidValue('image', `Too many images: at most ${limits.maxImages} per request.`);
      }
      form.images.push(await readUpload(part.file, 'image', budget, watch));
    } else if (part.fieldname === 'mask') {
      if (form.mask) throw errors.invalidValue('mask', 'Send at most one mask.');
      form.mask = await readUpload(part.file, 'mask', budget, watch);
    } else {
      // The OpenAI API ignores fields it does not know; so do we, but its bytes still count.
      await discardUpload(part.file, budget, watch);
    }
  }
  return form;
}
