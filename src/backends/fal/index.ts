import type { EditRequest } from '../../edits/request.ts';
import { errors, type RetouchError } from '../../errors.ts';
import { MIME } from '../../images/sniff.ts';
import { nearestRatio, requestedRatio } from '../aspect.ts';
import { TaskBackend } from '../poll/backend.ts';
import type { UpstreamTask } from '../poll/task.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import type { UpstreamResponse } from '../upstream/http.ts';
import type { FalConfig } from './provider.ts';

/** aspect_ratio values of fal's FLUX Kontext endpoints. */
export const FAL_RATIOS = ['21:9', '16:9', '4:3', '3:2', '1:1', '2:3', '3:4', '9:16', '9:21'] as const;

/** fal's queue: submit, follow status_url until COMPLETED, then read response_url. */
export class FalBackend extends TaskBackend<FalConfig> {
  // FLUX Kontext on fal makes up to 4 images per request (num_images).
  protected readonly imagesPerTask = 4;

  protected async run(task: UpstreamTask, request: EditRequest, model: string, count: number): Promise<Buffer[]> {
    const ratio = requestedRatio(request.size);
    const dataUris = request.images.map((img) => `data:${MIME[img.format]};base64,${img.bytes.toString('base64')}`);
    // Single-image endpoints take image_url; the multi-image ones (…/multi) take image_urls.
    const images = request.images.length > 1 || /\/multi$/.test(model) ? { image_urls: dataUris } : { image_url: dataUris[0] };
    const body = JSON.stringify({
      prompt: request.prompt,
      ...images,
      num_images: count,
      output_format: request.outputFormat === 'jpeg' ? 'jpeg' : 'png',
      ...(ratio ? { aspect_ratio: nearestRatio(...ratio, FAL_RATIOS) } : {}),
      ...(this.provider.safetyTolerance !== undefined ? { safety_tolerance: String(this.provider.safetyTolerance) } : {}),
    });
    const headers = { authorization: `Key ${this.provider.apiKey}`, accept: 'application/json' };
    const res = await task.call(`${this.provider.baseUrl}/${model.split('/').map(encodeURIComponent).join('/')}`, () => ({
      method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body,
    }));
    if (res.status !== 200 && res.status !== 201 && res.status !== 202) throw task.countCalls(this.mapError(res, model));
    const queued = parseJson(res, this.name);
    if (typeof queued?.status_url !== 'string' || typeof queued?.response_url !== 'string') {
      throw task.countCalls(errors.upstreamError(`The ${this.name} upstream queued the request but gave no status_url or response_url.`));
    }
    const get = () => ({ method: 'GET', headers });
    let responseUrl: string = queued.response_url;
    await task.poll(queued.status_url, get, (poll) => {
      // The status endpoint answers 202 while the request waits or runs, 200 once it is done.
      if (poll.status !== 200 && poll.status !== 202) throw task.countCalls(this.mapError(poll, model));
      const json = parseJson(poll, this.name);
      if (typeof json?.response_url === 'string') responseUrl = json.response_url;
      if (json?.status === 'COMPLETED') return { done: true };
      if (json?.status === 'FAILED' || json?.status === 'CANCELED') throw task.countCalls(errors.upstreamError(`The ${this.name} upstream's request ended ${json.status}.`));
      return { pending: true };
    });
    const result = await task.call(task.ownUrl(responseUrl, 'response'), get);
    if (result.status !== 200) throw task.countCalls(this.mapError(result, model));
    const json = parseJson(result, this.name);
    if (Array.isArray(json?.has_nsfw_concepts) && json.has_nsfw_concepts.some(Boolean)) {
      // fal blanks a flagged image rather than failing; a black square is not an answer.
      throw task.countCalls(errors.moderationBlocked(`The ${this.name} upstream flagged the result under its safety policy (has_nsfw_concepts).`));
    }
    const urls: string[] = (Array.isArray(json?.images) ? json.images : []).map((i: { url?: unknown }) => i?.url).filter((u: unknown): u is string => typeof u === 'string');
    const out: Buffer[] = [];
    for (const url of urls) out.push(await task.download(url));
    return out;
  }

  /** fal's errors are `{detail: [{type, msg}]}`: a content_policy_violation is a refusal; the rest as usual. */
  private mapError(res: UpstreamResponse, model: string): RetouchError {
    let detail: Array<{ type?: unknown; msg?: unknown }> = [];
    try {
      const json = JSON.parse(res.body.toString('utf8'));
      detail = Array.isArray(json?.detail) ? json.detail : [];
    } catch { /* not JSON: mapped by status below */ }
    const refusal = detail.find((d) => d?.type === 'content_policy_violation');
    if (refusal) {
      const said = typeof refusal.msg === 'string' ? `: ${refusal.msg.slice(0, 300)}` : '';
      return errors.moderationBlocked(`The ${this.name} upstream refused this request under its safety policy${said}`);
    }
    return mapUpstreamStatus(res, this.name, model);
  }
}
