import { setTimeout as sleep } from 'node:timers/promises';
import type { ProviderConfig } from '../../config/routing.ts';
import { errors, RetouchError } from '../../errors.ts';
import { callUpstream, type UpstreamResponse } from '../upstream/http.ts';
import { fetchResultUrl } from '../upstream/result-url.ts';

/** What one check of a pending task found: the result, or that it is still running (and where to look next). */
export type PollStep<T> = { done: T } | { pending: true; next?: string };

const DATA_URI = /^data:image\/[\w.+-]+;base64,/i;

/** Poll interval: `base`, growing by half each time, never above ten times `base` (5 s at the default 0.5 s). */
export const pollDelay = (n: number, baseMs: number) => Math.min(baseMs * 1.5 ** n, baseMs * 10);

/**
 * One asynchronous upstream job (BFL, fal, Replicate): submit, poll the URLs the upstream hands back,
 * download the result. The provider's `timeoutMs` bounds all of it (504 upstream_timeout); the
 * client's abort stops it at once, between polls or during one (499, never retried or reported).
 */
export class UpstreamTask {
  /** Aborts when the client leaves or the task's time is up. */
  readonly signal: AbortSignal;
  /** HTTP calls made so far (retries included), for the usage record. */
  calls = 0;
  private readonly deadline: AbortSignal;
  private readonly started = performance.now();
  private readonly base: URL;

  /**
   * `siblingHosts`: the upstream may hand out URLs on other hosts of its domain (BFL's api.bfl.ai
   * answers with api.us1.bfl.ai). Off for the others: a shared parent such as herokuapp.com is not one owner.
   */
  constructor(private readonly provider: ProviderConfig, private readonly client: AbortSignal, private readonly backoffMs = 500, private readonly siblingHosts = false) {
    this.deadline = AbortSignal.timeout(provider.timeoutMs);
    this.signal = AbortSignal.any([client, this.deadline]);
    this.base = new URL(provider.baseUrl);
  }

  get elapsedMs() { return performance.now() - this.started; }

  // Whole milliseconds: AbortSignal.timeout takes integers only.
  private remainingMs() { return Math.max(1, Math.ceil(this.provider.timeoutMs - this.elapsedMs)); }

  /** One upstream call with the usual retries, bounded by what is left of the task. */
  async call(url: string, init: () => RequestInit): Promise<UpstreamResponse> {
    try {
      const res = await callUpstream(url, init, {
        provider: this.provider.name,
        timeoutMs: this.remainingMs(),
        retries: this.provider.retries,
        maxResponseBytes: this.provider.maxResponseBytes,
        signal: this.signal,
        backoffMs: this.backoffMs,
      });
      this.calls += res.attempts;
      return res;
    } catch (err) {
      this.calls += Number((err as { calls?: number }).calls ?? 1);
      throw this.explain(err);
    }
  }

  /**
   * Checks `url` until `check` says done. Each pending answer may name the next URL to check (fal's
   * response_url); a URL is followed only when it is the upstream's own (see ownUrl).
   */
  async poll<T>(url: string, init: () => RequestInit, check: (res: UpstreamResponse) => PollStep<T> | Promise<PollStep<T>>): Promise<T> {
    let next = this.ownUrl(url, 'polling');
    for (let n = 0; ; n++) {
      const step = await check(await this.call(next, init));
      if ('done' in step) return step.done;
      if (step.next) next = this.ownUrl(step.next, 'polling');
      await sleep(pollDelay(n, this.backoffMs), undefined, { signal: this.signal }).catch((err) => { throw this.explain(err); });
    }
  }

  /**
   * Fetches a result (BFL's `result.sample`, fal's `images[].url`, Replicate's `output`) through the
   * safe fetcher for upstream result URLs: https to a public address, or the configured upstream's
   * own host; no redirects. The task's signal and deadline apply. Inline data URIs are decoded here.
   */
  async download(url: string): Promise<Buffer> {
    const inline = DATA_URI.exec(url);
    if (inline) return Buffer.from(url.slice(inline[0].length), 'base64');
    try {
      return await fetchResultUrl(url, {
        provider: this.provider.name,
        baseUrl: this.provider.baseUrl,
        maxBytes: this.provider.maxResponseBytes,
        timeoutMs: this.remainingMs(),
        signal: this.signal,
      });
    } catch (err) {
      throw this.explain(err);
    }
  }

  /** A URL the upstream returned for us to call with its key: only its own scheme and host (or a sibling, see the constructor). */
  ownUrl(raw: string, what: string): string {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw this.countCalls(errors.upstreamError(`The ${this.provider.name} upstream returned a ${what} URL that is not a URL.`));
    }
    const host = url.hostname;
    const baseHost = this.base.hostname;
    const labels = baseHost.split('.');
    const parent = this.siblingHosts && labels.length >= 3 && !/^[\d.]+$/.test(baseHost) ? labels.slice(1).join('.') : undefined;
    const sameHost = url.host === this.base.host;
    const sibling = parent !== undefined && host.endsWith(`.${parent}`) && url.port === this.base.port;
    if (url.protocol !== this.base.protocol || !(sameHost || sibling)) {
      throw this.countCalls(errors.upstreamError(`The ${this.provider.name} upstream returned a ${what} URL outside its own host; it was not followed.`));
    }
    return url.href;
  }

  /** Attaches the calls made so far, so the usage record shows them. */
  countCalls(err: RetouchError): RetouchError {
    return Object.assign(err, { calls: this.calls });
  }

  /** The client left: cancelled. The time is up: 504. Anything else as it was. */
  private explain(err: unknown): unknown {
    if (this.client.aborted) return errors.cancelled();
    if (this.deadline.aborted) {
      const ms = this.provider.timeoutMs;
      return this.countCalls(errors.upstreamTimeout(`The ${this.provider.name} upstream did not finish the task within ${ms < 10_000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`}.`));
    }
    return err instanceof RetouchError ? this.countCalls(err) : err;
  }
}
