import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { EditEvent, EditJob } from '../../edits/job.ts';
import type { EditError, EditOutcome } from '../../edits/service.ts';
import { errors } from '../../errors.ts';
import { CANCELLED_STATUS } from '../../usage/meter.ts';

/**
 * What every door of POST /v1/images/edits does around the edit itself: give the key's lease back
 * and charge its quotas, keep the usage record, and stop the edit when the client leaves. The sync
 * and streaming doors run the job through `run`; the async door only uses the bookkeeping.
 */
export function editBookkeeping(services: Services) {
  const { queue, inputs } = services;

  /** Gives back the request's concurrency lease and charges its quotas with what it produced. */
  async function finishAdmission(request: FastifyRequest, pixels: number) {
    await request.admission?.finish({ images: request.imagesProduced, pixels })
      .catch((err) => request.log.warn({ err }, 'could not charge the quota'));
  }

  /** A client that left still gets its usage record, with the work done for it, recorded now. */
  function recordCancelled(request: FastifyRequest, reply: FastifyReply) {
    if (!request.usage) return; // recorded already
    const usage = { ...request.usage, errorCode: 'request_cancelled' };
    request.usage = null; // onResponse must not record it a second time
    void services.usage.record({ requestId: request.id, keyId: request.apiKeyId, status: CANCELLED_STATUS, latencyMs: reply.elapsedTime, usage })
      .catch((err) => request.log.warn({ err }, 'could not record usage'));
  }

  /**
   * Runs the job through the queue while the client waits, aborting it when the client goes away,
   * and settles the request's usage and quotas with its outcome. The job's inputs are dropped after.
   */
  async function run(request: FastifyRequest, reply: FastifyReply, job: EditJob, onEvent?: (e: EditEvent) => void, o: { finishWhenGone?: boolean } = {}): Promise<EditOutcome> {
    const usage = request.usage ?? {};
    const abort = new AbortController();
    const gone = () => !reply.raw.writableFinished && reply.raw.destroyed;
    // An idempotent request's edit goes on when its client leaves: the retry finds its result.
    if (!o.finishWhenGone) reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const inputKeys = job.mask ? [...job.images, job.mask] : job.images;
    if (gone() && !o.finishWhenGone) {
      void inputs.delete(inputKeys);
      throw errors.cancelled(); // no work for a client that has left
    }
    let outcome: EditOutcome;
    request.editRunning = true;
    // Queue wait, from the door's hand-over to the processor's 'started' (wherever the job runs).
    const queued = Date.now();
    const observe = (e: EditEvent) => {
      if (e.type === 'stage' && e.stage === 'started') services.metrics.observeQueueWait(e.at - queued);
      onEvent?.(e);
    };
    try {
      outcome = await queue.run(job, { signal: abort.signal, onEvent: observe });
    } catch (err) {
      Object.assign(usage, (err as EditError).usage);
      await finishAdmission(request, usage.outputPixels ?? 0);
      if (abort.signal.aborted || gone()) recordCancelled(request, reply);
      throw err;
    } finally {
      request.editRunning = false;
      void inputs.delete(inputKeys);
    }
    Object.assign(usage, outcome.usage);
    request.imagesProduced = outcome.images;
    // Charged before the answer is sent, so the client's next request sees it on every node.
    await finishAdmission(request, usage.outputPixels ?? 0);
    if (abort.signal.aborted || gone()) {
      recordCancelled(request, reply);
      throw errors.cancelled();
    }
    return outcome;
  }

  return { run, finishAdmission, recordCancelled };
}

export type EditBookkeeping = ReturnType<typeof editBookkeeping>;
