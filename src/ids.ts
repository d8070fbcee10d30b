import { randomBytes } from 'node:crypto';

/** Every id prefix Retouch hands out, in one place, so a glance at an id says what it names. */
export const ID_PREFIX = { image: 'img', request: 'req', key: 'key', usage: 'use', job: 'job', webhook: 'msg', audit: 'aud' } as const;
export type IdKind = keyof typeof ID_PREFIX;

// Crockford base32, lower-case: URL-safe, case-insensitive, no look-alike letters.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/**
 * A new id: 10 characters of millisecond time (so ids sort by creation) and 16 of randomness
 * (80 bits, so image URLs cannot be guessed).
 */
export function newId(kind: IdKind, now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return `${ID_PREFIX[kind]}_${time}${base32(randomBytes(10))}`;
}

/** Matches ids made by newId for one kind, and nothing else (no dots, no slashes). */
export function idPattern(kind: IdKind): RegExp {
  return new RegExp(`^${ID_PREFIX[kind]}_[${ALPHABET}]{26}$`);
}

/** A secret API key: `sk-` and 32 characters of randomness (160 bits). */
export function newApiKeySecret(): string {
  return `sk-${base32(randomBytes(20))}`;
}

/** A webhook signing secret as Standard Webhooks writes them: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
