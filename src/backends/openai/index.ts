import type { EditRequest } from '../../edits/request.ts';
import { errors } from '../../errors.ts';
import type { EncodedImage } from '../../images/encode.ts';
import { MIME } from '../../images/sniff.ts';
import type { KeyedProviderConfig } from '../../config/routing.ts';
import type { RetouchError } from '../../errors.ts';
import type { BackendCall, BackendResult } from '../index.ts';
import { UpstreamBackend } from '../upstream/backend.ts';
import { conformImage } from '../upstream/conform.ts';
import { mapUpstreamStatus, parseJson } from '../upstream/errors.ts';
import { callUpstream, type UpstreamResponse } from '../upstream/http.ts';
import { fetchResultUrl } from '../upstream/result-url.ts';
import { multipartBody, multipartRequest, type MultipartValue } from '../upstream/multipart.ts';
import { base64Bytes, LiftedBase64 } from '../upstream/json-with-images.ts';
import { familyOf, openAIFields } from './params.ts';
import { upstreamSize } from './sizes.ts';
import { relayEditStream, streamFields } from './stream.ts';

/**
 * OpenAI's Images API, or any relay that speaks `POST {baseUrl}/images/edits`. Azure OpenAI is the
 * same request at another address with another auth header: it overrides the three methods below.
 */
export class OpenAIBackend<C extends KeyedProviderConfig = KeyedProviderConfig> extends UpstreamBackend<C> {
  protected endpoint(_model: string): string {
    return `${this.provider.baseUrl}/images/edits`;
  }

  protected authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.provider.apiKey}` };
  }

  protected mapError(res: UpstreamResponse, model: string): RetouchError {
    return mapUpstreamStatus(res, this.name, model);
  }

  async edit(request: EditRequest, call: BackendCall): Promise<BackendResult> {
    // The model's size rules are checked before a slot is taken or a call is made.
    upstreamSize(request, call.model);
    return this.limiter.run(async () => {
      // A client streaming with partial images gets the upstream's own partials, relayed as they come.
      const onPartial = familyOf(call.model) === 'gpt-image' ? call.onPartial : undefined;
      const opts = {
        ...this.callOptions(call.signal),
        ...(onPartial ? { readOk: (res: Response) => (res.headers.get('content-type')?.startsWith('text/event-stream')
          ? relayEditStream(res, request, onPartial, { provider: this.name, maxBytes: this.provider.maxResponseBytes }) : undefined) } : {}),
      };
      const form = this.form(request, call.model, onPartial !== undefined);
      const res = await callUpstream(this.endpoint(call.model), () => {
        const { headers, ...body } = multipartRequest(form);
        // Only the provider's key goes upstream; the client's key stays here.
        return { method: 'POST', headers: { ...headers, ...this.authHeaders() }, ...body };
      }, opts);
      if (res.status !== 200) throw this.mapError(res, call.model);
      const json = parseJson(res, this.name, ['b64_json']);
      const entries: Array<{ b64_json?: unknown; url?: unknown }> = Array.isArray(json?.data) ? json.data : [];
      const images: EncodedImage[] = [];
      for (const entry of entries) {
        const bytes = base64Bytes(entry.b64_json) ?? (typeof entry.url === 'string' ? await this.download(entry.url, call.signal) : undefined);
        const lifted = entry.b64_json instanceof LiftedBase64 ? entry.b64_json : undefined;
        if (bytes) images.push(await conformImage(bytes, request, this.maxPixels, this.name, lifted));
      }
      if (images.length === 0) throw errors.upstreamNoImage(`The ${this.name} upstream answered without an image.`);
      return { images, usage: json.usage, upstream: { attempts: res.attempts, latencyMs: res.latencyMs } };
    }, call.signal);
  }

  private form(request: EditRequest, model: string, stream: boolean) {
    const fields: Array<[string, MultipartValue]> = [...openAIFields(request, model), ...(stream ? streamFields(request) : [])];
    // One image goes as `image`, several as repeated `image[]`, as the OpenAI SDKs send them.
    const imageField = request.images.length === 1 ? 'image' : 'image[]';
    request.images.forEach((img, i) => {
      fields.push([imageField, { bytes: img.bytes, type: MIME[img.format], filename: `image-${i + 1}.${img.format}` }]);
    });
    if (request.mask) fields.push(['mask', { bytes: request.mask.bytes, type: 'image/png', filename: 'mask.png' }]);
    return multipartBody(fields);
  }

  /** Fetches a `url` result safely (upstream/result-url.ts), within the call's time limit. */
  private download(url: string, signal: AbortSignal): Promise<Buffer> {
    return fetchResultUrl(url, {
      provider: this.name, baseUrl: this.provider.baseUrl, maxBytes: 64 * 1024 * 1024, timeoutMs: this.provider.timeoutMs, signal,
    });
  }
}
