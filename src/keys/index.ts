import { createHash, timingSafeEqual } from 'node:crypto';
import { newApiKeySecret, newId, newWebhookSecret } from '../ids.ts';
import type { ApiKeyRecord, Store } from '../store/index.ts';
import { effectiveLimits, type KeyLimits } from './limits.ts';

const PREFIX_LENGTH = 10;

export interface VerifiedKey {
  id: string;
  name: string | null;
  /** The key's limits with the server's defaults filled in; absent fields are unlimited. */
  limits: KeyLimits;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const prefixOf = (secret: string) => secret.slice(0, PREFIX_LENGTH);

function hashesEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * API keys: made here, stored as SHA-256 hashes, checked in constant time. Static keys from
 * RETOUCH_API_KEYS are hashed at start-up and never written to the store.
 */
export class KeyService {
  private readonly staticKeys: ApiKeyRecord[];

  constructor(private readonly store: Store, staticSecrets: string[] = [], private readonly defaults: KeyLimits = {}) {
    this.staticKeys = staticSecrets.map((secret) => {
      const hash = sha256(secret);
      return { id: `key_static_${hash.slice(0, 12)}`, name: 'RETOUCH_API_KEYS', prefix: prefixOf(secret), hash, createdAt: 0, revokedAt: null, limits: null };
    });
  }

  /**
   * Makes a key; the secret is returned once and only its hash is kept. Its webhook signing secret
   * is kept as is (signing needs it) and can be shown again (`retouch keys`).
   */
  async create(name: string | null = null, limits: KeyLimits | null = null): Promise<{ id: string; secret: string; prefix: string; webhookSecret: string }> {
    const secret = newApiKeySecret();
    const webhookSecret = newWebhookSecret();
    const record: ApiKeyRecord = {
      id: newId('key'), name, prefix: prefixOf(secret), hash: sha256(secret), createdAt: Date.now(), revokedAt: null, limits, webhookSecret,
    };
    await this.store.insertKey(record);
    return { id: record.id, secret, prefix: record.prefix, webhookSecret };
  }

  /**
   * The webhook signing secret of a stored key, made now for a key from before webhooks; undefined
   * for static keys (RETOUCH_API_KEYS), which have no record to keep one in.
   */
  async webhookSecret(keyId: string): Promise<string | undefined> {
    const key = (await this.store.listKeys()).find((k) => k.id === keyId);
    if (!key) return undefined;
    if (key.webhookSecret) return key.webhookSecret;
    const made = newWebhookSecret();
    await this.store.setWebhookSecret(keyId, made);
    return made;
  }

  /** The key a bearer secret belongs to, or null when it is unknown or revoked. */
  async verify(secret: string): Promise<VerifiedKey | null> {
    if (!secret) return null;
    const hash = sha256(secret);
    const prefix = prefixOf(secret);
    // The lookup narrows by the public prefix; the secret part is only ever compared as a hash, in
    // constant time, so response timing says nothing about how much of a guess was right.
    const candidates = [...this.staticKeys.filter((k) => k.prefix === prefix), ...(await this.store.findKeysByPrefix(prefix))];
    const match = candidates.find((k) => hashesEqual(k.hash, hash));
    if (!match || match.revokedAt !== null) return null;
    return { id: match.id, name: match.name, limits: effectiveLimits(match.limits, this.defaults) };
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  /** Sets some of a key's limits (0 clears one back to the server default); false when no key has that id. */
  async update(id: string, changes: KeyLimits): Promise<boolean> {
    const key = (await this.store.listKeys()).find((k) => k.id === id);
    if (!key) return false;
    const next: KeyLimits = { ...key.limits };
    for (const [name, value] of Object.entries(changes) as Array<[keyof KeyLimits, number]>) {
      if (value > 0) next[name] = value;
      else delete next[name];
    }
    return this.store.updateKeyLimits(id, Object.keys(next).length ? next : null);
  }

  revoke(id: string): Promise<boolean> {
    return this.store.revokeKey(id, Date.now());
  }

  /**
   * On a fresh install (no stored key and no static key) makes the first key so a new user can call
   * the API at once. Returns its secret, or null when keys already exist.
   */
  async ensureFirstKey(): Promise<{ id: string; secret: string } | null> {
    if (this.staticKeys.length > 0 || (await this.store.countKeys()) > 0) return null;
    return this.create('first key');
  }
}
