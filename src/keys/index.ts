import { createHash, timingSafeEqual } from 'node:crypto';
import { newApiKeySecret, newId, newWebhookSecret } from '../ids.ts';
import type { ApiKeyRecord, KeyScope, Store } from '../store/index.ts';
import { effectiveLimits, type KeyLimits } from './limits.ts';

const PREFIX_LENGTH = 10;

export interface VerifiedKey {
  id: string;
  name: string | null;
  /** The key's limits with the server's defaults filled in; absent fields are unlimited. */
  limits: KeyLimits;
  scopes: KeyScope[];
}

/** A key as an admin may see it: everything but its hash and its webhook signing secret. */
export type KeyView = Omit<ApiKeyRecord, 'hash' | 'webhookSecret'>;

const view = ({ hash: _hash, webhookSecret: _webhook, ...rest }: ApiKeyRecord): KeyView => rest;

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

  constructor(
    private readonly store: Store, staticSecrets: string[] = [], private readonly defaults: KeyLimits = {}, adminSecrets: string[] = [],
    /** RETOUCH_WEBHOOK_SECRET: signs the webhooks of static keys, which have no record to keep one in. */
    private readonly staticWebhookSecret?: string,
  ) {
    const fromEnv = (secret: string, name: string, scopes: KeyScope[]): ApiKeyRecord => {
      const hash = sha256(secret);
      return { id: `key_static_${hash.slice(0, 12)}`, name, prefix: prefixOf(secret), hash, createdAt: 0, revokedAt: null, limits: null, scopes };
    };
    this.staticKeys = [
      ...staticSecrets.map((s) => fromEnv(s, 'RETOUCH_API_KEYS', [])),
      ...adminSecrets.map((s) => fromEnv(s, 'RETOUCH_ADMIN_KEYS', ['admin'])),
    ];
  }

  /**
   * Makes a key; the secret is returned once and only its hash is kept. Its webhook signing secret
   * is kept as is (signing needs it) and can be shown again (`retouch keys`).
   */
  async create(name: string | null = null, limits: KeyLimits | null = null, scopes: KeyScope[] = []): Promise<{ id: string; secret: string; prefix: string; webhookSecret: string }> {
    const secret = newApiKeySecret();
    const webhookSecret = newWebhookSecret();
    const record: ApiKeyRecord = {
      id: newId('key'), name, prefix: prefixOf(secret), hash: sha256(secret), createdAt: Date.now(), revokedAt: null, limits, webhookSecret,
      ...(scopes.length ? { scopes } : {}),
    };
    await this.store.insertKey(record);
    return { id: record.id, secret, prefix: record.prefix, webhookSecret };
  }

  /**
   * The webhook signing secret of a stored key, made now for a key from before webhooks; for static
   * keys (RETOUCH_API_KEYS), RETOUCH_WEBHOOK_SECRET, or undefined when it is not set.
   */
  async webhookSecret(keyId: string): Promise<string | undefined> {
    if (this.staticKeys.some((k) => k.id === keyId)) return this.staticWebhookSecret;
    const key = (await this.store.listKeys()).find((k) => k.id === keyId);
    if (!key) return undefined;
    if (key.webhookSecret) return key.webhookSecret;
    const made = newWebhookSecret();
    await this.store.setWebhookSecret(keyId, made);
    return made;
  }

  /** A stored key without its hash, or null. */
  async get(id: string): Promise<KeyView | null> {
    const key = await this.store.getKey(id);
    return key ? view(key) : null;
  }

  /**
   * Gives an active key a new secret, returned once; the old secret stops working at once. Null when
   * no active stored key has that id (static keys live in the environment and cannot be rotated here).
   */
  async rotate(id: string): Promise<{ secret: string; prefix: string } | null> {
    const secret = newApiKeySecret();
    const ok = await this.store.rotateKey(id, prefixOf(secret), sha256(secret));
    return ok ? { secret, prefix: prefixOf(secret) } : null;
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
    return { id: match.id, name: match.name, limits: effectiveLimits(match.limits, this.defaults), scopes: match.scopes ?? [] };
  }

  /** Every key that can call now (static ones and stored ones not revoked), with its limits as `verify` gives them. */
  async activeLimits(): Promise<Array<{ id: string; limits: KeyLimits }>> {
    const active = [...this.staticKeys, ...(await this.store.listKeys())].filter((k) => k.revokedAt === null);
    return active.map((k) => ({ id: k.id, limits: effectiveLimits(k.limits, this.defaults) }));
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.store.listKeys();
  }

  /** Every stored key without its hash, oldest first. */
  async views(): Promise<KeyView[]> {
    return (await this.store.listKeys()).map(view);
  }

  /** Sets some of a key's limits (0 clears one back to the server default); false when no key has that id. */
  async update(id: string, changes: KeyLimits): Promise<boolean> {
    const key = await this.store.getKey(id);
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
