import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { CounterHit, RateLimiter } from './index.ts';

// Each script runs atomically inside Redis: no read-then-write race between nodes. Lease expiry uses
// Redis's clock (TIME), so nodes with skewed clocks still agree on when a lease has lapsed.
const CONSUME = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if v + cost > tonumber(ARGV[2]) then return {0, v} end
v = redis.call('INCRBY', KEYS[1], cost)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return {1, v}`;

const CHARGE = `
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return v`;

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const ACQUIRE = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`;

const RENEW = `${NOW}
local s = redis.call('ZSCORE', KEYS[1], ARGV[2])
if not s or tonumber(s) <= now then redis.call('ZREM', KEYS[1], ARGV[2]) return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return 1`;

const COUNT = `${NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])`;

interface Scripts {
  rtConsume(key: string, cost: number, limit: number, resetAt: number): Promise<[number, number]>;
  rtCharge(key: string, cost: number, resetAt: number): Promise<number>;
  rtAcquire(key: string, max: number, ttl: number, id: string): Promise<number>;
  rtRenew(key: string, ttl: number, id: string): Promise<number>;
  rtCount(key: string): Promise<number>;
}

/**
 * The shared limiter: counters and leases in Redis, one Lua script per operation. The URL's
 * database number (`redis://host:6379/3`) is honoured, and every key starts with `prefix`, so
 * several deployments can share one Redis.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly kind = 'redis';
  readonly persistent = true;

  private constructor(private readonly redis: Redis & Scripts, private readonly prefix: string) {}

  static async connect(url: string, prefix: string): Promise<RedisRateLimiter> {
    const redis = new Redis(url, { maxRetriesPerRequest: 2, lazyConnect: true, connectTimeout: 5000 });
    redis.on('error', () => {}); // reconnects on its own; commands fail meanwhile and the caller hears it
    redis.defineCommand('rtConsume', { numberOfKeys: 1, lua: CONSUME });
    redis.defineCommand('rtCharge', { numberOfKeys: 1, lua: CHARGE });
    redis.defineCommand('rtAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    redis.defineCommand('rtRenew', { numberOfKeys: 1, lua: RENEW });
    redis.defineCommand('rtCount', { numberOfKeys: 1, lua: COUNT });
    await redis.connect();
    return new RedisRateLimiter(redis as Redis & Scripts, prefix);
  }

  async consume(bucket: string, cost: number, limit: number, resetAt: number): Promise<CounterHit> {
    const [ok, used] = await this.redis.rtConsume(this.prefix + bucket, cost, limit, Math.ceil(resetAt));
    return { allowed: ok === 1, used: Number(used) };
  }

  async charge(bucket: string, cost: number, resetAt: number) {
    return Number(await this.redis.rtCharge(this.prefix + bucket, cost, Math.ceil(resetAt)));
  }

  async peek(bucket: string) {
    return Number((await this.redis.get(this.prefix + bucket)) ?? 0);
  }

  async acquireLease(name: string, max: number, ttlMs: number) {
    const id = randomUUID();
    return (await this.redis.rtAcquire(`${this.prefix}lease:${name}`, max, Math.ceil(ttlMs), id)) === 1 ? id : null;
  }

  async renewLease(name: string, id: string, ttlMs: number) {
    return (await this.redis.rtRenew(`${this.prefix}lease:${name}`, Math.ceil(ttlMs), id)) === 1;
  }

  async releaseLease(name: string, id: string) {
    await this.redis.zrem(`${this.prefix}lease:${name}`, id);
  }

  async leases(name: string) {
    return Number(await this.redis.rtCount(`${this.prefix}lease:${name}`));
  }

  async close() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
