import { randomBytes } from "node:crypto";
import type { ProviderTokenLock, ProviderTokens, ProviderTokenStore, StoredProviderTokens } from "./types.js";
import { checkPut, checkTtl } from "../core/provider-token-rows.js";

/** What the store needs of a Redis client: raw commands (node-redis v4–v6 all have `sendCommand`). */
export interface RedisProviderTokenClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of the Redis provider-token store. */
export interface RedisProviderTokenOptions {
  /** Key prefix. Default `latch:pt:`. */
  prefix?: string | undefined;
  /**
   * Seconds a record lives after its last write, after which Redis drops it (and the user signs in
   * again to get provider access). Default none: a record lives until deleted or overwritten.
   */
  maxAge?: number | undefined;
}

// Keys:
//   <prefix>tokens:<user>:<provider>  hash: data (the tokens as JSON, only the fields set),
//                                     version. No expiry unless `maxAge` is set.
//   <prefix>lock:<user>:<provider>    the holder's random value, expiring with the lock.
// User and provider are URI-encoded, so neither can contain the ':' between them.

// KEYS: tokens. ARGV: expected version ('' for none), tokens JSON, force ('1'/'0'), TTL in ms
// ('' for none). Returns the new version, or nil when the stored version is not the expected one.
const PUT_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[3] ~= '1' then
  if ARGV[1] == '' then
    if current then return false end
  elseif not current or tonumber(current) ~= tonumber(ARGV[1]) then
    return false
  end
end
local version = 1
if current then version = tonumber(current) + 1 end
redis.call('HSET', KEYS[1], 'data', ARGV[2], 'version', version)
if ARGV[4] == '' then redis.call('PERSIST', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
return version`;

// KEYS: lock. ARGV: the holder's value. Deletes the lock only while this holder has it.
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Provider tokens in Redis, shared by every instance: one hash per user and provider holding the
 * tokens and their version. A write is one Lua script that compares the version, writes and bumps
 * it, so of concurrent writers with the same expected version exactly one wins. The refresh lock
 * is a key set with `SET … NX PX` to a random value of its holder, and released by a script that
 * deletes it only if it still holds that value: a holder whose lock expired and was taken by
 * another instance cannot release the new holder's lock. Records never expire unless `maxAge` is
 * set. Every key touched by one call is a single key, so this works on a Redis Cluster as is.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisProviderTokenStore } from "latch/provider-tokens/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * NextAuth({ providers: [Google], providerTokens: { store: RedisProviderTokenStore(redis) } });
 * ```
 */
export function RedisProviderTokenStore(client: RedisProviderTokenClient, options: RedisProviderTokenOptions = {}): ProviderTokenStore {
  const prefix = options.prefix ?? "latch:pt:";
  const { maxAge } = options;
  if (maxAge !== undefined && (!Number.isFinite(maxAge) || maxAge <= 0)) throw new RangeError(`latch: maxAge must be a positive number of seconds, got ${maxAge}`);
  const ttl = maxAge === undefined ? "" : String(Math.ceil(maxAge * 1000));
  const pair = (userId: string, provider: string) => `${encodeURIComponent(userId)}:${encodeURIComponent(provider)}`;
  const tokensKey = (userId: string, provider: string) => `${prefix}tokens:${pair(userId, provider)}`;
  const lockKey = (userId: string, provider: string) => `${prefix}lock:${pair(userId, provider)}`;

  return {
    async get(userId, provider) {
      const reply = await client.sendCommand(["HMGET", tokensKey(userId, provider), "data", "version"]);
      const [data, version] = Array.isArray(reply) ? (reply as unknown[]) : [];
      if (data === null && version === null) return null;
      if (typeof data !== "string" || typeof version !== "string") throw new TypeError("latch: unexpected reply from Redis to HMGET of provider tokens");
      return storedOf(data, Number(version));
    },

    async put(userId, provider, tokens, expectedVersion, putOptions = {}) {
      checkPut(tokens, expectedVersion);
      const reply = await client.sendCommand([
        "EVAL",
        PUT_SCRIPT,
        "1",
        tokensKey(userId, provider),
        expectedVersion === null ? "" : String(expectedVersion),
        JSON.stringify(dataOf(tokens)),
        putOptions.force === true ? "1" : "0",
        ttl,
      ]);
      if (reply === null) return null;
      const version = Number(reply);
      if (typeof reply !== "number" || !Number.isSafeInteger(version)) throw new TypeError("latch: unexpected reply from Redis to the provider-token script");
      return version;
    },

    async delete(userId, provider) {
      await client.sendCommand(["DEL", tokensKey(userId, provider)]);
    },

    async lock(userId, provider, ttlMs): Promise<ProviderTokenLock | null> {
      checkTtl(ttlMs);
      const key = lockKey(userId, provider);
      const holder = randomBytes(16).toString("base64url");
      const reply = await client.sendCommand(["SET", key, holder, "NX", "PX", String(Math.ceil(ttlMs))]);
      if (reply === null) return null;
      if (reply !== "OK") throw new TypeError("latch: unexpected reply from Redis to SET NX of a provider-token lock");
      return {
        async release() {
          await client.sendCommand(["EVAL", RELEASE_SCRIPT, "1", key, holder]);
        },
      };
    },
  };
}

/** The tokens as stored in the hash's `data` field: only the fields that are set. */
function dataOf(tokens: ProviderTokens): ProviderTokens {
  const data: ProviderTokens = { accessToken: tokens.accessToken };
  if (tokens.refreshToken !== undefined) data.refreshToken = tokens.refreshToken;
  if (tokens.expiresAt !== undefined) data.expiresAt = tokens.expiresAt;
  if (tokens.scope !== undefined) data.scope = tokens.scope;
  if (tokens.tokenType !== undefined) data.tokenType = tokens.tokenType;
  if (tokens.error !== undefined) data.error = tokens.error;
  return data;
}

function storedOf(json: string, version: number): StoredProviderTokens {
  return { ...dataOf(JSON.parse(json) as ProviderTokens), version };
}
