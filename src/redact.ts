/**
 * Secrets never reach a client or a log line. A Redactor knows every secret in the configuration
 * (upstream keys, static API keys, and whatever else is configured under a key-, secret-, token- or
 * password-like name, so secrets added later are covered without touching this file) and the shapes
 * of bearer tokens and API keys in general, for secrets it was never told about (a client's key in
 * a query string, a relay echoing its own headers). It is applied at the two places everything
 * leaves: the error envelope and the logger's output stream.
 */

export const REDACTED = '[redacted]';

/** Shorter configured values are not treated as secrets: replacing them everywhere would garble text. */
const MIN_SECRET_CHARS = 6;

/** Config property names whose string values are secrets (apiKey, apiKeys, webhookSecret, adminToken…). */
const SECRET_NAME = /(?:key|keys|secret|secrets|token|tokens|password|passwords|credentials?)$/i;

// Shapes of credentials, replaced wherever they appear, configured or not.
const SHAPES: Array<[RegExp, string]> = [
  // An HTTP Authorization value echoed back ("Bearer sk-…", "Basic dXNlcjpwYXNz").
  [/\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{6,}/gi, `$1$2${REDACTED}`],
  // Header or field echoes: `"x-goog-api-key": "…"`, `api-key=…`, `authorization: …` (without a scheme).
  [/\b((?:x-goog-api-key|x-api-key|api[-_]?key|authorization|access[-_]?token|client[-_]?secret)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|Token\b|\[redacted\])[^\s"',;&}]{4,}/gi, `$1${REDACTED}`],
  // Query-string credentials: ?key=…, &api_key=…, &token=…, &sig=…
  [/([?&](?:key|api[-_]?key|apikey|token|access[-_]?token|auth|sig|signature|secret|password)=)[^&\s"'#]+/gi, `$1${REDACTED}`],
  // OpenAI-style and Retouch keys (sk-…, sk-proj-…), Google API keys, JWTs.
  [/\bsk-[A-Za-z0-9_-]{12,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\bya29\.[A-Za-z0-9_-]{20,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  // Standard Webhooks signing secrets (whsec_…), a key's own or RETOUCH_WEBHOOK_SECRET.
  [/\bwhsec_[A-Za-z0-9+/]{16,}={0,2}/g, REDACTED],
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class Redactor {
  private exact: RegExp | undefined;
  private readonly forms = new Set<string>();

  /** `secrets`: values to replace wherever they appear (their JSON-escaped forms too). */
  constructor(secrets: Iterable<string> = []) {
    this.remember(...secrets);
  }

  /** Adds secrets learnt after start-up (a key's webhook signing secret, read when it is first used). */
  remember(...secrets: string[]): void {
    const before = this.forms.size;
    for (const s of secrets) {
      if (typeof s !== 'string' || s.length < MIN_SECRET_CHARS) continue;
      this.forms.add(s);
      this.forms.add(JSON.stringify(s).slice(1, -1));
      this.forms.add(encodeURIComponent(s));
    }
    if (this.forms.size === before) return;
    // Longest first, so a secret that contains another is replaced whole.
    const sorted = [...this.forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.exact = new RegExp(sorted.join('|'), 'g');
  }

  /** A Redactor for every secret found in a configuration object (see SECRET_NAME). */
  static fromConfig(config: unknown): Redactor {
    return new Redactor(secretsIn(config));
  }

  /** The text with every known secret and every credential-shaped token replaced by [redacted]. */
  redact(text: string): string {
    let out = this.exact ? text.replace(this.exact, REDACTED) : text;
    for (const [pattern, replacement] of SHAPES) out = out.replace(pattern, replacement);
    return out;
  }

  /** The error envelope with each of its strings redacted. */
  redactEnvelope<T extends { error: { message: string; type: string; param: string | null; code: string | null } }>(envelope: T): T {
    const e = envelope.error;
    const r = (s: string | null) => (s === null ? null : this.redact(s));
    return { ...envelope, error: { ...e, message: this.redact(e.message), type: this.redact(e.type), param: r(e.param), code: r(e.code) } };
  }
}

/** Only the shapes (no configured secrets): for text that leaves a module without passing the edge. */
export const redactShapes = (text: string) => SHAPELESS.redact(text);
const SHAPELESS = new Redactor();

/**
 * Every secret in a configuration: string values (or lists of them) under secret-like property
 * names, at any depth and inside Maps, and the password of any URL that carries one.
 */
export function secretsIn(value: unknown, seen = new Set<unknown>()): string[] {
  const found: string[] = [];
  const visit = (v: unknown, name: string | undefined) => {
    if (typeof v === 'string') {
      if (name && SECRET_NAME.test(name)) found.push(v);
      const password = urlPassword(v);
      if (password) found.push(password);
      return;
    }
    if (!v || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) for (const [k, item] of v) visit(item, typeof k === 'string' ? k : name);
    else if (Array.isArray(v)) for (const item of v) visit(item, name);
    else for (const [k, item] of Object.entries(v)) visit(item, k);
  };
  visit(value, undefined);
  return found;
}

function urlPassword(s: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(s)) return undefined;
  try {
    const password = decodeURIComponent(new URL(s).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}
