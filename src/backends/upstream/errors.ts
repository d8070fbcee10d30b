import { errors, RetouchError } from '../../errors.ts';
import { redactShapes } from '../../redact.ts';
import type { UpstreamResponse } from './http.ts';
import { parseJsonWithImages } from './json-with-images.ts';

/** The error object an upstream sent, in OpenAI's or Google's shape, if the body is JSON. */
export function upstreamErrorBody(res: UpstreamResponse): { message?: string; code?: string; type?: string; param?: string; status?: string } {
  try {
    const json = JSON.parse(res.body.toString('utf8'));
    const e = json?.error ?? json?.[0]?.error;
    if (!e || typeof e !== 'object') return {};
    return {
      message: typeof e.message === 'string' ? upstreamText(e.message) : undefined,
      code: identifier(e.code),
      type: identifier(e.type),
      param: identifier(e.param),
      status: identifier(e.status),
    };
  } catch {
    return {};
  }
}

/**
 * An upstream's own words, fit to be passed on: credential shapes redacted (a relay that echoes our
 * request headers would otherwise hand our upstream key to the client), control characters gone,
 * at most 300 characters. The HTTP edge redacts every configured secret on top of this.
 */
export function upstreamText(message: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = redactShapes(message.slice(0, 4000).replace(/[\u0000-\u001f\u007f]+/g, ' ')).trim();
  if (clean.length <= MAX_UPSTREAM_TEXT) return clean;
  // Cut at a space, never inside a word: a secret cut in half would no longer match the redactor,
  // and its first half would go out.
  const cut = clean.slice(0, MAX_UPSTREAM_TEXT + 1).replace(/\s+\S*$/, '');
  return cut.length < clean.length && cut.length > 0 && cut.length <= MAX_UPSTREAM_TEXT ? `${cut}…` : '(message too long to show)';
}

const MAX_UPSTREAM_TEXT = 300;

/** A code, type or param as an upstream sent it, if it looks like one (never free text). */
const identifier = (v: unknown) => (typeof v === 'string' && /^[A-Za-z0-9_.\[\]-]{1,64}$/.test(v) ? v : undefined);

/**
 * Maps a non-success upstream answer onto our error table. Problems with the request itself stay
 * 4xx (and end the route); problems of the upstream become 502 (and let the route fall back).
 */
export function mapUpstreamStatus(res: UpstreamResponse, provider: string, model: string): RetouchError {
  // `calls` tells the usage record how many HTTP attempts were made before giving up.
  return Object.assign(statusError(res, provider, model), { calls: res.attempts });
}

function statusError(res: UpstreamResponse, provider: string, model: string): RetouchError {
  const body = upstreamErrorBody(res);
  const said = body.message ? `: ${body.message}` : '';
  if (res.status === 400 || res.status === 422) {
    if (body.code === 'moderation_blocked' || body.type === 'image_generation_user_error') {
      return errors.moderationBlocked(`The ${provider} upstream refused this request under its safety policy${said}`);
    }
    return new RetouchError(`The ${provider} upstream rejected the request${said}`, {
      status: 400, type: 'invalid_request_error', code: body.code ?? 'upstream_rejected', param: body.param ?? null,
    });
  }
  if (res.status === 413) return errors.payloadTooLarge(`The ${provider} upstream says the request is too large${said}`);
  if (res.status === 401 || res.status === 403) {
    return errors.upstreamError(`The ${provider} upstream rejected this server's credentials; the operator must check its API key.`);
  }
  if (res.status === 404) return errors.upstreamError(`The ${provider} upstream does not serve the model '${model}'.`);
  const tries = res.attempts > 1 ? ` after ${res.attempts} attempts` : '';
  return errors.upstreamError(`The ${provider} upstream answered ${res.status}${tries}.`);
}

/** Parses an upstream's JSON body, long base64 strings under `imageKeys` lifted out (json-with-images.ts); malformed is a 502. */
export function parseJson(res: UpstreamResponse, provider: string, imageKeys: string[] = []): any {
  try {
    return parseJsonWithImages(res.body, imageKeys);
  } catch (cause) {
    throw errors.upstreamError(`The ${provider} upstream sent a malformed JSON answer.`, cause);
  }
}
