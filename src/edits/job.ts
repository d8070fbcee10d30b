import type { EncodedImage } from '../images/encode.ts';
import type { AdmissionTicket } from '../ratelimit/key-limits.ts';
import type { ScalarFields } from './request.ts';

/**
 * One edit as data: everything the service needs, and nothing that only lives in one process (no
 * Buffer, no socket). The same job runs inline behind the HTTP route, in a queue worker on another
 * machine, or again after a crash.
 */
export interface EditJob {
  /** The request's id (`req_…`), the one the client sees in `x-request-id`; the usage record carries it. */
  id: string;
  keyId: string | null;
  /** The validated scalar fields (model, prompt, size, formats, …). */
  fields: ScalarFields;
  /** Keys of the input images in the input stash, in order. */
  images: string[];
  mask: string | null;
  /** Base of hosted result URLs (`RETOUCH_PUBLIC_URL`, or the request's own origin). */
  publicBase: string;
  /**
   * What the key's admission holds while the job runs (its concurrency lease, the quotas to charge),
   * for jobs whose door does not wait for them (async jobs): the processor settles it when the job
   * ends, wherever it runs. Doors that wait settle it themselves.
   */
  admission?: AdmissionTicket;
  /**
   * No client waits on the answer (an async job): a backend too busy to take the edit now is
   * waited for, rather than the job failing with the 429 a waiting client would get to retry on.
   */
  detached?: boolean;
  /**
   * The job record (`job_…`) that keeps this edit's outcome, for async jobs and idempotent
   * requests; the processor (src/jobs/processor.ts) records it. Absent: nothing is recorded.
   */
  jobId?: string;
}

/**
 * What `onEvent` hears while a job runs: its stages ('started' when a processor takes it, so a door
 * can tell queue wait from work; 'ended' once a recorded job's outcome is in the store, so whoever
 * follows it can read it), and partial images, with the request's own `background` and `quality`
 * so a follower that never saw the request can describe them as OpenAI does.
 */
export type EditEvent =
  | { type: 'stage'; stage: 'started' | 'validated' | 'edited' | 'stored' | 'ended'; at: number }
  | { type: 'partial_image'; index: number; image: EncodedImage; background: string; quality: string };

export interface RunOptions {
  signal: AbortSignal;
  onEvent?: (event: EditEvent) => void;
}
