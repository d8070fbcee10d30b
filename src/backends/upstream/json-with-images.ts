import { randomBytes } from 'node:crypto';

/** A base64 image string lifted out of a JSON answer, still as bytes of the answer. */
export class LiftedBase64 {
  constructor(private readonly body: Buffer, private readonly start: number, private readonly end: number) {}

  /**
   * The image bytes, decoded from the answer's buffer in slices: one megabytes-long string would
   * land in V8's old generation and cost a full GC; 64 KiB ones die young.
   */
  decode(): Buffer {
    const out = Buffer.allocUnsafe(Math.floor(((this.end - this.start) * 3) / 4));
    let written = 0;
    for (let at = this.start; at < this.end; at += DECODE_SLICE) {
      written += out.write(this.body.toString('latin1', at, Math.min(this.end, at + DECODE_SLICE)), written, 'base64');
    }
    return out.subarray(0, written);
  }

  /**
   * The base64 text itself (a view, no copy), to go to the client as is, when it looks like what a
   * standard encoder writes for `bytes`: padded, of exactly that length, without the URL-safe `-`
   * and `_` (Node's decoder accepts those and skips stray characters, most clients' do not).
   */
  textOf(bytes: Buffer): Buffer | undefined {
    const text = this.body.subarray(this.start, this.end);
    const standard = text.length % 4 === 0 && Math.ceil(bytes.length / 3) * 4 === text.length
      && !text.includes(0x2d) && !text.includes(0x5f);
    return standard ? text : undefined;
  }
}

/** Base64 characters decoded at a time; a multiple of 4, so every slice decodes on its own. */
const DECODE_SLICE = 64 * 1024;

/** Shortest string worth lifting: smaller ones cost less to parse than to find. */
const MIN_LIFT = 4096;

/**
 * Parses an upstream's JSON answer, with every long string under one of `keys` (b64_json, Gemini's
 * inlineData.data) replaced by a LiftedBase64.
 *
 * Why: image answers are megabytes of base64 inside a few hundred bytes of JSON. JSON.parse would
 * decode all of it to UTF-16-checked strings and the GC would then free them; cutting the base64
 * out first makes the parse a few hundred bytes, and the image is decoded once, from the buffer.
 * Any base64 with a backslash (an escaped `\/`) is left to the full parse, so the result is always
 * what JSON.parse would give, with strings turned into LiftedBase64.
 */
export function parseJsonWithImages(body: Buffer, keys: string[]): unknown {
  const spans = keys.flatMap((key) => longStringsUnder(body, key)).sort((x, y) => x.start - y.start);
  if (spans.length === 0) return JSON.parse(body.toString('utf8'));
  // The JSON again with each lifted string replaced by a short placeholder no real answer can hold.
  const token = `retouch-lifted-${randomBytes(8).toString('hex')}-`;
  const parts: Buffer[] = [];
  let from = 0;
  spans.forEach((span, n) => {
    parts.push(body.subarray(from, span.start), Buffer.from(`${token}${n}`));
    from = span.end;
  });
  parts.push(body.subarray(from));
  const lifted = spans.map((span) => new LiftedBase64(body, span.start, span.end));
  return restore(JSON.parse(Buffer.concat(parts).toString('utf8')), token, lifted);
}

/** Where the long, escape-free string values of `"key":` lie in the body (between their quotes). */
function longStringsUnder(body: Buffer, key: string): Array<{ start: number; end: number }> {
  const marker = Buffer.from(`"${key}"`);
  const found: Array<{ start: number; end: number }> = [];
  for (let at = body.indexOf(marker); at !== -1; at = body.indexOf(marker, at + marker.length)) {
    let i = at + marker.length;
    while (i < body.length && JSON_SPACE_OR_COLON.has(body[i]!)) i++;
    if (body[i] !== QUOTE) continue;
    const start = i + 1;
    const end = body.indexOf(QUOTE, start);
    if (end === -1 || end - start < MIN_LIFT || body.subarray(start, end).includes(BACKSLASH)) continue;
    found.push({ start, end });
  }
  return found;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const JSON_SPACE_OR_COLON = new Set([0x20, 0x0a, 0x0d, 0x09, 0x3a]);

function restore(value: unknown, token: string, lifted: LiftedBase64[]): unknown {
  if (typeof value === 'string') return value.startsWith(token) ? lifted[Number(value.slice(token.length))] ?? value : value;
  if (Array.isArray(value)) return value.map((v) => restore(v, token, lifted));
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = restore(v, token, lifted);
  }
  return value;
}

/** The bytes of a base64 image field, lifted or not; undefined when the field holds no string. */
export function base64Bytes(value: unknown): Buffer | undefined {
  if (value instanceof LiftedBase64) return value.decode();
  return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
}
