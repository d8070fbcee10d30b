import { GenerateContentBackend } from '../gemini/index.ts';
import type { BackendDeps } from '../provider.ts';
import type { UpstreamResponse } from '../upstream/http.ts';
import type { VertexConfig } from './provider.ts';
import { CachedTokens, serviceAccountTokens } from './tokens.ts';

/** Gemini image models on Vertex AI: the Gemini request, at a project's publisher-model address, with an OAuth2 token. */
export class VertexBackend extends GenerateContentBackend<VertexConfig> {
  private readonly tokens: CachedTokens;

  constructor(provider: VertexConfig, deps: BackendDeps) {
    super(provider, deps.maxPixels, deps.backoffMs);
    this.tokens = new CachedTokens(deps.tokenSource?.(provider) ?? serviceAccountTokens(provider), provider.name);
  }

  protected endpoint(model: string) {
    const p = this.provider;
    return `${p.baseUrl}/v1/projects/${encodeURIComponent(p.project)}/locations/${encodeURIComponent(p.location)}/publishers/google/models/${encodeURIComponent(model)}:generateContent`;
  }

  protected authHeaders() {
    return this.tokens.header();
  }

  protected override onFailure(res: UpstreamResponse) {
    if (res.status === 401) this.tokens.forget();
  }
}
