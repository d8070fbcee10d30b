import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../app.ts';
import type { EditEvent } from '../../edits/job.ts';
import type { JobRecord } from '../../store/index.ts';
import { ENDED } from '../../store/jobs.ts';
import { EventStream, sendEventStream } from '../sse.ts';
import { partialImageEvent } from './edit-stream.ts';

/**
 * How often a followed job's record is re-read for a change no event announced (a job run inline by
 * another API node sends its events there). Events make the common case immediate.
 */
export const REREAD_MS = 2000;

/**
 * GET /v1/images/edits/{id}/events: follows an async job as Server-Sent Events. `image.edit.job`
 * carries the job object as GET shows it: at once, when it starts running, and when it ends (the
 * last event; the stream closes after it). In between, `image_edit.partial_image` events carry
 * the partial images the job was asked for (`partial_images`), shaped as a POST stream's. A
 * follower that connects late, or again after a reload, gets the job's state and what follows.
 * `open` holds the stop of every stream following now, for shutdown.
 */
export async function followJob(
  services: Services, request: FastifyRequest, reply: FastifyReply, job: JobRecord, open: Set<() => void>,
): Promise<FastifyReply> {
  const { jobs } = services;
  let ended = false;
  let shown = job.status;
  let unfollow = () => {};
  let lastRead = Date.now();
  // Reads are chained, so job objects go out in the order the record moved.
  let reading = Promise.resolve();
  const stream = new EventStream(services.config.jobs.heartbeatMs);
  const reread = setInterval(() => { if (Date.now() - lastRead >= REREAD_MS) refresh(); }, REREAD_MS);

  const stop = () => {
    ended = true;
    open.delete(stop);
    clearInterval(reread);
    unfollow();
    stream.end();
  };
  open.add(stop);
  const show = async (record: JobRecord) => {
    shown = record.status;
    stream.send('image.edit.job', await jobs.view(record));
  };
  const refresh = () => {
    reading = reading.then(async () => {
      if (ended) return;
      lastRead = Date.now();
      const record = await services.store.getJob(job.id);
      if (!record || ended) return;
      if (ENDED.includes(record.status)) {
        await show(record);
        stop();
      } else if (record.status !== shown) {
        await show(record);
      }
    }).catch((err: unknown) => {
      request.log.warn({ err, jobId: job.id }, 'could not read a followed job');
    });
  };
  const onEvent = (e: EditEvent) => {
    if (ended) return;
    if (e.type === 'partial_image') stream.send('image_edit.partial_image', partialImageEvent(e));
    else if (e.stage === 'started' || e.stage === 'ended') refresh();
  };

  reply.raw.once('close', stop);
  if (!ENDED.includes(job.status)) {
    // Follow first, then show and re-read: an end between the first read and the subscription is not missed.
    const off = await jobs.follow(job, onEvent).catch(() => () => {}); // no events (Redis away): re-reads alone
    if (ended) off(); // the client left meanwhile
    else unfollow = off;
  }
  await show(job);
  if (ENDED.includes(job.status)) stop();
  else refresh();
  return sendEventStream(reply, stream, { 'x-retouch-job': job.id });
}
