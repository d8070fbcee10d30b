import { PASSTHROUGH_FIELDS } from '../edits/request.ts';
import { errors } from '../errors.ts';
import { checkMagic, type RawForm } from './uploads.ts';

type ImageRef = string | { image_url?: unknown; url?: unknown } | undefined;

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w-]+=[^;,]*)*;base64,/i;
/** Standard or URL-safe base64, padded or not, with the line breaks some encoders add. */
const BASE64 = /^[A-Za-z0-9+/_\-\s]*={0,2}\s*$/;

/** Decodes one image reference from a JSON body: a data URL, or an https URL when enabled. */
async function resolveImage(ref: ImageRef, param: string, fetchRemote: RemoteFetcher | undefined, maxBytes: number): Promise<Buffer> {
  const url = typeof ref === 'string' ? ref : typeof ref?.image_url === 'string' ? ref.image_url : typeof ref?.url === 'string' ? ref.url : undefined;
  if (!url) throw errors.invalidValue(param, `'${param}' must be a data URL string or {"image_url": "data:image/png;base64,..."}.`);
  const data = DATA_URL.exec(url);
  if (data) {
    const base64 = url.slice(data[0].length);
    if (base64.length * 0.75 > maxBytes + 3) throw errors.payloadTooLarge(`'${param}' is larger than the per-file limit.`, param);
    // Buffer.from skips what is not base64, so "!!!!" would read as an empty file: say what is wrong.
    if (!BASE64.test(base64)) throw errors.invalidImage(`'${param}' is not valid base64 after "base64,".`, param);
    const bytes = Buffer.from(base64, 'base64');
    checkMagic(bytes, param);
    return bytes;
  }
  if (/^https?:\/\//i.test(url)) {
    if (!fetchRemote) {
      throw errors.invalidValue(param, `Remote image URLs are disabled on this server; send the image as a data URL (or ask the operator to set RETOUCH_REMOTE_IMAGES=true).`);
    }
    const bytes = await fetchRemote(url, param);
    checkMagic(bytes, param);
    return bytes;
  }
  throw errors.invalidValue(param, `'${param}' must be a base64 data URL (data:image/png;base64,...) or an https URL.`);
}

export type RemoteFetcher = (url: string, param: string) => Promise<Buffer>;

const scalar = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

/** Fields that are text by nature: a number or a boolean in one is a client's mistake, not a prompt of "123". */
const TEXT_FIELDS = new Set(['model', 'prompt', 'webhook_url']);

/** The scalar fields of an edit: an object or a list in one of them is a mistake to say, not to skip. */
const SCALAR_FIELDS = new Set(['model', 'prompt', 'size', 'n', 'response_format', 'output_format', 'output_compression', 'background', 'async', 'webhook_url', ...PASSTHROUGH_FIELDS]);

/**
 * Reads the JSON form of the edit request (contract 2.3): `images: [{image_url}]`, or `image` as a
 * data URL (or a list of them), `mask: {image_url}`, and the same scalar fields as multipart.
 */
export async function readJsonForm(body: unknown, maxImages: number, maxFileBytes: number, fetchRemote?: RemoteFetcher): Promise<RawForm> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.invalidRequest('The JSON body must be an object.', 'invalid_json');
  const b = body as Record<string, unknown>;
  const refs: ImageRef[] = [];
  for (const key of ['images', 'image']) {
    const v = b[key];
    if (Array.isArray(v)) refs.push(...(v as ImageRef[]));
    else if (v !== undefined && v !== null && v !== '') refs.push(v as ImageRef);
  }
  if (refs.length > maxImages) throw errors.invalidValue('image', `Too many images: at most ${maxImages} per request.`);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(b)) {
    if (k === 'image' || k === 'images' || k === 'mask') continue;
    if (TEXT_FIELDS.has(k) && v !== undefined && v !== null && typeof v !== 'string') {
      throw errors.invalidValue(k, `Invalid type for '${k}': expected a string, got ${Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`}.`);
    }
    const s = scalar(v);
    if (s !== undefined) fields[k] = s;
    else if (v !== undefined && v !== null && SCALAR_FIELDS.has(k)) {
      throw errors.invalidValue(k, `Invalid type for '${k}': expected a string or a number, got ${Array.isArray(v) ? 'an array' : 'an object'}.`);
    }
  }
  const images: Buffer[] = [];
  for (const ref of refs) images.push(await resolveImage(ref, 'image', fetchRemote, maxFileBytes));
  const maskRef = b.mask as ImageRef | null;
  const mask = maskRef ? await resolveImage(maskRef, 'mask', fetchRemote, maxFileBytes) : undefined;
  return { fields, images, mask };
}
