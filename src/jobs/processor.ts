import type { InputStash } from '../edits/inputs.ts';
import type { EditJob } from '../edits/job.ts';
import type { EditError, EditOutcome } from '../edits/service.ts';
import { errors, RetouchError } from '../errors.ts';
import type { ProcessEdit } from '../queue/index.ts';
import type { JobRecord, Store } from '../store/index.ts';
import { ENDED } from '../store/jobs.ts';
import type { UsageMeter } from '../usage/meter.ts';

export interface JobProcessorDeps {
  store: Store;
  inputs: InputStash;
  usage: UsageMeter;
  /** A job that ended with a webhook to send: its first attempt is due now (see webhooks.ts). */
  onWebhookDue?: (jobId: string) => void;
  /** How often a running job's record is touched, so a sweeper can tell a job whose process died (lease.ts). */
  touchEveryMs: number;
  /** How async jobs submitted from this process settle their key's quota when they end here. */
  settlements: Settlements;
}

/** What a job's submitter settles when the job ends (the key's lease and quotas), by job id. */
export type Settlements = Map<string, (produced: { images: number; pixels: number }) => void>;

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
 * leave it to this), and its webhook scheduled. The same code runs inline or on a worker; a job that is not `queued` any more (canceled, or already run by another worker) is not
 * run again.
 */
export function jobProcessor(inner: ProcessEdit, deps: JobProcessorDeps): ProcessEdit {
  const { store } = deps;
  return async (job: EditJob, opts) => {
    const jobId = job.jobId;
    if (!jobId) return inner(job, opts);
    const started = Date.now();
    if (!(await store.updateJob(jobId, { status: 'running' }, started, ['queued']))) {
      const record = await store.getJob(jobId);
      throw record?.status === 'canceled' ? errors.cancelled() : errors.internal(new Error(`job ${jobId} is ${record?.status ?? 'missing'}`));
    }
    // Touches the record while it runs: a record that goes untouched belongs to a process that died.
    const touch = setInterval(() => void store.updateJob(jobId, {}, Date.now(), ['running']).catch(() => {}), deps.touchEveryMs);
    touch.unref();
    const record = await store.getJob(jobId);
    const webhookAt = () => (record?.webhookUrl ? Date.now() : null);
    const settle = async (status: number, usage: EditOutcome['usage'], produced: { images: number; pixels: number }) => {
      const settleQuota = deps.settlements.get(jobId);
      deps.settlements.delete(jobId);
      settleQuota?.(produced);
      await deps.usage.record({ requestId: job.id, keyId: job.keyId, status, latencyMs: Date.now() - started, usage })
        .catch(() => {}); // a usage record lost must not fail the job
    };
    try {
      const outcome = await inner(job, opts);
      const recorded = await store.updateJob(jobId, { status: 'succeeded', result: plainAnswer(outcome), webhookNextAt: webhookAt() }, Date.now(), ['running']);
      await settle(200, outcome.usage, { images: outcome.images, pixels: outcome.usage.outputPixels ?? 0 });
      if (recorded && record?.webhookUrl) deps.onWebhookDue?.(jobId);
      return outcome;
    } catch (err) {
      // Aborted and not canceled by its client (that write came first): this process is shutting down.
      const e = opts.signal.aborted ? SHUT_DOWN : err instanceof RetouchError ? err : errors.internal(err);
      // A job canceled by DELETE is already `canceled`; this write then does nothing.
      const recorded = await store.updateJob(jobId, { status: 'failed', error: jobError(e), webhookNextAt: webhookAt() }, Date.now(), ['running']);
      await settle(e.status, { ...(err as EditError).usage, errorCode: e.code ?? e.type }, { images: 0, pixels: 0 });
      if (recorded && record?.webhookUrl) deps.onWebhookDue?.(jobId);
      throw err;
    } finally {
      clearInterval(touch);
      void deps.inputs.delete(job.mask ? [...job.images, job.mask] : job.images);
    }
  };
}

/** The answer as plain JSON for the record: job-backed edits always host their images (see edits.ts). */
function plainAnswer(outcome: EditOutcome): Record<string, unknown> {
  return JSON.parse(JSON.stringify(outcome.answer));
}

export const isEnded = (status: JobRecord['status']) => ENDED.includes(status);
