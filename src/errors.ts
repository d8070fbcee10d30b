/**
 * The one error type of Retouch. Everything that can go wrong in a way a client should hear about is a
 * RetouchError; only the HTTP edge turns it into the OpenAI error envelope.
 */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'image_generation_user_error'
  | 'rate_limit_exceeded'
  | 'insufficient_quota'
  | 'server_error';

export interface RetouchErrorInit {
  status: number;
  type: ErrorType;
  code: string | null;
  param?: string | null;
  /** Seconds, sent as `retry-after` (429 and some 503s). */
  retryAfter?: number;
  /** Whether a caller (the router, an outbound client) may try the same work again. */
  retryable?: boolean;
  cause?: unknown;
}

export class RetouchError extends Error {
  readonly status: number;
  readonly type: ErrorType;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfter: number | undefined;
  readonly retryable: boolean;

  /** `message` is public: it goes to the client as is, so it never holds paths, keys or stacks. */
  constructor(message: string, init: RetouchErrorInit) {
    super(message, { cause: init.cause });
    this.name = 'RetouchError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.retryAfter = init.retryAfter;
    this.retryable = init.retryable ?? false;
  }

  toEnvelope() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Constructors for the rows of the contract's error table, so call sites cannot mix up codes. */
export const errors = {
  missingParameter: (param: string) =>
    new RetouchError(`Missing required parameter: '${param}'.`, {
      status: 400, type: 'invalid_request_error', code: 'missing_required_parameter', param,
    }),
  invalidValue: (param: string | null, message: string) =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code: 'invalid_value', param }),
  invalidRequest: (message: string, code: string | null = null) =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code, param: null }),
  invalidImage: (message: string, param = 'image', cause?: unknown) =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code: 'invalid_image_file', param, cause }),
  imageTooLarge: (message: string, param = 'image') =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code: 'image_too_large', param }),
  payloadTooLarge: (message: string, param: string | null = null) =>
    new RetouchError(message, { status: 413, type: 'invalid_request_error', code: 'payload_too_large', param }),
  invalidMask: (message: string) =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code: 'invalid_mask', param: 'mask' }),
  invalidApiKey: (message: string) =>
    new RetouchError(message, { status: 401, type: 'authentication_error', code: 'invalid_api_key', param: null }),
  /** A valid key without the scope the route needs (an ordinary key on /v1/admin). */
  forbidden: (message: string) =>
    new RetouchError(message, { status: 403, type: 'invalid_request_error', code: 'insufficient_permissions', param: null }),
  modelNotFound: (model: string) =>
    new RetouchError(`The model '${model}' does not exist. GET /v1/models lists the models this server serves.`, {
      status: 404, type: 'invalid_request_error', code: 'model_not_found', param: 'model',
    }),
  unsupportedEdit: (message: string) =>
    new RetouchError(message, { status: 400, type: 'invalid_request_error', code: 'unsupported_edit', param: 'prompt' }),
  notFound: (message: string) =>
    new RetouchError(message, { status: 404, type: 'invalid_request_error', code: 'not_found', param: null }),
  rateLimited: (message: string, retryAfter: number) =>
    new RetouchError(message, { status: 429, type: 'rate_limit_exceeded', code: 'rate_limit_exceeded', param: null, retryAfter }),
  /** A spent quota or budget, as OpenAI reports it: 429 `insufficient_quota`. */
  quotaExceeded: (message: string, retryAfter: number) =>
    new RetouchError(message, { status: 429, type: 'insufficient_quota', code: 'insufficient_quota', param: null, retryAfter }),
  moderationBlocked: (message: string) =>
    new RetouchError(message, { status: 400, type: 'image_generation_user_error', code: 'moderation_blocked', param: null }),
  upstreamError: (message: string, cause?: unknown) =>
    new RetouchError(message, { status: 502, type: 'server_error', code: 'upstream_error', param: null, cause }),
  upstreamNoImage: (message: string) =>
    new RetouchError(message, { status: 502, type: 'server_error', code: 'upstream_no_image', param: null }),
  upstreamTimeout: (message: string) =>
    new RetouchError(message, { status: 504, type: 'server_error', code: 'upstream_timeout', param: null }),
  editTimeout: (seconds: number) =>
    new RetouchError(`The edit did not finish within ${seconds} s and was stopped.`, { status: 504, type: 'server_error', code: 'edit_timeout', param: null }),
  requestTimeout: (message: string) =>
    new RetouchError(message, { status: 408, type: 'invalid_request_error', code: 'request_timeout', param: null }),
  cancelled: () =>
    new RetouchError('The request was cancelled.', { status: 499, type: 'invalid_request_error', code: 'request_cancelled', param: null }),
  internal: (cause: unknown) =>
    new RetouchError('The server had an error while processing your request.', {
      status: 500, type: 'server_error', code: null, param: null, cause,
    }),
} as const;
