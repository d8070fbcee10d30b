import { errors, type RetouchError } from '../../errors.ts';
import { OpenAIBackend } from '../openai/index.ts';
import { mapUpstreamStatus } from '../upstream/errors.ts';
import type { UpstreamResponse } from '../upstream/http.ts';
import type { AzureConfig } from './provider.ts';

/** Azure OpenAI: the OpenAI edit request, sent to a deployment with the `api-key` header. */
export class AzureBackend extends OpenAIBackend<AzureConfig> {
  protected override endpoint(model: string): string {
    const deployment = this.provider.deployment ?? model;
    return `${this.provider.baseUrl}/openai/deployments/${encodeURIComponent(deployment)}/images/edits?api-version=${encodeURIComponent(this.provider.apiVersion)}`;
  }

  protected override authHeaders(): Record<string, string> {
    return { 'api-key': this.provider.apiKey };
  }

  /** Azure's content filters answer 400 with code contentFilter (or content_filter, or an inner ResponsibleAIPolicyViolation). */
  protected override mapError(res: UpstreamResponse, model: string): RetouchError {
    if (res.status === 400) {
      try {
        const e = JSON.parse(res.body.toString('utf8'))?.error;
        const codes = [e?.code, e?.innererror?.code, e?.inner_error?.code].filter((c) => typeof c === 'string');
        if (codes.some((c) => /^content_?filter$/i.test(c) || c === 'ResponsibleAIPolicyViolation')) {
          return Object.assign(errors.moderationBlocked(`The ${this.name} upstream's content filter refused this request.`), { calls: res.attempts });
        }
      } catch { /* not JSON: mapped by status below */ }
    }
    return mapUpstreamStatus(res, this.name, model);
  }
}
