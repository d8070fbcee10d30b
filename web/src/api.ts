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

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

export async function listModels(key: string): Promise<string[]> {
  const res = await fetch('/v1/models', { headers: auth(key) });
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

/** An async edit job as the API shows it (`image.edit.job`). */
export interface Job {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
  data?: Array<{ url: string; revised_prompt?: string }>;
  /** Which backend served it, once succeeded. */
  backend?: string;
  error?: ApiErrorBody;
}

const ENDED = ['succeeded', 'failed', 'canceled'];

/** Partial images asked of every edit: the page shows them while the edit runs. */
const PARTIAL_IMAGES = 2;

/**
 * POST /v1/images/edits as an async job (`Prefer: respond-async`), so the edit outlives the page:
 * a reload follows the same job again. Answers the job at once (202).
 */
export async function submitEdit(input: EditInput, signal: AbortSignal): Promise<Job> {
  const form = new FormData();
  for (const image of input.images) form.append('image', image, 'image');
  if (input.mask) form.append('mask', input.mask, 'mask.png');
  form.append('prompt', input.prompt);
  form.append('model', input.model);
  if (input.size !== 'auto') form.append('size', input.size);
  form.append('output_format', input.outputFormat);
  form.append('partial_images', String(PARTIAL_IMAGES));
  const res = await fetch('/v1/images/edits', { method: 'POST', body: form, headers: { ...auth(input.key), prefer: 'respond-async' }, signal });
  if (!res.ok) throw await failure(res);
  return res.json();
}

export interface FollowHandlers {
  /** The job's state, each time it changes. */
  onJob(job: Job): void;
  /** A partial image (a preview of the edit so far), as base64 of `format`. */
  onPartial(partial: { b64: string; format: string; index: number }): void;
}

/**
 * Follows a job until it ends: its events (GET …/events: state changes and partial images), and,
 * should that stream break, polling (GET with `Prefer: wait`). Resolves with the ended job.
 */
export async function followJob(key: string, id: string, handlers: FollowHandlers, signal: AbortSignal): Promise<Job> {
  try {
    const ended = await readEvents(key, id, handlers, signal);
    if (ended) return ended;
  } catch (err) {
    if (signal.aborted || (err instanceof ApiError && !TRANSIENT.includes(err.status))) throw err;
    // The stream broke (a proxy, the network, a server restarting): polling gets the end all the same.
  }
  for (let pause = 1000; ; pause = Math.min(pause * 2, 5000)) {
    // A server restarting, or a network away for a moment, is waited out: the job goes on meanwhile.
    const res = await fetch(`/v1/images/edits/${id}`, { headers: { ...auth(key), prefer: 'wait=20' }, signal }).catch((err: unknown) => {
      if (signal.aborted) throw err;
      return null;
    });
    if (!res || TRANSIENT.includes(res.status)) {
      await sleep(pause, signal);
      continue;
    }
    if (!res.ok) throw await failure(res);
    const job: Job = await res.json();
    handlers.onJob(job);
    if (ENDED.includes(job.status)) return job;
    pause = 500; // answered: the next wait starts short again
  }
}

/** Statuses that say "not now" rather than "no": worth asking again. */
const TRANSIENT = [429, 502, 503, 504];

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

/** Reads the job's event stream; the ended job, or undefined when the stream stopped before the end. */
async function readEvents(key: string, id: string, handlers: FollowHandlers, signal: AbortSignal): Promise<Job | undefined> {
  const res = await fetch(`/v1/images/edits/${id}/events`, { headers: auth(key), signal });
  if (!res.ok) throw await failure(res);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return undefined;
    buffered += value;
    let end: number;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!name || !data) continue; // a heartbeat comment
      const payload = JSON.parse(data);
      if (name === 'image_edit.partial_image') {
        handlers.onPartial({ b64: payload.b64_json, format: payload.output_format, index: payload.partial_image_index });
      } else if (name === 'image.edit.job') {
        handlers.onJob(payload);
        if (ENDED.includes(payload.status)) {
          void reader.cancel().catch(() => {});
          return payload;
        }
      }
    }
  }
}

/** DELETE /v1/images/edits/{id}: cancels the job if it has not ended. */
export async function cancelJob(key: string, id: string): Promise<void> {
  const res = await fetch(`/v1/images/edits/${id}`, { method: 'DELETE', headers: auth(key) });
  if (!res.ok && res.status !== 404) throw await failure(res);
}

/** The hosted result image of a succeeded job. */
export async function fetchResult(url: string, signal: AbortSignal): Promise<Blob> {
  const res = await fetch(url, { signal });
  if (!res.ok) throw await failure(res);
  return res.blob();
}

/** A failed or canceled job's error as the API error it is (a job's envelope carries no HTTP status: 0). */
export function jobFailure(job: Job): ApiError {
  const body = job.error ?? { message: `The job ended ${job.status}.`, type: 'server_error', param: null, code: null };
  return new ApiError(0, body);
}
