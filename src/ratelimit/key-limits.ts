import { errors } from '../errors.ts';
import type { KeyLimits } from '../keys/limits.ts';
import type { QuotaSpendRow, TimeWindow } from '../store/index.ts';
import type { RateLimiter } from './index.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

const monthId = (now: number) => new Date(now).toISOString().slice(0, 7);

/** The UTC day and calendar month that hold `now`, [start, end) in ms: the windows the quotas count in. */
export function quotaWindows(now: number): { day: TimeWindow; month: TimeWindow } {
  const d = new Date(now);
  const dayStart = Math.floor(now / DAY) * DAY;
  return {
    day: { start: dayStart, end: dayStart + DAY },
    month: { start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) },
  };
}

/** What a key spent of its quotas before this process started, read back from the usage records. */
export type QuotaSpent = Omit<QuotaSpendRow, 'keyId'>;

/** OpenAI's reset format: "1s", "6m0s", "1h2m3s". */
export function openaiDuration(ms: number): string {
  let s = Math.max(1, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** What a request produced, charged to its key's quotas when it ends. */
export interface Produced {
  images: number;
  pixels: number;
}

/**
 * What an admitted request holds, as data: the key, the limits it was admitted under, and its
 * concurrency lease. It travels with an async job, so the process that ends the job (this one, or a
 * worker elsewhere on the shared limiter) settles it with `KeyLimitGate.settle`.
 */
export interface AdmissionTicket {
  keyId: string;
  limits: KeyLimits;
  lease: string | null;
}

/** What an admitted request holds: headers to send, and what to do when it ends. */
export interface Admission {
  headers: Record<string, string>;
  ticket: AdmissionTicket;
  /** Ends the request: gives back its concurrency lease and charges what it produced to the quotas. Once only. */
  finish(produced: Produced): Promise<void>;
}

interface Quota {
  name: string;
  bucket: string;
  limit: number;
  resetAt: number;
  windowSeconds: number;
  what: string;
}

/**
 * Per-key limits, checked before a byte of the body is read: requests per minute (a counter in the
 * current minute), quotas on images per day and month and on output megapixels per month (spent
 * after the work, refused once spent), and edits in flight (leases that expire, so a node that dies
 * does not hold them forever).
 */
export class KeyLimitGate {
  constructor(private readonly limiter: RateLimiter, private readonly leaseMs = 15 * MINUTE, private readonly now: () => number = Date.now) {}

  private quotas(keyId: string, l: KeyLimits, now: number): Quota[] {
    const out: Quota[] = [];
    const { day, month } = quotaWindows(now);
    const monthSeconds = Math.round((month.end - month.start) / 1000);
    if (l.imagesPerDay) out.push({ name: 'images-per-day', bucket: `q:img:d:${keyId}:${Math.floor(now / DAY)}`, limit: l.imagesPerDay, resetAt: day.end, windowSeconds: 86400, what: `${l.imagesPerDay} images per day` });
    if (l.imagesPerMonth) out.push({ name: 'images-per-month', bucket: `q:img:m:${keyId}:${monthId(now)}`, limit: l.imagesPerMonth, resetAt: month.end, windowSeconds: monthSeconds, what: `${l.imagesPerMonth} images per month` });
    if (l.megapixelsPerMonth) out.push({ name: 'megapixels-per-month', bucket: `q:px:m:${keyId}:${monthId(now)}`, limit: Math.round(l.megapixelsPerMonth * 1e6), resetAt: month.end, windowSeconds: monthSeconds, what: `${l.megapixelsPerMonth} output megapixels per month` });
    return out;
  }

  /** Admits a request of `keyId` under `limits`, or throws 429 (with the headers in `err.headers`). */
  async admit(keyId: string, limits: KeyLimits): Promise<Admission> {
    const now = this.now();
    const headers: Record<string, string> = {};
    const policies: string[] = [];
    const remaining: string[] = [];
    const refuse = (err: ReturnType<typeof errors.rateLimited>) => Object.assign(err, { headers: { ...headers, 'ratelimit-policy': policies.join(', '), ratelimit: remaining.join(', ') } });

    // The three checks go out at once (one round trip to a shared limiter); a lease taken by a
    // request another check refuses is given straight back.
    const minute = Math.floor(now / MINUTE);
    const rpmReset = (minute + 1) * MINUTE;
    const quotas = this.quotas(keyId, limits, now);
    const [hit, used, lease] = await Promise.all([
      limits.rpm ? this.limiter.consume(`rpm:${keyId}:${minute}`, 1, limits.rpm, rpmReset) : undefined,
      Promise.all(quotas.map((q) => this.limiter.peek(q.bucket))),
      limits.concurrent ? this.limiter.acquireLease(`conc:${keyId}`, limits.concurrent, this.leaseMs) : null,
    ]);
    const giveBack = () => { if (lease) void this.limiter.releaseLease(`conc:${keyId}`, lease).catch(() => {}); };

    if (limits.rpm && hit) {
      const left = Math.max(0, limits.rpm - hit.used);
      const reset = rpmReset - now;
      Object.assign(headers, {
        'x-ratelimit-limit-requests': String(limits.rpm),
        'x-ratelimit-remaining-requests': String(left),
        'x-ratelimit-reset-requests': openaiDuration(reset),
      });
      policies.push(`"requests";q=${limits.rpm};w=60`);
      remaining.push(`"requests";r=${left};t=${Math.ceil(reset / 1000)}`);
    }
    for (const [i, q] of quotas.entries()) {
      const left = Math.max(0, q.limit - used[i]!);
      policies.push(`"${q.name}";q=${q.limit};w=${q.windowSeconds}`);
      remaining.push(`"${q.name}";r=${left};t=${Math.ceil((q.resetAt - now) / 1000)}`);
    }
    if (limits.rpm && hit && !hit.allowed) {
      giveBack();
      const wait = Math.ceil((rpmReset - now) / 1000);
      throw refuse(errors.rateLimited(`Rate limit reached for requests: ${limits.rpm} per minute for this key. Try again in ${wait} s.`, wait));
    }
    for (const [i, q] of quotas.entries()) {
      if (used[i]! >= q.limit) {
        giveBack();
        const wait = Math.ceil((q.resetAt - now) / 1000);
        throw refuse(errors.quotaExceeded(`You exceeded your quota of ${q.what} for this key. It resets in ${wait} s.`, wait));
      }
    }
    if (limits.concurrent && !lease) {
      throw refuse(errors.rateLimited(`This key already has ${limits.concurrent} edits in flight, its limit; try again when one finishes.`, 1));
    }
    if (policies.length) {
      headers['ratelimit-policy'] = policies.join(', ');
      headers.ratelimit = remaining.join(', ');
    }

    let finished = false;
    const ticket: AdmissionTicket = { keyId, limits, lease: lease ?? null };
    return {
      headers,
      ticket,
      finish: async (produced) => {
        if (finished) return;
        finished = true;
        await this.settle(ticket, produced);
      },
    };
  }

  /** Whether `limits` hold a quota (kept across a day or a month), as opposed to only rpm and concurrency. */
  hasQuotas(limits: KeyLimits): boolean {
    return this.quotas('', limits, this.now()).length > 0;
  }

  /**
   * Charges what a key spent before this process started (`seedQuotaCounters` reads it back from the
   * usage records) to its quota buckets of `now`, the same buckets `admit` and `settle` use. For a
   * limiter whose counters start empty with the process; a persistent one has them already.
   */
  async seed(keyId: string, limits: KeyLimits, spent: QuotaSpent, now = this.now()): Promise<void> {
    const cost: Record<string, number> = {
      'images-per-day': spent.imagesToday, 'images-per-month': spent.imagesThisMonth, 'megapixels-per-month': spent.outputPixelsThisMonth,
    };
    await Promise.all(this.quotas(keyId, limits, now).map((q) => (cost[q.name]! > 0 ? this.limiter.charge(q.bucket, cost[q.name]!, q.resetAt) : undefined)));
  }

  /**
   * Gives back a ticket's concurrency lease and charges what its request produced, in the quota
   * windows of now. Settling a ticket again with nothing produced changes nothing (a lease is
   * released once), so a job canceled while it ends cannot be charged twice for nothing.
   */
  async settle(ticket: AdmissionTicket, { images, pixels }: Produced): Promise<void> {
    const { keyId, limits, lease } = ticket;
    await Promise.all([
      lease ? this.limiter.releaseLease(`conc:${keyId}`, lease) : undefined,
      ...this.quotas(keyId, limits, this.now()).map((q) => {
        const cost = q.name === 'megapixels-per-month' ? pixels : images;
        return cost > 0 ? this.limiter.charge(q.bucket, cost, q.resetAt) : undefined;
      }),
    ]);
  }
}
