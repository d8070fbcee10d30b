import type { BlobStore } from '../blob/index.ts';
import type { Redactor } from '../redact.ts';
import type { JobRecord, WebhookAttempt } from '../store/index.ts';

/** Longest `Prefer: wait=N` honoured, in seconds: past it proxies cut the connection anyway. */
export const MAX_WAIT_SECONDS = 60;

/**
 * `Prefer` as RFC 7240 has it: `respond-async` and `wait=N` (seconds, capped), from one or several
 * headers, case-insensitive.
 */
export function parsePrefer(header: string | string[] | undefined): { respondAsync: boolean; waitSeconds: number | undefined } {
  const tokens = (Array.isArray(header) ? header.join(',') : header ?? '').split(/[,;]/).map((t) => t.trim().toLowerCase());
  const wait = tokens.map((t) => /^wait\s*=\s*"?(\d+)"?$/.exec(t)?.[1]).find((w) => w !== undefined);
  return { respondAsync: tokens.includes('respond-async'), waitSeconds: wait === undefined ? undefined : Math.min(Number(wait), MAX_WAIT_SECONDS) };
}

/** The four keys of the error envelope, without the status the record keeps beside them. */
export const envelopeError = ({ message, type, param, code }: NonNullable<JobRecord['error']>) => ({ message, type, param, code });

const seconds = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

/** The name of a hosted image from its URL (`…/img/<name>`). */
const imageName = (url: string) => /\/img\/([^/?#]+)$/.exec(url)?.[1];

/**
 * A succeeded job's `data` in the format the client asked for: hosted URLs as kept, or base64 read
 * back from the hosted images (which follow image retention, as the job does).
 */
export async function jobData(job: JobRecord, blobs: BlobStore): Promise<unknown[]> {
  if (job.responseFormat === 'url') return (job.result?.data ?? []) as unknown[];
  return (await jobImages(job, blobs)).map(({ bytes, entry: { url: _url, ...rest } }) => ({ b64_json: bytes?.toString('base64') ?? null, ...rest }));
}

/** A succeeded job's hosted images read back, each beside its `data` entry; null once expired with its image. */
export async function jobImages(job: JobRecord, blobs: BlobStore): Promise<Array<{ entry: { url: string; revised_prompt?: string }; bytes: Buffer | null }>> {
  const data = (job.result?.data ?? []) as Array<{ url: string; revised_prompt?: string }>;
  return Promise.all(data.map(async (entry) => {
    const name = imageName(entry.url);
    const blob = name ? await blobs.get(name) : null;
    if (!blob) return { entry, bytes: null };
    const chunks: Buffer[] = [];
    for await (const c of blob.body) chunks.push(c as Buffer);
    return { entry, bytes: Buffer.concat(chunks) };
  }));
}

/** The job object of the API (`image.edit.job`), as GET, DELETE, the 202 and the webhook show it. */
export function jobObject(job: JobRecord, data: unknown[] | undefined, attempts: WebhookAttempt[], redactor: Redactor) {
  return {
    id: job.id,
    object: 'image.edit.job',
    status: job.status,
    created: seconds(job.createdAt),
    model: job.model,
    ...(job.status === 'succeeded' && job.result ? {
      data: data ?? job.result.data,
      ...(job.result.usage ? { usage: job.result.usage } : {}),
      ...(job.result.backend ? { backend: job.result.backend } : {}),
    } : {}),
    ...(job.error ? redactor.redactEnvelope({ error: envelopeError(job.error) }) : {}),
    ...(job.webhookUrl ? {
      webhook: {
        url: withoutPassword(job.webhookUrl),
        delivered_at: seconds(job.webhookDeliveredAt),
        next_attempt_at: seconds(job.webhookNextAt),
        attempts: attempts.map((a) => ({ at: seconds(a.at), status: a.status, error: a.error, duration_ms: a.durationMs })),
      },
    } : {}),
  };
}

/** A URL with the password of its user info masked: a receiver's basic-auth password is not shown back. */
function withoutPassword(raw: string): string {
  try {
    const url = new URL(raw);
    if (!url.password) return raw;
    url.password = '***';
    return url.toString();
  } catch {
    return raw;
  }
}
