/**
 * Every Redis name the BullMQ queue uses, in one place, all under RETOUCH_REDIS_PREFIX so several
 * deployments (and parallel test runs) share one Redis without meeting.
 */
export const QUEUE_NAME = 'edits';

export function queueNames(redisPrefix: string) {
  return {
    /** BullMQ joins prefix and queue name with ':' itself: `retouch:edits:wait`… */
    bullPrefix: redisPrefix.replace(/:+$/, '') || 'retouch',
    /** A job's recorded result (or a pointer to its blob), written before the job is acknowledged. */
    result: (jobId: string) => `${redisPrefix}edit-result:${jobId}`,
    /** Set when a job is cancelled, for a worker that takes it after the cancel was published. */
    cancelled: (jobId: string) => `${redisPrefix}edit-cancelled:${jobId}`,
    /** Sorted set of jobs admitted and not yet taken by a worker (scored by expiry): the bound. */
    waiting: `${redisPrefix}edit-waiting`,
    /** Pub/sub: job ids to cancel, heard by every worker. */
    cancelChannel: `${redisPrefix}edit-cancel`,
    /** Pub/sub: one job's events, heard by the API node waiting for it. */
    events: (jobId: string) => `${redisPrefix}edit-events:${jobId}`,
  };
}

export type QueueNames = ReturnType<typeof queueNames>;
