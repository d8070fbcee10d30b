import type { EditRequest } from '../../edits/request.ts';
import { MIME } from '../../images/sniff.ts';
import type { KeyedProviderConfig, ProviderConfig } from '../../config/routing.ts';
import type { BackendCall, BackendResult } from '../index.ts';
import { UpstreamBackend } from '../upstream/backend.ts';
import { conformImage } from '../upstream/conform.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import { callUpstream, type UpstreamResponse } from '../upstream/http.ts';
import { imageConfigFor } from './image-config.ts';
import { readGeminiAnswer } from './response.ts';

/**
 * Google's image models ("nano banana") through generateContent: the Gemini API here, Vertex AI in
 * vertex/, which changes only the address and the credentials.
 */
export abstract class GenerateContentBackend<C extends ProviderConfig> extends UpstreamBackend<C> {
  protected abstract endpoint(model: string): string;
  protected abstract authHeaders(): Promise<Record<string, string>>;
  /** Called with every non-200 answer before it is mapped (vertex drops a rejected token). */
  protected onFailure(_res: UpstreamResponse): void {}

  async edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    // Gemini returns one image per call: n images are n calls, each through the provider's limit.
    const results = await Promise.all(Array.from({ length: request.n }, () => this.limiter.run(() => this.once(request, call), call.signal)));
    const usage = results.every((r) => r.usage)
      ? results.reduce((sum, r) => ({
        input_tokens: sum.input_tokens + r.usage!.input_tokens,
        output_tokens: sum.output_tokens + r.usage!.output_tokens,
        total_tokens: sum.total_tokens + r.usage!.total_tokens,
      }), { input_tokens: 0, output_tokens: 0, total_tokens: 0 })
      : undefined;
    return {
      images: results.map((r) => r.image),
      ...(usage ? { usage } : {}),
      upstream: { attempts: results.reduce((n, r) => n + r.attempts, 0), latencyMs: Math.max(...results.map((r) => r.latencyMs)) },
    };
  }

  private async once(request: EditRequest, call: BackendCall) {
    const imageConfig = imageConfigFor(request.size, call.model);
    const body = JSON.stringify({
      contents: [{
        role: 'user',
        parts: [
          { text: request.prompt },
          ...request.images.map((img) => ({ inline_data: { mime_type: MIME[img.format], data: img.bytes.toString('base64') } })),
        ],
      }],
      generationConfig: { responseModalities: ['TEXT', 'IMAGE'], ...(imageConfig ? { imageConfig } : {}) },
    });
    const auth = await this.authHeaders();
    const res = await callUpstream(this.endpoint(call.model), () => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
    }), this.callOptions(call.signal));
    if (res.status !== 200) {
      this.onFailure(res);
      throw mapUpstreamStatus(res, this.name, call.model);
    }
    const answer = readGeminiAnswer(parseJson(res, this.name, ['data']), this.name);
    if (answer instanceof Error) throw answer;
    const image = await conformImage(answer.bytes, request, this.maxPixels, this.name);
    return { image, usage: answer.usage, attempts: res.attempts, latencyMs: res.latencyMs };
  }
}

/** The Gemini API: `POST {baseUrl}/v1beta/models/{model}:generateContent` with `x-goog-api-key`. */
export class GeminiBackend extends GenerateContentBackend<KeyedProviderConfig> {
  protected endpoint(model: string) {
    return `${this.provider.baseUrl}/v1beta/models/${encodeURIComponent(model)}:generateContent`;
  }

  protected async authHeaders() {
    return { 'x-goog-api-key': this.provider.apiKey };
  }
}
