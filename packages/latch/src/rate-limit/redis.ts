import type { RateLimitHit, RateLimitStore } from "./types.js";

/** What the store needs of a Redis client: raw commands (node-redis v4–v6 all have `sendCommand`). */
export interface RedisRateLimitClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of the Redis rate-limit store. */
export interface RedisRateLimitOptions {
  /** Key prefix. Default `latch:rl:`. */
  prefix?: string | undefined;
}

// One atomic step: count the hit, start the window's expiry if this hit opened it, and report
// the count with the window's end by the server's clock (its time plus the time left), which
// stays the same for every hit of the window. A key without an expiry (written or PERSISTed by
// something else) would otherwise count forever: it is given the window from now on, keeping
// its count.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
local ttl = -1
if count > 1 then ttl = redis.call('PTTL', KEYS[1]) end
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
local now = redis.call('TIME')
return {count, tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl}`;

// Takes one attempt back from a live window (DECR keeps the key's expiry), never below zero.
const UNDO_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count and count > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Rate limiting in Redis, shared by every instance: one counter key per limited key, counted and
 * given its expiry by one Lua script (`INCR`, then `PEXPIRE` when the window opens), so a hit is
 * one atomic round trip and Redis drops finished windows itself. The Redis server's clock decides
 * when windows end.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisRateLimitStore } from "latch/rate-limit/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * NextAuth({ providers, rateLimit: { store: RedisRateLimitStore(redis) } });
 * ```
 */
export function RedisRateLimitStore(client: RedisRateLimitClient, options: RedisRateLimitOptions = {}): RateLimitStore {
  const prefix = options.prefix ?? "latch:rl:";
  const keyOf = (key: string) => `${prefix}${encodeURIComponent(key)}`;
  return {
    async hit(key, windowMs): Promise<RateLimitHit> {
      if (!Number.isFinite(windowMs) || windowMs <= 0) throw new RangeError(`latch: rate-limit window must be a positive number of milliseconds, got ${windowMs}`);
      const reply = await client.sendCommand(["EVAL", HIT_SCRIPT, "1", keyOf(key), String(Math.ceil(windowMs))]);
      const [count, resetAt] = Array.isArray(reply) ? (reply as unknown[]).map(Number) : [];
      if (count === undefined || resetAt === undefined || !Number.isSafeInteger(count) || !Number.isSafeInteger(resetAt)) {
        throw new TypeError("latch: unexpected reply from Redis to the rate-limit script");
      }
      return { count, resetAt: new Date(resetAt) };
    },
    async reset(key) {
      await client.sendCommand(["DEL", keyOf(key)]);
    },
    async undo(key) {
      await client.sendCommand(["EVAL", UNDO_SCRIPT, "1", keyOf(key)]);
    },
  };
}
