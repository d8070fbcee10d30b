import type { FastifyError } from 'fastify';
import { errors, RetouchError } from '../errors.ts';

// Errors raised by Fastify and its plugins before our handlers run, by their code.
const FASTIFY_ERRORS: Record<string, (err: FastifyError) => RetouchError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => errors.payloadTooLarge('The request body is larger than this server accepts.'),
  FST_REQ_FILE_TOO_LARGE: () => errors.payloadTooLarge('An uploaded file is larger than this server accepts.', 'image'),
  FST_FILES_LIMIT: () => errors.invalidValue('image', 'Too many files in one request.'),
  FST_PARTS_LIMIT: () => errors.invalidRequest('Too many form parts in one request.', 'invalid_value'),
  FST_FIELDS_LIMIT: () => errors.invalidRequest('Too many form fields in one request.', 'invalid_value'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    errors.invalidRequest('Unsupported Content-Type. Send multipart/form-data (or application/json).', 'invalid_content_type'),
  FST_INVALID_MULTIPART_CONTENT_TYPE: () =>
    errors.invalidRequest('Unsupported Content-Type. Send multipart/form-data (or application/json).', 'invalid_content_type'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => errors.invalidRequest('The JSON body could not be parsed.', 'invalid_json'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => errors.invalidRequest('The JSON body is empty.', 'invalid_json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => errors.invalidRequest('Content-Length does not match the body.', null),
  FST_MP_PREMATURE_CLOSE: () => errors.invalidRequest('The multipart body ended before it was complete.', 'invalid_multipart'),
  FST_PROTO_VIOLATION: () => errors.invalidRequest('A form field name is not allowed.', 'invalid_value'),
  // Fastify's router, before any route ran (no route's hooks either: see frameworkErrorHandler).
  // A path segment past maxParamLength is longer than any id this server hands out (30
  // characters), so it names nothing: 404, as an id of the wrong shape is answered.
  FST_ERR_MAX_PARAM_LENGTH: () => errors.notFound('No such resource: a part of the path is longer than any id this server hands out.'),
  FST_ERR_BAD_URL: () => errors.invalidRequest('The request URL is not valid: its path has a % that does not start an escape such as %2F, or escapes that are not UTF-8.', 'invalid_url'),
  // A route's schema refused the request (the admin API validates with zod): name the first bad field.
  FST_ERR_VALIDATION: (fe) => {
    const first = (fe.validation ?? [])[0];
    const path = first?.instancePath.replace(/^\//, '').replace(/\//g, '.') ?? '';
    const param = path || fe.validationContext || null;
    return errors.invalidValue(param, `Invalid ${fe.validationContext ?? 'request'}${path ? ` field '${path}'` : ''}: ${first?.message ?? 'not valid'}.`);
  },
};

/** Turns anything thrown while serving a request into a RetouchError with a public message. */
export function toRetouchError(err: unknown): RetouchError {
  if (err instanceof RetouchError) return err;
  const fe = err as FastifyError;
  const mapped = fe?.code ? FASTIFY_ERRORS[fe.code] : undefined;
  if (mapped) return mapped(fe);
  // busboy's own parse errors ("Multipart: Boundary not found", "Unexpected end of form", ...).
  if (typeof fe?.message === 'string' && /multipart|boundary|unexpected end of form|malformed part header/i.test(fe.message)) {
    return errors.invalidRequest(`Malformed multipart body: ${fe.message.replace(/^multipart:\s*/i, '')}.`, 'invalid_multipart');
  }
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return errors.invalidRequest('The request could not be understood.', null);
  }
  // Node's own word for a request whose client went away mid-body ('aborted', ECONNRESET): the
  // client left; nothing failed on this side.
  if (fe?.message === 'aborted' || fe?.code === 'ECONNRESET') return errors.cancelled();
  return errors.internal(err);
}
