import { createHash } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger, FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errors, RetouchError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Redactor } from '../redact.ts';
import { toRetouchError } from './error-envelope.ts';
import { SECURITY_HEADERS } from './response-headers.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Length and hash of the request's prompt, for logs that must not hold its text. */
    promptDigest: { chars: number; sha256: string } | null;
  }
}

/** Notes the prompt's length and hash on the request, so a refusal can be logged without its text. */
export function notePrompt(request: FastifyRequest, prompt: string): void {
  request.promptDigest = { chars: prompt.length, sha256: createHash('sha256').update(prompt).digest('hex').slice(0, 16) };
}

// Answers whose message quotes the prompt back: logged at info without it, in full only at debug.
const QUOTES_PROMPT = new Set(['unsupported_edit', 'moderation_blocked']);

/**
 * Fastify's error handler: the one place a failure becomes the OpenAI envelope. Every string in it
 * passes the Redactor, so a secret echoed by an upstream (or hidden anywhere else) never reaches
 * the client; the log line is redacted again on its way out (log.ts).
 */
export function errorHandler(redactor: Redactor) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const e = toRetouchError(err);
    // A client that left (499) is not a server failure: no stack, no error-level line.
    if (e.code === 'request_cancelled') request.log.info({ code: e.code, status: e.status }, e.message);
    else if (e.status >= 500) request.log.error({ err: e.cause ?? err }, 'request failed');
    else if (e.code && QUOTES_PROMPT.has(e.code)) {
      request.log.info({ code: e.code, status: e.status, prompt: request.promptDigest ?? undefined }, 'edit refused');
      request.log.debug({ code: e.code }, e.message);
    } else request.log.info({ code: e.code, status: e.status }, e.message);
    if (request.usage) request.usage.errorCode = e.code ?? e.type;
    if (e.retryAfter !== undefined) reply.header('retry-after', String(e.retryAfter));
    // 499 is nginx's "client closed request": nobody is listening, but the log and usage say why.
    return reply.code(e.status).send(redactor.redactEnvelope(e.toEnvelope()));
  };
}

/**
 * Fastify's frameworkErrors: what its router refuses before a route is chosen (a URL whose escapes
 * do not decode, a path parameter past maxParamLength). Fastify answers these outside every hook,
 * with its own body; here they get the envelope, and the headers the onRequest and onSend hooks
 * give every other answer.
 */
export function frameworkErrorHandler(redactor: Redactor) {
  const handle = errorHandler(redactor);
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-request-id', request.id).headers(SECURITY_HEADERS);
    return handle(err, request, reply);
  };
}

// What Node's HTTP parser reports (llhttp's codes), in words a client can act on.
const PARSER_MESSAGES: Record<string, string> = {
  HPE_INVALID_CONTENT_LENGTH: 'The Content-Length header is not a valid length.',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'A request cannot have both Content-Length and Transfer-Encoding: chunked.',
  HPE_INVALID_TRANSFER_ENCODING: 'The Transfer-Encoding header is not valid.',
  HPE_INVALID_CHUNK_SIZE: 'A chunk of the chunked body has an invalid size line.',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'A chunk of the chunked body has oversized extensions.',
  HPE_INVALID_METHOD: 'The HTTP method is not valid.',
  HPE_INVALID_URL: 'The request URL is not valid.',
  HPE_INVALID_VERSION: 'The HTTP version is not valid.',
  HPE_INVALID_HEADER_TOKEN: 'A header name or value holds characters HTTP does not allow.',
  HPE_LF_EXPECTED: 'The request is not framed as HTTP/1.1 (a line ending is missing).',
};

/** The RetouchError for an error of Node's HTTP parser or server (clientError). */
export function framingError(err: NodeJS.ErrnoException): RetouchError {
  const code = err.code ?? '';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout('The request did not arrive in time.');
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new RetouchError('The request headers are larger than this server accepts.', {
      status: 431, type: 'invalid_request_error', code: 'headers_too_large', param: null,
    });
  }
  return errors.invalidRequest(PARSER_MESSAGES[code] ?? 'The HTTP request is malformed.', 'invalid_http');
}

/**
 * Fastify's clientErrorHandler: errors Node's HTTP parser raises before (or while) a request is
 * read (a bad Content-Length, Content-Length with chunked, a bad chunk, headers too large, a
 * timeout) get the same envelope as every other failure, then the connection is closed (the
 * parser cannot go on after them).
 */
export function clientErrorHandler(log: FastifyBaseLogger) {
  return (err: NodeJS.ErrnoException, socket: Socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const e = framingError(err);
    const id = newId('request');
    log.info({ reqId: id, code: e.code, status: e.status, parser: err.code }, e.message);
    const response = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (!socket.writable || response?.headersSent) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify(e.toEnvelope());
    const headers = [
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status] ?? 'Error'}`,
      'content-type: application/json; charset=utf-8',
      `content-length: ${Buffer.byteLength(body)}`,
      `x-request-id: ${id}`,
      ...Object.entries(SECURITY_HEADERS).map(([k, v]) => `${k}: ${v}`),
      'connection: close',
    ];
    socket.end(`${headers.join('\r\n')}\r\n\r\n${body}`);
    // Closed once written; a client that never reads gets a moment, not forever.
    socket.once('finish', () => socket.destroy());
    setTimeout(() => socket.destroy(), 2000).unref();
  };
}
