import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import type { Backend, BackendCall, BackendResult } from '../index.ts';
import type { EngineContext } from './context.ts';
import { encodeOptionsOf } from '../../edits/request.ts';
import { previewOf } from '../../images/preview.ts';
import { previewPoints, runSteps, stepsFor, untilAborted } from './engine.ts';
import { planPixels } from './output-size.ts';
import { pixels } from './pixels.ts';
import { parsePrompt } from './parse/index.ts';
import { describePlan, type EditPlan, imagesUsed } from './plan.ts';
import { ConcurrencyLimiter } from '../limiter.ts';
import { GrabCutSegmenter } from './segment/grabcut.ts';
import { useBundledFonts } from './fonts.ts';
import { checkDrawable } from './steps/overlay-text.ts';
import { EngineWorkers } from './worker-pool.ts';
import type { Segmenter } from './segment/index.ts';

export const LOCAL_MODEL = 'retouch-local-1';

/**
 * Pixels one engine slot is for. libvips holds about 6 MB per megapixel in flight for JPEG in and
 * out (measured: ~300 MB for a 48 MP edit), so a 48 MP edit takes two slots and runs alone by
 * default, and RETOUCH_LOCAL_CONCURRENCY bounds the engine's memory as well as its CPU.
 */
const SLOT_PIXELS = 25_000_000;
/** Slots an edit takes: by its uploads, or by the largest image its plan makes when that is larger (a wide border). */
const slotsFor = (request: EditRequest, largest: number) =>
  Math.max(largest, request.images.reduce((n, i) => n + i.width * i.height, 0)) / SLOT_PIXELS;

/** The built-in engine: prompt → EditPlan → real pixels with sharp, on this machine, no network. */
export class LocalBackend implements Backend {
  readonly name = 'local';
  private readonly limiter: ConcurrencyLimiter;

  /**
   * `concurrency` edits run at once (sharp already spreads each over the cores; more at once only
   * adds memory); `queue` more wait, and beyond that a request gets 429 at once.
   */
  constructor(
    private readonly maxPixels: number,
    private readonly bounds: { concurrency: number; queue: number; timeoutMs?: number } = { concurrency: 2, queue: 32 },
    private readonly workers = new EngineWorkers(),
    private readonly segmenter: Segmenter = new GrabCutSegmenter(workers),
  ) {
    this.limiter = new ConcurrencyLimiter('local', bounds.concurrency, bounds.queue, 2);
    // fontconfig reads its configuration when the process first lays out text: before any edit.
    useBundledFonts();
  }

  close(): Promise<void> {
    return this.workers.close();
  }

  /** Edits running now (for tests and metrics). */
  get inFlight(): number {
    return this.limiter.inFlight;
  }

  /** Slots held now: a large image holds more than one (see SLOT_PIXELS). */
  get slotsInUse(): number {
    return this.limiter.unitsInUse;
  }

  async edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    // The prompt is parsed before queueing, so a prompt the engine cannot do never waits for a slot.
    const plan = parsePrompt(request.prompt);
    // So is text with a character no bundled font has.
    for (const op of plan.ops) if (op.op === 'text' || op.op === 'watermark') checkDrawable(op.op, op.text);
    // So is one whose output would be too large: from the header's dimensions, before any pixel work.
    const largest = planPixels(plan, request, this.maxPixels);
    // The deadline runs from arrival, so time spent waiting in the queue counts too.
    const deadline = new AbortController();
    const ms = this.bounds.timeoutMs ?? 120_000;
    const timer = setTimeout(() => deadline.abort(errors.editTimeout(ms / 1000)), ms);
    const signal = AbortSignal.any([call.signal, deadline.signal]);
    try {
      // A step stuck in one libvips call cannot be stopped; the request still ends on time (see untilAborted).
      return await untilAborted(this.limiter.run(() => this.run(request, plan, { ...call, signal }), signal, slotsFor(request, largest)), signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(request: EditRequest, plan: EditPlan, call: BackendCall): Promise<BackendResult> {
    const wanted = imagesUsed(plan);
    if (request.images.length !== wanted) {
      // An image the plan does not read would be silently ignored, and a missing one cannot be made up.
      throw errors.unsupportedEdit(wanted === 1
        ? `This edit uses one image, but ${request.images.length} were sent. Send only the image to edit, or say what to do with the second (e.g. "replace the background with the second image").`
        : `This edit uses two images (the subject from the first, the background from the second), but ${request.images.length} ${request.images.length === 1 ? 'was' : 'were'} sent.`);
    }
    const ctx: EngineContext = { request, plan, maxPixels: this.maxPixels, signal: call.signal, workers: this.workers };
    const steps = stepsFor(plan, request.mask !== undefined, this.segmenter);
    // A preview materialises pending pixels (one pipeline becomes two): paid only when asked for.
    const onPartial = call.onPartial;
    const preview = onPartial ? async () => onPartial(await previewOf(await pixels(ctx), encodeOptionsOf(request))) : undefined;
    await runSteps(ctx, steps, previewPoints(steps, onPartial ? request.partialImages : 0), preview);
    const output = ctx.output!;
    // The engine is deterministic: n results of one request are the same image.
    return {
      images: Array.from({ length: request.n }, () => output),
      revisedPrompt: describePlan(plan),
      ...(ctx.segmenter ? { headers: { 'x-retouch-segmenter': ctx.segmenter } } : {}),
    };
  }
}
