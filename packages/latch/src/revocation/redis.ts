import type { RevocationStore } from "./types.js";

/** What the store needs of a Redis client: raw commands (node-redis v4–v6 all have `sendCommand`). */
export interface RedisCommandClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of the Redis revocation store. */
export interface RedisRevocationOptions {
  /** Key prefix. Default `latch:revoked:`. */
  prefix?: string | undefined;
  /** How long a user's cut-off is kept: the longest a session can live. Default 30 days. */
  maxAge?: number | undefined;
}

/**
 * Revocation in Redis: one key per revoked session (expiring with the token) and one per user
 * cut-off; a check is one `MGET`. Shared by every instance and kept across restarts.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisRevocationStore } from "latch/revocation/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * export const { auth, signOutEverywhere } = NextAuth({ providers, revocation: RedisRevocationStore(redis) });
 * ```
 */
export function RedisRevocationStore(client: RedisCommandClient, options: RedisRevocationOptions = {}): RevocationStore {
  const prefix = options.prefix ?? "latch:revoked:";
  const maxAgeMs = (options.maxAge ?? 30 * 24 * 60 * 60) * 1000;
  const sessionKey = (sid: string) => `${prefix}sid:${encodeURIComponent(sid)}`;
  const userKey = (userId: string) => `${prefix}user:${encodeURIComponent(userId)}`;
  return {
    async revokeSession(sid, until) {
      const at = Math.max(until.getTime(), Date.now() + 1000);
      await client.sendCommand(["SET", sessionKey(sid), "1", "PXAT", String(at)]);
    },
    async revokeUser(userId, before, until) {
      // Keep the latest cut-off and the longest lifetime: GREATEST semantics, in one atomic step.
      const script =
        "local v = ARGV[1] local c = redis.call('GET', KEYS[1]) if c and tonumber(c) >= tonumber(v) then v = c end " +
        "local px = tonumber(ARGV[2]) local ttl = redis.call('PTTL', KEYS[1]) if ttl > px then px = ttl end " +
        "redis.call('SET', KEYS[1], v, 'PX', px) return 1";
      const keepFor = Math.max(maxAgeMs, (until?.getTime() ?? 0) - Date.now());
      await client.sendCommand(["EVAL", script, "1", userKey(userId), String(before.getTime()), String(Math.ceil(keepFor))]);
    },
    async isRevoked({ sid, userId, authTime }) {
      const keys = [sid === undefined ? `${prefix}none` : sessionKey(sid), userId === undefined ? `${prefix}none` : userKey(userId)];
      const reply = await client.sendCommand(["MGET", ...keys]);
      if (!Array.isArray(reply)) throw new TypeError("latch: unexpected MGET reply from Redis");
      const [revoked, cutOff] = reply as unknown[];
      if (revoked !== null && revoked !== undefined) return true;
      if (cutOff === null || cutOff === undefined) return false;
      // A token without auth_time predates revocation support: any cut-off ends it.
      return authTime === undefined || authTime * 1000 < Number(cutOff);
    },
  };
}
