import type { EditJob } from '../edits/job.ts';
import type { EditError, EditOutcome } from '../edits/service.ts';
import { type ErrorType, RetouchError } from '../errors.ts';
import { Base64Image } from '../http/deliver.ts';
import type { EncodedImage } from '../images/encode.ts';
import type { UsageDraft } from '../usage/meter.ts';

/**
 * How values cross Redis between an API node and a worker: JSON for the shape, and every Buffer (and
 * every Base64Image of an answer) as a raw binary part after it, so megabytes of image never pass
 * through a JSON string or a second base64 encoding. The codec knows no event or outcome type: a
 * new EditEvent variant, or a new field, crosses without a change here.
 *
 * Layout: u32 JSON length, the JSON, then the parts back to back; the JSON has their lengths.
 */
const PART = '$part';
const B64 = '$b64image';

export function pack(value: unknown): Buffer {
  const parts: Buffer[] = [];
  const shape = JSON.stringify(toShape(value, parts));
  const json = Buffer.from(JSON.stringify({ shape, lengths: parts.map((p) => p.length) }));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length);
  return Buffer.concat([head, json, ...parts]);
}

export function unpack<T = unknown>(bytes: Buffer): T {
  const jsonLength = bytes.readUInt32BE(0);
  const { shape, lengths } = JSON.parse(bytes.subarray(4, 4 + jsonLength).toString()) as { shape: string; lengths: number[] };
  const parts: Buffer[] = [];
  let at = 4 + jsonLength;
  for (const n of lengths) { parts.push(bytes.subarray(at, at + n)); at += n; }
  return fromShape(JSON.parse(shape), parts) as T;
}

function toShape(value: unknown, parts: Buffer[]): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return { [PART]: parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength)) - 1 };
  // The answer's base64 images go as their base64 text, made once on the worker; the API node
  // splices it into its answer as it does for an inline edit.
  if (value instanceof Base64Image) return { [B64]: parts.push(value.text()) - 1 };
  if (Array.isArray(value)) return value.map((v) => toShape(v, parts));
  if (value && typeof value === 'object') {
    const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
    if (plain !== value) return toShape(plain, parts);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toShape(v, parts);
    return out;
  }
  return value;
}

function fromShape(value: unknown, parts: Buffer[]): unknown {
  if (Array.isArray(value)) return value.map((v) => fromShape(v, parts));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o[PART] === 'number' && Object.keys(o).length === 1) return parts[o[PART]];
    if (typeof o[B64] === 'number' && Object.keys(o).length === 1) {
      // Base64Image reads only `base64` when it is there; the other fields are not needed to send it.
      const image: EncodedImage = { bytes: Buffer.alloc(0), base64: parts[o[B64]]!, format: 'png', width: 0, height: 0 };
      return new Base64Image(image);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = fromShape(v, parts);
    return out;
  }
  return value;
}

/** A RetouchError as data: every field the client's envelope and headers need, and what it cost. */
export interface WireError {
  message: string;
  status: number;
  type: ErrorType;
  code: string | null;
  param: string | null;
  retryAfter?: number;
  retryable: boolean;
  usage?: UsageDraft;
}

export function errorToWire(err: RetouchError): WireError {
  const usage = (err as Partial<EditError>).usage;
  return {
    message: err.message, status: err.status, type: err.type, code: err.code, param: err.param, retryable: err.retryable,
    ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
    ...(usage ? { usage } : {}),
  };
}

/** The same error on this side, with its usage attached as the edit service attaches it. */
export function errorFromWire(w: WireError): EditError {
  const err = new RetouchError(w.message, {
    status: w.status, type: w.type, code: w.code, param: w.param, retryable: w.retryable,
    ...(w.retryAfter !== undefined ? { retryAfter: w.retryAfter } : {}),
  });
  return Object.assign(err, { usage: w.usage ?? {} });
}

/** What a worker records under a job's id before the job is acknowledged. */
export type JobResult = { ok: true; outcome: EditOutcome } | { ok: false; error: WireError };

/** The data of one BullMQ job. */
export interface QueuedEdit {
  job: EditJob;
  /** Epoch ms past which nobody waits for the job: a worker drops it, or stops it. */
  deadline: number;
  /** Whether someone listens to its events (a worker publishes none otherwise). */
  events: boolean;
}
