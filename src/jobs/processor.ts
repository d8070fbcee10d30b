import { setTimeout as sleep } from 'node:timers/promises';
import type { InputStash } from '../edits/inputs.ts';
import type { EditJob } from '../edits/job.ts';
import type { EditError, EditOutcome } from '../edits/service.ts';
import { errors, RetouchError } from '../errors.ts';
import type { ProcessEdit } from '../queue/index.ts';
import type { KeyLimitGate, Produced } from '../ratelimit/key-limits.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { ENDED } from '../store/jobs.ts';
import type { UsageMeter } from '../usage/meter.ts';

export interface JobProcessorDeps {
  store: Store;
  inputs: InputStash;
  usage: UsageMeter;
  /** Settles the key admission an async job carries (its lease, its quotas) when the job ends. */
  gate: KeyLimitGate;
  /** A job that ended with a webhook to send: its first attempt is due now (see webhooks.ts). */
  onWebhookDue?: (jobId: string) => void;
  /** How often a running job's record is touched, so a sweeper can tell a job whose process died (lease.ts). */
  touchEveryMs: number;
}

const NOTHING: Produced = { images: 0, pixels: 0 };

const SHUT_DOWN = new RetouchError('The server shut down before this job finished; nothing was delivered. Submit it again.', {
  status: 503, type: 'server_error', code: 'job_interrupted', param: null,
});

/** The error object a job keeps, from anything thrown. */
export const jobError = (err: unknown): NonNullable<JobRecord['error']> => {
  const e = err instanceof RetouchError ? err : errors.internal(err);
  return { ...e.toEnvelope().error, status: e.status };
};

/**
 * The one ProcessEdit every queue runs, wrapped so a job with a record (`job.jobId`: an async job
 * or an idempotent request) keeps it: running when a processor takes it, succeeded with its answer
 * or failed with its error when it ends, its usage record written (the doors of job-backed edits
 * leave it to this), and its webhook scheduled. The same code runs inline or on a worker; a job
 * that has ended (canceled, or run to its end already) is not run again.
 */
export function jobProcessor(inner: ProcessEdit, deps: JobProcessorDeps): ProcessEdit {
  const { store } = deps;
  return async (job: EditJob, opts) => {
    const jobId = job.jobId;
    if (!jobId) return inner(job, opts);
    const started = Date.now();
    const settleAdmission = (produced: Produced) => (job.admission ? deps.gate.settle(job.admission, produced).catch(() => {}) : undefined);
    // `running` too: a job found running again is one whose worker died mid-edit, handed on by
    // BullMQ to this one (a job is held by one worker at a time); it must finish, not stay running.
    if (!(await store.updateJob(jobId, { status: 'running' }, started, ['queued', 'running']))) {
      // Canceled before it started, or ended already: nothing more to do, nothing produced here.
      await settleAdmission(NOTHING);
      const record = await store.getJob(jobId);
      throw record?.status === 'canceled' ? errors.cancelled() : errors.internal(new Error(`job ${jobId} is ${record?.status ?? 'missing'}`));
    }
    // Touches the record while it runs: a record that goes untouched belongs to a process that died.
    const touch = setInterval(() => void store.updateJob(jobId, {}, Date.now(), ['running']).catch(() => {}), deps.touchEveryMs);
    touch.unref();
    const record = await store.getJob(jobId);
    const webhookAt = () => (record?.webhookUrl ? Date.now() : null);
    // The key's lease and quotas are settled and the usage record written BEFORE the end is
    // recorded: a client that reads the ended job (Prefer: wait re-reads the record) and sends its
    // next request at once must find its lease back and its quota charged. Recorded first, the
    // job read as succeeded while its key still held the lease (a spurious 429 on a concurrent: 1
    // key) and before its usage record existed.
    // Once only: a store that fails to record the success must not settle and record usage again
    // as a failure of the same job.
    let settled = false;
    const settle = async (status: number, usage: EditOutcome['usage'], produced: Produced) => {
      if (settled) return;
      settled = true;
      await settleAdmission(produced);
      await deps.usage.record({ requestId: job.id, keyId: job.keyId, status, latencyMs: Date.now() - started, usage })
        .catch(() => {}); // a usage record lost must not fail the job
    };
    // The outcome is in the store now: whoever follows the job (GET …/events, Prefer: wait) reads it.
    const announce = () => opts.onEvent?.({ type: 'stage', stage: 'ended', at: Date.now() });
    try {
      const outcome = await (job.detached ? whenNotBusy(() => inner(job, opts), opts.signal) : inner(job, opts));
      await settle(200, outcome.usage, { images: outcome.images, pixels: outcome.usage.outputPixels ?? 0 });
      const recorded = await store.updateJob(jobId, { status: 'succeeded', result: plainAnswer(outcome), webhookNextAt: webhookAt() }, Date.now(), ['running']);
      announce();
      if (recorded && record?.webhookUrl) deps.onWebhookDue?.(jobId);
      return outcome;
    } catch (err) {
      // Aborted and not canceled by its client (that write came first): this process is shutting down.
      const e = opts.signal.aborted ? SHUT_DOWN : err instanceof RetouchError ? err : errors.internal(err);
      // Pixels an upstream produced before the job failed are spent, as the synchronous door counts
      // them (and as the usage record, which quotas are rebuilt from at start, holds them).
      const usage = (err as EditError).usage;
      await settle(e.status, { ...usage, errorCode: e.code ?? e.type }, { images: 0, pixels: usage?.outputPixels ?? 0 });
      // A job canceled by DELETE is already `canceled`; this write then does nothing.
      const recorded = await store.updateJob(jobId, { status: 'failed', error: jobError(e), webhookNextAt: webhookAt() }, Date.now(), ['running']);
      announce();
      if (recorded && record?.webhookUrl) deps.onWebhookDue?.(jobId);
      throw err;
    } finally {
      clearInterval(touch);
      void deps.inputs.delete(job.mask ? [...job.images, job.mask] : job.images);
    }
  };
}

/** How long a detached job waits, in all, for a busy backend to take it. */
const BUSY_WAIT_MS = 10 * 60_000;

/**
 * Runs `edit`, and while it is refused because a backend's queue is full (429 with retry-after:
 * nothing was done), waits that long and asks again, up to BUSY_WAIT_MS or an abort. A client
 * waiting on its answer retries such a 429 itself; a detached job has no client to do it.
 */
async function whenNotBusy<T>(edit: () => Promise<T>, signal: AbortSignal): Promise<T> {
  const giveUp = Date.now() + BUSY_WAIT_MS;
  for (;;) {
    try {
      return await edit();
    } catch (err) {
      const busy = err instanceof RetouchError && err.status === 429 && err.code === 'rate_limit_exceeded' && err.retryAfter !== undefined;
      if (!busy || signal.aborted || Date.now() >= giveUp) throw err;
      await sleep(Math.min(err.retryAfter! * 1000, 5_000), undefined, { signal }).catch(() => {});
      if (signal.aborted) throw err;
    }
  }
}

/**
 * The answer as plain JSON for the record (job-backed edits always host their images, see edits.ts),
 * with the backend that served it.
 */
function plainAnswer(outcome: EditOutcome): Record<string, unknown> {
  const backend = outcome.headers['x-retouch-backend'];
  return { ...JSON.parse(JSON.stringify(outcome.answer)), ...(backend ? { backend } : {}) };
}

export const isEnded = (status: JobRecord['status']) => ENDED.includes(status);

/** Ends a recorded job that no processor will end: it never ran, or its runs died with their workers. */
export type EndUnprocessed = (job: EditJob, error: RetouchError) => Promise<void>;

/**
 * What the processor does at a job's end, for a job that ended without it: BullMQ gave up on it (two
 * workers died running it), or it waited past its deadline, so no processor recorded anything. The
 * record is failed with the error (only from queued or running: an end already recorded stays), the
 * key's lease is given back, a usage record says why, and the webhook is due. Several API nodes may
 * hear the same end; the conditional write makes one of them do it.
 */
export function unprocessedJobEnder(deps: Omit<JobProcessorDeps, 'touchEveryMs'>): EndUnprocessed {
  return async (job, error) => {
    const jobId = job.jobId;
    if (!jobId) return;
    const record = await deps.store.getJob(jobId);
    if (!record) return;
    const at = Date.now();
    const ended = await deps.store.updateJob(jobId, { status: 'failed', error: jobError(error), webhookNextAt: record.webhookUrl ? at : null }, at, ['queued', 'running']);
    if (!ended) return;
    if (job.admission) await deps.gate.settle(job.admission, NOTHING).catch(() => {});
    await deps.usage.record({ requestId: job.id, keyId: job.keyId, status: error.status, latencyMs: at - record.createdAt, usage: { model: job.fields.model, errorCode: error.code ?? error.type } })
      .catch(() => {});
    if (record.webhookUrl) deps.onWebhookDue?.(jobId);
  };
}
