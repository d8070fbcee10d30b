import { errors } from '../errors.ts';
import type { Background, EncodeOptions, OutputFormat } from '../images/encode.ts';
import type { InputImage } from '../images/input.ts';
import { parseSize, type SizeSpec } from './size.ts';

export type ResponseFormat = 'url' | 'b64_json';

/** One edit, validated, with every image probed: what every backend receives. */
export interface EditRequest extends ScalarFields {
  images: InputImage[];
  mask: InputImage | undefined;
}

export const PASSTHROUGH_FIELDS = ['quality', 'input_fidelity', 'user', 'moderation', 'stream', 'partial_images'] as const;

/** Scalar fields of the form; numbers and booleans arrive as strings. */
export type EditFields = Record<string, string | undefined>;

/** A field that takes one of a few values (case-insensitive); anything else is a 400 naming it. */
export function oneOf<T extends string>(fields: EditFields, name: string, allowed: readonly T[], fallback: T): T {
  const raw = fields[name]?.trim();
  if (!raw) return fallback;
  const value = raw.toLowerCase() === 'jpg' && name === 'output_format' ? 'jpeg' : raw.toLowerCase();
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw errors.invalidValue(name, `Invalid value for '${name}': '${raw}'. Supported values are: ${allowed.map((a) => `'${a}'`).join(', ')}.`);
}

function integer(fields: EditFields, name: string, min: number, max: number): number | undefined {
  const raw = fields[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!/^[+]?\d+$/.test(raw) || value < min || value > max) {
    throw errors.invalidValue(name, `Invalid value for '${name}': '${raw}'. Expected an integer from ${min} to ${max}.`);
  }
  return value;
}

/** The request's scalar fields, validated. */
export interface ScalarFields {
  model: string;
  prompt: string;
  size: SizeSpec;
  /** The `size` field as sent, for upstreams that take it verbatim. */
  sizeRaw: string | undefined;
  n: number;
  responseFormat: ResponseFormat;
  outputFormat: OutputFormat;
  outputCompression: number | undefined;
  background: Background;
  /** `stream=true`: the answer is Server-Sent Events (the streaming door). */
  stream: boolean;
  /** Partial images a streaming client asked for, 0–3 (`partial_images`). */
  partialImages: number;
  /** Fields accepted for compatibility and forwarded to upstreams that understand them. */
  extra: Partial<Record<(typeof PASSTHROUGH_FIELDS)[number], string>>;
}

/** Validates the scalar fields; the first problem found is thrown as the contract's 400. */
export function parseScalarFields(fields: EditFields, maxPromptChars: number): ScalarFields {
  const prompt = fields.prompt ?? '';
  if (!prompt.trim()) throw errors.missingParameter('prompt');
  if (prompt.length > maxPromptChars) {
    throw errors.invalidValue('prompt', `The prompt is ${prompt.length} characters; the limit is ${maxPromptChars}.`);
  }
  const model = fields.model?.trim() ?? '';
  if (!model) throw errors.missingParameter('model');
  const outputFormat = oneOf<OutputFormat>(fields, 'output_format', ['webp', 'png', 'jpeg'], 'webp');
  const background = oneOf<Background>(fields, 'background', ['transparent', 'opaque', 'auto'], 'auto');
  if (background === 'transparent' && outputFormat === 'jpeg') {
    throw errors.invalidValue('background', "background 'transparent' needs output_format 'png' or 'webp'; JPEG has no transparency.");
  }
  const stream = oneOf(fields, 'stream', ['true', 'false', '1', '0'], 'false');
  const extra: ScalarFields['extra'] = {};
  for (const name of PASSTHROUGH_FIELDS) if (fields[name]?.trim()) extra[name] = fields[name]!.trim();
  return {
    model,
    prompt,
    size: parseSize(fields.size),
    sizeRaw: fields.size?.trim() || undefined,
    n: integer(fields, 'n', 1, 10) ?? 1,
    responseFormat: oneOf<ResponseFormat>(fields, 'response_format', ['url', 'b64_json'], 'url'),
    outputFormat,
    outputCompression: integer(fields, 'output_compression', 0, 100),
    background,
    stream: stream === 'true' || stream === '1',
    partialImages: integer(fields, 'partial_images', 0, 3) ?? 0,
    extra,
  };
}

/** How a request's result is to be encoded, for the local engine and upstream results alike. */
export const encodeOptionsOf = (request: EditRequest): EncodeOptions => ({
  format: request.outputFormat, compression: request.outputCompression, background: request.background,
});
