import { errors } from '../../errors.ts';
import type { AccessToken, TokenSource } from '../provider.ts';
import type { VertexConfig } from './provider.ts';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** A token is renewed this long before it expires, so none expires on the way. */
const EARLY_MS = 60_000;

/**
 * A service account's OAuth2 access tokens, from google-auth-library: a key file, the key's JSON, or
 * else Application Default Credentials. The library is imported on first use, so a server without a
 * vertex provider never loads it.
 */
export function serviceAccountTokens(config: VertexConfig): TokenSource {
  let client: Promise<{ getAccessToken(): Promise<{ token?: string | null }>; credentials: { expiry_date?: number | null } }> | undefined;
  return {
    async getAccessToken() {
      client ??= import('google-auth-library').then(({ GoogleAuth }) => new GoogleAuth({
        scopes: [SCOPE],
        ...(config.keyFile ? { keyFile: config.keyFile } : {}),
        ...(config.credentials ? { credentials: JSON.parse(config.credentials) } : {}),
      }).getClient() as never);
      const c = await client.catch((err) => {
        client = undefined;
        throw err;
      });
      const { token } = await c.getAccessToken();
      if (!token) throw new Error('no access token');
      return { token, ...(c.credentials.expiry_date ? { expiresAt: c.credentials.expiry_date } : {}) };
    },
  };
}

/** Keeps the last token until shortly before it expires; concurrent callers share one refresh. */
export class CachedTokens {
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(private readonly source: TokenSource, private readonly provider: string) {}

  async header(): Promise<Record<string, string>> {
    const now = Date.now();
    if (!this.current || (this.current.expiresAt !== undefined && this.current.expiresAt - EARLY_MS <= now)) {
      this.pending ??= this.source.getAccessToken().finally(() => { this.pending = undefined; });
      try {
        this.current = await this.pending;
      } catch (cause) {
        // Never the cause's text: it can hold paths of key files.
        throw errors.upstreamError(`Could not get an access token for the ${this.provider} upstream; the operator must check its service account.`, cause);
      }
    }
    return { authorization: `Bearer ${this.current.token}` };
  }

  /** The upstream refused the token (revoked, clock skew): the next call gets a new one. */
  forget() {
    this.current = undefined;
  }
}
