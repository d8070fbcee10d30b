import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import type { Backend, BackendCall, BackendResult } from '../index.ts';
import type { EngineContext } from './context.ts';
import { runSteps, stepsFor } from './engine.ts';
import { parsePrompt } from './parse/index.ts';
import { describePlan } from './plan.ts';

export const LOCAL_MODEL = 'retouch-local-1';

/** The built-in engine: prompt → EditPlan → real pixels with sharp, on this machine, no network. */
export class LocalBackend implements Backend {
  readonly name = 'local';

  constructor(private readonly maxPixels: number) {}

  async edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    const plan = parsePrompt(request.prompt);
    if (request.images.length > 1) {
      // Nothing the local engine does yet reads a second image; silently ignoring it would be a lie.
      throw errors.unsupportedEdit(`This edit uses one image, but ${request.images.length} were sent. Send only the image to edit.`);
    }
    const ctx: EngineContext = { request, plan, maxPixels: this.maxPixels };
    await runSteps(ctx, stepsFor(plan, request.mask !== undefined), call.signal);
    const output = ctx.output!;
    // The engine is deterministic: n results of one request are the same image.
    return { images: Array.from({ length: request.n }, () => output), revisedPrompt: describePlan(plan) };
  }
}
