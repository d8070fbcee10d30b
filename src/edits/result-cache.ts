import type { UsageDraft } from '../usage/meter.ts';
import type { EditAnswer } from './service.ts';

/** What is kept of an answer: itself, its headers, and what it produced (quotas are charged on a hit too). */
export interface CachedAnswer {
  answer: EditAnswer;
  headers: Record<string, string>;
  images: number;
  pixels: number;
  /** The edit's usage draft: a hit is recorded as the edit it repeats (x-retouch-cache tells them apart). */
  usage: UsageDraft;
}

interface Entry extends CachedAnswer {
  bytes: number;
  expiresAt: number;
}

/**
 * Answers of the local engine, which is deterministic: the same image bytes, mask, prompt, model
 * and output parameters give the same pixels, so the answer given once can be given again
 * (`x-retouch-cache: hit`) without the edit. Bounded by bytes (the answer's size: base64 images
 * count in full) and by age, least recently used first out. Entries are keyed by API key as well,
 * so a key learns nothing from the cache about what another key sent.
 *
 * Hosted URLs in a cached answer stay valid: entries live at most half the image retention.
 */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private used = 0;

  constructor(private readonly maxBytes: number, private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) {
      this.used -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry); // most recently used now
    return entry;
  }

  /** Keeps an answer of `bytes` (its body's length); one larger than the whole cache is not kept. */
  set(key: string, cached: CachedAnswer, bytes: number): void {
    if (bytes > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { ...cached, bytes, expiresAt: this.now() + this.ttlMs });
    this.used += bytes;
    for (const [k, e] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
  }

  delete(key: string): void {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.used -= old.bytes;
  }

  /** Bytes held now (for tests and metrics). */
  get size(): number {
    return this.used;
  }
}
