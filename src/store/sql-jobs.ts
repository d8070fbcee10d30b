import type { Kysely } from 'kysely';
import type { IdempotencyRecord, JobRecord, JobStatus, JobStore, JobUpdate, WebhookAttempt } from './jobs.ts';
import type { Database } from './schema.ts';

type JobRow = Database['jobs'];

const toJob = (r: JobRow): JobRecord => ({
  id: r.id, requestId: r.request_id, keyId: r.key_id, status: r.status as JobStatus, model: r.model,
  createdAt: Number(r.created_at), updatedAt: Number(r.updated_at),
  result: r.result ? JSON.parse(r.result) : null, error: r.error ? JSON.parse(r.error) : null,
  responseFormat: r.response_format === 'b64_json' ? 'b64_json' : 'url', webhookUrl: r.webhook_url,
  webhookNextAt: r.webhook_next_at === null ? null : Number(r.webhook_next_at),
  webhookDeliveredAt: r.webhook_delivered_at === null ? null : Number(r.webhook_delivered_at),
});

const toRow = (u: JobUpdate): Partial<JobRow> => ({
  ...(u.status !== undefined ? { status: u.status } : {}),
  ...(u.result !== undefined ? { result: u.result === null ? null : JSON.stringify(u.result) } : {}),
  ...(u.error !== undefined ? { error: u.error === null ? null : JSON.stringify(u.error) } : {}),
  ...(u.webhookNextAt !== undefined ? { webhook_next_at: u.webhookNextAt } : {}),
  ...(u.webhookDeliveredAt !== undefined ? { webhook_delivered_at: u.webhookDeliveredAt } : {}),
});

const UNFINISHED: JobStatus[] = ['queued', 'running'];

/** The job, webhook and idempotency tables over any Kysely dialect; SqlStore extends it. */
export class SqlJobStore implements JobStore {
  constructor(protected readonly db: Kysely<Database>) {}

  async insertJob(j: JobRecord) {
    await this.db.insertInto('jobs').values({
      id: j.id, request_id: j.requestId, key_id: j.keyId, status: j.status, model: j.model, created_at: j.createdAt, updated_at: j.updatedAt,
      result: j.result ? JSON.stringify(j.result) : null, error: j.error ? JSON.stringify(j.error) : null,
      response_format: j.responseFormat, webhook_url: j.webhookUrl, webhook_next_at: j.webhookNextAt, webhook_delivered_at: j.webhookDeliveredAt,
    }).execute();
  }

  async getJob(id: string) {
    const r = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toJob(r) : null;
  }

  async updateJob(id: string, update: JobUpdate, at: number, from?: readonly JobStatus[]) {
    let q = this.db.updateTable('jobs').set({ ...toRow(update), updated_at: at }).where('id', '=', id);
    if (from) q = q.where('status', 'in', [...from]);
    const res = await q.executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async failUnfinishedJobs(error: NonNullable<JobRecord['error']>, at: number, touchedBefore: number) {
    const stale = (q: any) => q.where('status', 'in', UNFINISHED).where('updated_at', '<', touchedBefore);
    const rows = await stale(this.db.selectFrom('jobs').select(['id', 'webhook_url'])).execute() as Array<{ id: string; webhook_url: string | null }>;
    const failed: string[] = [];
    for (const { id, webhook_url } of rows) {
      // One by one, each still conditional: a job touched meanwhile (its process is alive) is left.
      const res = await this.db.updateTable('jobs').set({ status: 'failed', error: JSON.stringify(error), updated_at: at, webhook_next_at: webhook_url ? at : null })
        .where('id', '=', id).where('status', 'in', UNFINISHED).where('updated_at', '<', touchedBefore).executeTakeFirst();
      if (Number(res.numUpdatedRows) > 0) failed.push(id);
    }
    return failed;
  }

  async deleteJobsBefore(before: number) {
    const old = this.db.selectFrom('jobs').select('id').where('created_at', '<', before);
    await this.db.deleteFrom('webhook_attempts').where('job_id', 'in', old).execute();
    await this.db.deleteFrom('idempotency').where('job_id', 'in', old).execute();
    const res = await this.db.deleteFrom('jobs').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  async dueWebhooks(now: number, limit: number) {
    const rows = await this.db.selectFrom('jobs').selectAll().where('webhook_next_at', '<=', now)
      .orderBy('webhook_next_at').limit(limit).execute();
    return rows.map(toJob);
  }

  async claimWebhook(jobId: string, dueAt: number, nextAt: number) {
    const res = await this.db.updateTable('jobs').set({ webhook_next_at: nextAt })
      .where('id', '=', jobId).where('webhook_next_at', '=', dueAt).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async insertWebhookAttempt(a: WebhookAttempt) {
    await this.db.insertInto('webhook_attempts').values({
      job_id: a.jobId, at: a.at, status: a.status, error: a.error, duration_ms: Math.round(a.durationMs),
    }).execute();
  }

  async webhookAttempts(jobId: string) {
    const rows = await this.db.selectFrom('webhook_attempts').selectAll().where('job_id', '=', jobId).orderBy('at').execute();
    return rows.map((r) => ({
      jobId: r.job_id, at: Number(r.at), status: r.status === null ? null : Number(r.status), error: r.error, durationMs: Number(r.duration_ms),
    }));
  }

  async putIdempotency(rec: IdempotencyRecord) {
    // Insert-if-absent, then read: whoever inserted first (this call or another node's) is the answer.
    await this.db.insertInto('idempotency').values({
      key_id: rec.keyId, key: rec.key, fingerprint: rec.fingerprint, job_id: rec.jobId, created_at: rec.createdAt,
    }).onConflict((oc) => oc.columns(['key_id', 'key']).doNothing()).execute();
    return (await this.getIdempotency(rec.keyId, rec.key))!;
  }

  async getIdempotency(keyId: string, key: string) {
    const r = await this.db.selectFrom('idempotency').selectAll().where('key_id', '=', keyId).where('key', '=', key).executeTakeFirst();
    return r ? { keyId: r.key_id, key: r.key, fingerprint: r.fingerprint, jobId: r.job_id, createdAt: Number(r.created_at) } : null;
  }

  async reassignIdempotency(keyId: string, key: string, fromJobId: string, toJobId: string) {
    // The taker's claim starts now: its own time to record its job is counted from here.
    const res = await this.db.updateTable('idempotency').set({ job_id: toJobId, created_at: Date.now() })
      .where('key_id', '=', keyId).where('key', '=', key).where('job_id', '=', fromJobId).executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async releaseIdempotency(keyId: string, key: string, jobId: string) {
    await this.db.deleteFrom('idempotency').where('key_id', '=', keyId).where('key', '=', key).where('job_id', '=', jobId).execute();
  }

  async deleteIdempotencyBefore(before: number) {
    const res = await this.db.deleteFrom('idempotency').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
