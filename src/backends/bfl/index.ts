import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import { reducedRatio, requestedRatio } from '../aspect.ts';
import { TaskBackend } from '../poll/backend.ts';
import type { UpstreamTask } from '../poll/task.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import type { BflConfig } from './provider.ts';

/** Statuses of GET polling_url that end a task, from BFL's API reference; anything else (Pending…) is still running. */
const MODERATED = new Set(['Request Moderated', 'Content Moderated']);
const FAILED = new Set(['Error', 'Failed', 'Task not found']);

/** Black Forest Labs' own API (FLUX.1 Kontext and successors): one image per task. */
export class BflBackend extends TaskBackend<BflConfig> {
  protected readonly imagesPerTask = 1;
  // api.bfl.ai hands out polling URLs on its regional hosts (api.us1.bfl.ai, api.eu1.bfl.ai).
  protected override readonly siblingHosts = true;

  protected async run(task: UpstreamTask, request: EditRequest, model: string): Promise<Buffer[]> {
    const ratio = requestedRatio(request.size);
    const body = JSON.stringify({
      prompt: request.prompt,
      // Kontext takes the image to edit, and up to three more as references ("experimental multiref").
      ...Object.fromEntries(request.images.slice(0, 4).map((img, i) => [i === 0 ? 'input_image' : `input_image_${i + 1}`, img.bytes.toString('base64')])),
      ...(ratio ? { aspect_ratio: reducedRatio(...ratio) } : {}),
      // BFL writes JPEG or PNG: PNG unless JPEG is asked for, so a WebP is made from lossless pixels.
      output_format: request.outputFormat === 'jpeg' ? 'jpeg' : 'png',
      safety_tolerance: this.provider.safetyTolerance,
    });
    const headers = { 'x-key': this.provider.apiKey };
    const res = await task.call(`${this.provider.baseUrl}/v1/${encodeURIComponent(model)}`, () => ({
      method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body,
    }));
    if (res.status !== 200) throw task.countCalls(mapUpstreamStatus(res, this.name, model));
    const submitted = parseJson(res, this.name);
    if (typeof submitted?.polling_url !== 'string') throw task.countCalls(errors.upstreamError(`The ${this.name} upstream accepted the task but gave no polling_url.`));
    const sample = await task.poll<string>(submitted.polling_url, () => ({ method: 'GET', headers: { ...headers, accept: 'application/json' } }), (poll) => {
      if (poll.status !== 200) throw task.countCalls(mapUpstreamStatus(poll, this.name, model));
      const json = parseJson(poll, this.name);
      const status = String(json?.status ?? '');
      if (status === 'Ready') {
        if (typeof json.result?.sample !== 'string') throw task.countCalls(errors.upstreamNoImage(`The ${this.name} upstream finished without an image.`));
        return { done: json.result.sample as string };
      }
      if (MODERATED.has(status)) throw task.countCalls(errors.moderationBlocked(`The ${this.name} upstream refused this request under its safety policy (${status}).`));
      if (FAILED.has(status)) throw task.countCalls(errors.upstreamError(`The ${this.name} upstream's task ended with '${status}'.`));
      return { pending: true };
    });
    return [await task.download(sample)];
  }
}
