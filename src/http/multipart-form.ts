import type { FastifyRequest } from 'fastify';
import type { Limits } from '../config/index.ts';
import { errors } from '../errors.ts';
import { discardUpload, isImageField, type RawForm, readUpload, type UploadBudget } from './uploads.ts';

/** Large enough for a 32000-character prompt in 4-byte UTF-8, small enough to bound memory. */
const MAX_FIELD_BYTES = 256 * 1024;
const MAX_FIELDS = 64;

/** Streams a multipart edit form; files are checked as they arrive (see readUpload). */
export async function readMultipartForm(request: FastifyRequest, limits: Limits, maxBodyBytes: number): Promise<RawForm> {
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
  for await (const part of parts) {
    if (part.type === 'field') {
      if (part.valueTruncated) throw errors.invalidValue(part.fieldname, `The field '${part.fieldname}' is too long.`);
      if (typeof part.value === 'string') form.fields[part.fieldname] = part.value;
      continue;
    }
    if (isImageField(part.fieldname)) {
      if (form.images.length >= limits.maxImages) {
        throw errors.invalidValue('image', `Too many images: at most ${limits.maxImages} per request.`);
      }
      form.images.push(await readUpload(part.file, 'image', budget));
    } else if (part.fieldname === 'mask') {
      if (form.mask) throw errors.invalidValue('mask', 'Send at most one mask.');
      form.mask = await readUpload(part.file, 'mask', budget);
    } else {
      // The OpenAI API ignores fields it does not know; so do we, but its bytes still count.
      await discardUpload(part.file, budget);
    }
  }
  return form;
}
