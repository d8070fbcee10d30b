import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Attempt } from '../backends/router.ts';

/** Seconds; edits run from tens of milliseconds (local) to minutes (upstreams take 10–150 s). */
const EDIT_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds of queue wait and segmentation: usually short, long only under load. */
const SHORT_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A label for a value the client chose: kept only when it is one the server knows, so series stay bounded. */
const OTHER = 'other';

/** What one finished HTTP request adds to the request metrics. */
export interface RequestObservation {
  /** The route's template (`/v1/images/edits`, `/img/:name`), never the raw URL. */
  route: string;
  method: string;
  status: number;
  model?: string | null;
  backend?: string | null;
  seconds: number;
}

/** How /metrics is protected: a bearer token on the API port, or a port of its own. */
export interface MetricsAccess {
  token: string | undefined;
  port: number | undefined;
  host: string;
}

/**
 * Retouch's Prometheus metrics, one registry per app (no global registry: tests and several apps in
 * one process stay apart). Callers use the small methods below and never see prom-client; every
 * label is bounded (route templates, known models and backends, error codes), never a key id,
 * a prompt or a URL.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly models = new Set<string>();
  private readonly backends = new Set<string>(['local']);

  private readonly requests = new Counter({
    name: 'retouch_http_requests_total', help: 'HTTP requests answered, by route template, method, status, model and backend',
    labelNames: ['route', 'method', 'status', 'model', 'backend'] as const, registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'retouch_http_request_duration_seconds', help: 'End-to-end time from a request\'s arrival to its answer, by route, model and backend',
    labelNames: ['route', 'model', 'backend'] as const, buckets: EDIT_BUCKETS, registers: [this.registry],
  });
  private readonly queueWait = new Histogram({
    name: 'retouch_queue_wait_seconds', help: 'Time an edit waited in the queue before a processor took it',
    buckets: SHORT_BUCKETS, registers: [this.registry],
  });
  private readonly segmenter = new Histogram({
    name: 'retouch_segmenter_duration_seconds', help: 'Time to find the subject of one image, by segmenter',
    labelNames: ['segmenter'] as const, buckets: SHORT_BUCKETS, registers: [this.registry],
  });
  private readonly upstreamCall = new Histogram({
    name: 'retouch_upstream_call_duration_seconds', help: 'Time of one routed call to an upstream provider, retries included, by provider and outcome',
    labelNames: ['provider', 'outcome'] as const, buckets: EDIT_BUCKETS, registers: [this.registry],
  });
  private readonly upstreamAttempts = new Counter({
    name: 'retouch_upstream_attempts_total', help: 'HTTP attempts made at upstream providers (first tries and retries), by provider and the call\'s outcome',
    labelNames: ['provider', 'outcome'] as const, registers: [this.registry],
  });
  private readonly upstreamRetries = new Counter({
    name: 'retouch_upstream_retries_total', help: 'HTTP attempts beyond the first at upstream providers, by provider and the call\'s outcome',
    labelNames: ['provider', 'outcome'] as const, registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'retouch_rate_limited_total', help: 'Requests refused with 429, by reason (rate_limit_exceeded, insufficient_quota, …)',
    labelNames: ['reason'] as const, registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** The model and backend names labels may carry; anything else is counted as `other`. */
  knowRoutes(models: Iterable<string>, backends: Iterable<string>): void {
    for (const m of models) this.models.add(m);
    for (const b of backends) this.backends.add(b);
  }

  private model(m: string | null | undefined) { return !m ? '' : this.models.has(m) ? m : OTHER; }
  private backend(b: string | null | undefined) { return !b ? '' : this.backends.has(b) ? b : OTHER; }

  observeRequest(o: RequestObservation): void {
    const model = this.model(o.model);
    const backend = this.backend(o.backend);
    this.requests.inc({ route: o.route, method: o.method, status: String(o.status), model, backend });
    this.duration.observe({ route: o.route, model, backend }, o.seconds);
  }

  observeQueueWait(ms: number): void {
    this.queueWait.observe(Math.max(0, ms) / 1000);
  }

  observeSegmenter(segmenter: string, ms: number): void {
    this.segmenter.observe({ segmenter }, ms / 1000);
  }

  /** A 429: `reason` is the answer's error code. */
  countRateLimited(reason: string | null | undefined): void {
    this.rateLimited.inc({ reason: reason ?? 'rate_limit_exceeded' });
  }

  /**
   * The upstream calls of one edit, from the router's attempts: the local engine is not an upstream,
   * and an attempt without `calls` never reached one (its provider's own queue refused it).
   */
  observeAttempts(attempts: readonly Attempt[] | null | undefined): void {
    for (const a of attempts ?? []) {
      if (a.backend === 'local' || a.calls === undefined) continue;
      const labels = { provider: this.backend(a.backend), outcome: a.error ?? 'ok' };
      this.upstreamAttempts.inc(labels, a.calls);
      if (a.calls > 1) this.upstreamRetries.inc(labels, a.calls - 1);
      this.upstreamCall.observe(labels, a.latencyMs / 1000);
    }
  }

  /** Queue depth, read at each scrape (`depth` is EditQueue.depth). */
  trackQueue(depth: () => Promise<{ waiting: number; active: number }>): void {
    new Gauge({
      name: 'retouch_queue_depth', help: 'Edits waiting in the queue and being processed', labelNames: ['state'] as const, registers: [this.registry],
      async collect() {
        const d = await depth();
        this.set({ state: 'waiting' }, d.waiting);
        this.set({ state: 'active' }, d.active);
      },
    });
  }

  /** The local engine's slots, read at each scrape. */
  trackEngineSlots(inUse: () => number, capacity: number): void {
    new Gauge({
      name: 'retouch_engine_slots_in_use', help: 'Local-engine slots held by running edits (a large image holds more than one)', registers: [this.registry],
      collect() { this.set(inUse()); },
    });
    new Gauge({ name: 'retouch_engine_slots', help: 'Local-engine slots in all (RETOUCH_LOCAL_CONCURRENCY)', registers: [this.registry] }).set(capacity);
  }

  /** The text exposition format, and its content type. */
  async exposition(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
