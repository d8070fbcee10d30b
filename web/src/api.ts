/** The public API as the page uses it: nothing here that any other client could not do. */

export interface ApiErrorBody { message: string; type: string; param: string | null; code: string | null }

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) {
    super(body.message);
  }
}

async function failure(res: Response): Promise<ApiError> {
  const json = await res.json().catch(() => null);
  const body: ApiErrorBody = json?.error ?? { message: `The server answered ${res.status}.`, type: 'server_error', param: null, code: null };
  return new ApiError(res.status, body);
}

export async function listModels(key: string): Promise<string[]> {
  const res = await fetch('/v1/models', { headers: { authorization: `Bearer ${key}` } });
  if (!res.ok) throw await failure(res);
  const json = await res.json();
  return (json.data as Array<{ id: string }>).map((m) => m.id);
}

export interface EditInput {
  key: string;
  images: Blob[];
  mask?: Blob | undefined;
  prompt: string;
  model: string;
  size: string;
  outputFormat: string;
}

export interface EditOutput {
  image: Blob;
  url: string;
  revisedPrompt: string | undefined;
  backend: string;
  latencyMs: number;
}

/** POST /v1/images/edits as multipart, then fetch the hosted result. */
export async function editImage(input: EditInput, signal: AbortSignal): Promise<EditOutput> {
  const form = new FormData();
  for (const image of input.images) form.append('image', image, 'image');
  if (input.mask) form.append('mask', input.mask, 'mask.png');
  form.append('prompt', input.prompt);
  form.append('model', input.model);
  if (input.size !== 'auto') form.append('size', input.size);
  form.append('output_format', input.outputFormat);
  const started = performance.now();
  const res = await fetch('/v1/images/edits', { method: 'POST', body: form, headers: { authorization: `Bearer ${input.key}` }, signal });
  if (!res.ok) throw await failure(res);
  const json = await res.json();
  const url: string = json.data[0].url;
  const img = await fetch(url, { signal });
  if (!img.ok) throw await failure(img);
  return {
    image: await img.blob(),
    url,
    revisedPrompt: json.data[0].revised_prompt,
    backend: res.headers.get('x-retouch-backend') ?? 'unknown',
    latencyMs: performance.now() - started,
  };
}
