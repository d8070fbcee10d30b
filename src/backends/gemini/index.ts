import type { EditRequest } from '../../edits/request.ts';
import { MIME } from '../../images/sniff.ts';
import type { BackendCall, BackendResult } from '../index.ts';
import { UpstreamBackend } from '../upstream/backend.ts';
import { conformImage } from '../upstream/conform.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import { callUpstream } from '../upstream/http.ts';
import { imageConfigFor } from './image-config.ts';
import { readGeminiAnswer } from './response.ts';

/** Google's Gemini image models ("nano banana") through generateContent. */
export class GeminiBackend extends UpstreamBackend {
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
    const url = `${this.provider.baseUrl}/v1beta/models/${encodeURIComponent(call.model)}:generateContent`;
    const res = await callUpstream(url, () => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': this.provider.apiKey },
      body,
    }), this.callOptions(call.signal));
    if (res.status !== 200) throw mapUpstreamStatus(res, this.name, call.model);
    const answer = readGeminiAnswer(parseJson(res, this.name, ['data']), this.name);
    if (answer instanceof Error) throw answer;
    const image = await conformImage(answer.bytes, request, this.maxPixels, this.name);
    return { image, usage: answer.usage, attempts: res.attempts, latencyMs: res.latencyMs };
  }
}
