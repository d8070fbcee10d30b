import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import { MIME } from '../../images/sniff.ts';
import { nearestRatio, requestedRatio } from '../aspect.ts';
import { TaskBackend } from '../poll/backend.ts';
import type { PollStep, UpstreamTask } from '../poll/task.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import type { UpstreamResponse } from '../upstream/http.ts';
import type { ReplicateConfig } from './provider.ts';

/** aspect_ratio values of the FLUX Kontext models on Replicate (besides match_input_image). */
export const REPLICATE_RATIOS = ['1:1', '16:9', '9:16', '4:3', '3:4', '3:2', '2:3', '4:5', '5:4', '21:9', '9:21', '2:1', '1:2'] as const;

// Replicate's `error` is free text; these are the forms its content filters write (E005 among them).
const SENSITIVE = /sensitive|nsfw|flagged|content polic|safety|moderat|E005/i;

/** Replicate's predictions API: one image per prediction. */
export class ReplicateBackend extends TaskBackend<ReplicateConfig> {
  protected readonly imagesPerTask = 1;

  protected async run(task: UpstreamTask, request: EditRequest, model: string): Promise<Buffer[]> {
    const ratio = requestedRatio(request.size);
    const img = request.images[0]!;
    const input = {
      prompt: request.prompt,
      input_image: `data:${MIME[img.format]};base64,${img.bytes.toString('base64')}`,
      aspect_ratio: ratio ? nearestRatio(...ratio, REPLICATE_RATIOS) : 'match_input_image',
      output_format: request.outputFormat === 'jpeg' ? 'jpg' : 'png',
      ...(this.provider.safetyTolerance !== undefined ? { safety_tolerance: this.provider.safetyTolerance } : {}),
    };
    // An official model is `owner/name`; a community model pinned as `owner/name:version` goes to /predictions.
    const [name, version] = model.split(':') as [string, string | undefined];
    const url = version ? `${this.provider.baseUrl}/predictions` : `${this.provider.baseUrl}/models/${name.split('/').map(encodeURIComponent).join('/')}/predictions`;
    const body = JSON.stringify(version ? { version, input } : { input });
    const auth = { authorization: `Bearer ${this.provider.apiKey}` };
    // Prefer: wait holds the answer until the prediction is done (up to 60 s); then there is nothing to poll.
    const res = await task.call(url, () => ({ method: 'POST', headers: { ...auth, 'content-type': 'application/json', prefer: 'wait' }, body }));
    if (res.status !== 200 && res.status !== 201 && res.status !== 202) throw task.countCalls(mapUpstreamStatus(res, this.name, model));
    const first = this.read(task, res, model);
    const urls = 'done' in first
      ? first.done
      : await task.poll(this.pollUrl(task, parseJson(res, this.name)), () => ({ method: 'GET', headers: auth }), (poll) => this.read(task, poll, model));
    const out: Buffer[] = [];
    for (const u of urls) out.push(await task.download(u));
    return out;
  }

  private pollUrl(task: UpstreamTask, prediction: any): string {
    if (typeof prediction?.urls?.get !== 'string') throw task.countCalls(errors.upstreamError(`The ${this.name} upstream's prediction has no urls.get to poll.`));
    return prediction.urls.get;
  }

  /** A prediction: its output URLs once succeeded, pending while starting or processing, an error otherwise. */
  private read(task: UpstreamTask, res: UpstreamResponse, model: string): PollStep<string[]> {
    if (res.status < 200 || res.status > 202) throw task.countCalls(mapUpstreamStatus(res, this.name, model));
    const p = parseJson(res, this.name);
    switch (p?.status) {
      case 'succeeded': {
        const output: unknown[] = Array.isArray(p.output) ? p.output : [p.output];
        const urls = output.filter((o): o is string => typeof o === 'string');
        if (urls.length === 0) throw task.countCalls(errors.upstreamNoImage(`The ${this.name} upstream's prediction succeeded without an image.`));
        return { done: urls };
      }
      case 'failed': {
        const said = typeof p.error === 'string' ? p.error.slice(0, 300) : '';
        if (SENSITIVE.test(said)) throw task.countCalls(errors.moderationBlocked(`The ${this.name} upstream refused this request under its safety policy: ${said}`));
        throw task.countCalls(errors.upstreamError(`The ${this.name} upstream's prediction failed${said ? `: ${said}` : '.'}`));
      }
      case 'canceled':
      case 'aborted':
        throw task.countCalls(errors.upstreamError(`The ${this.name} upstream's prediction was ${p.status}.`));
      default:
        return { pending: true };
    }
  }
}
