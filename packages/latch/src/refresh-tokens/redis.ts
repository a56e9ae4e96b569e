import { retryWindowMs } from "./retry-window.js";
import type { RefreshFamily, RefreshTokenStore, RotateResult } from "./types.js";

/** What the store needs of a Redis client: raw commands (node-redis v4–v6 all have `sendCommand`). */
export interface RedisRefreshTokenClient {
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of the Redis refresh-token store. */
export interface RedisRefreshTokenOptions {
  /**
   * Key prefix. Default `latch:rt:`. The scripts reach a family's key from its token's, so on a
   * Redis Cluster every key must hash to one slot: put a hash tag in the prefix (`{latch:rt}:`).
   */
  prefix?: string | undefined;
}

// Keys (hashes, so the scripts never re-encode JSON — cjson would round long numbers in claims and
// turn empty arrays into objects):
//   <prefix>family:<id>  data (the family as JSON, dates in epoch ms), expires (ms), revoked (0/1);
//                        expires at the family's end.
//   <prefix>token:<hash> family (the family's key), expires (ms), used (0/1), used_at (ms) and
//                        successor (the key of the token its use made current; none on a token a
//                        retry retired); expires at its own expiry while unused (never after the
//                        family's end), and at the family's end once used: a used token must stay
//                        recognizable for reuse detection as long as the family lives.
// "Now" is the Redis server's clock (TIME), so instances whose clocks differ still agree.

const NOW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

// KEYS: family, first token. ARGV: family JSON, family end, token expiry.
const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('latch: a refresh-token family with this id already exists') end
if redis.call('EXISTS', KEYS[2]) == 1 then return redis.error_reply('latch: a refresh token with this hash already exists') end
redis.call('HSET', KEYS[1], 'data', ARGV[1], 'expires', ARGV[2], 'revoked', '0')
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[2], 'family', KEYS[1], 'expires', ARGV[3], 'used', '0')
if tonumber(ARGV[3]) < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[2], ARGV[3]) else redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return 1`;

// The used token's successor that a retry would retire (within ARGV[window] ms of the token's use,
// the successor unused and unexpired), or false. Expects token (HMGET of family, expires, used,
// used_at, successor) and now.
const RETRIED = (window: string) => `
local retired = false
local window = tonumber(${window})
if token[3] == '1' and window > 0 and token[4] and token[5] and now >= tonumber(token[4]) and now - tonumber(token[4]) <= window then
  local successor = redis.call('HMGET', token[5], 'used', 'expires')
  if successor[1] == '0' and tonumber(successor[2]) > now then retired = token[5] end
end`;

// KEYS: presented token, next token. ARGV: next token's expiry, retry window (ms). The family's
// key is read from the token's. Returns {status}, {status, family JSON} or, for a retry,
// {'rotated', family JSON, 'retried'}.
const ROTATE_SCRIPT = `
local token = redis.call('HMGET', KEYS[1], 'family', 'expires', 'used', 'used_at', 'successor')
if not token[1] then return {'invalid'} end
local family = redis.call('HMGET', token[1], 'data', 'expires', 'revoked')
if not family[1] then return {'invalid'} end
${NOW}
if family[3] == '1' or tonumber(family[2]) <= now then return {'invalid'} end
${RETRIED("ARGV[2]")}
if token[3] == '1' and not retired then
  redis.call('HSET', token[1], 'revoked', '1')
  return {'reused', family[1]}
end
if token[3] ~= '1' and tonumber(token[2]) <= now then return {'invalid'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return redis.error_reply('latch: a refresh token with this hash already exists') end
if retired then
  redis.call('HSET', retired, 'used', '1', 'used_at', now)
  redis.call('PEXPIREAT', retired, family[2])
  redis.call('HSET', KEYS[1], 'successor', KEYS[2])
else
  redis.call('HSET', KEYS[1], 'used', '1', 'used_at', now, 'successor', KEYS[2])
  redis.call('PEXPIREAT', KEYS[1], family[2])
end
redis.call('HSET', KEYS[2], 'family', token[1], 'expires', ARGV[1], 'used', '0')
if tonumber(ARGV[1]) < tonumber(family[2]) then redis.call('PEXPIREAT', KEYS[2], ARGV[1]) else redis.call('PEXPIREAT', KEYS[2], family[2]) end
if retired then return {'rotated', family[1], 'retried'} end
return {'rotated', family[1]}`;

// KEYS: token. ARGV: retry window (ms). What ROTATE_SCRIPT would rotate, read without writing: the
// family JSON, or nil.
const PEEK_SCRIPT = `
local token = redis.call('HMGET', KEYS[1], 'family', 'expires', 'used', 'used_at', 'successor')
if not token[1] then return false end
local family = redis.call('HMGET', token[1], 'data', 'expires', 'revoked')
if not family[1] then return false end
${NOW}
if family[3] == '1' or tonumber(family[2]) <= now then return false end
${RETRIED("ARGV[1]")}
if token[3] == '1' and not retired then return false end
if token[3] ~= '1' and tonumber(token[2]) <= now then return false end
return family[1]`;

// KEYS: family. Only an existing family: HSET alone would create a key that never expires.
const REVOKE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'revoked', '1') end
return 1`;

/** The family as stored in its key's `data` field. */
interface FamilyData {
  id: string;
  userId: string;
  sid?: string;
  sessionToken?: string;
  authTime?: number;
  claims: Record<string, unknown>;
  expiresAt: number;
}

/**
 * Refresh tokens in Redis, shared by every instance: one key per family and one per token hash,
 * each expiring on its own, so Redis drops ended families itself. A rotation is one Lua script —
 * read the token and its family, then mark the token used and write its successor, or revoke the
 * family on reuse, or retire an unused successor for a retry within the window — so concurrent
 * uses of one token leave exactly one live successor. The Redis server's clock decides expiry.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisRefreshTokenStore } from "latch/refresh-tokens/redis";
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * NextAuth({ providers, bearer: { refreshTokens: { store: RedisRefreshTokenStore(redis) } } });
 * ```
 */
export function RedisRefreshTokenStore(client: RedisRefreshTokenClient, options: RedisRefreshTokenOptions = {}): RefreshTokenStore {
  const prefix = options.prefix ?? "latch:rt:";
  const familyKey = (id: string) => `${prefix}family:${encodeURIComponent(id)}`;
  const tokenKey = (hash: string) => `${prefix}token:${encodeURIComponent(hash)}`;
  return {
    async createFamily(family, first) {
      const { id, userId, sid, sessionToken, authTime, claims } = family;
      const data: FamilyData = { id, userId, claims, expiresAt: timeOf(family.expiresAt, "family expiry") };
      if (sid !== undefined) data.sid = sid;
      if (sessionToken !== undefined) data.sessionToken = sessionToken;
      if (authTime !== undefined) data.authTime = authTime;
      await client.sendCommand(["EVAL", CREATE_SCRIPT, "2", familyKey(id), tokenKey(first.tokenHash), JSON.stringify(data), String(data.expiresAt), String(timeOf(first.expiresAt, "token expiry"))]);
    },
    async rotate(tokenHash, next, options): Promise<RotateResult> {
      const reply = await client.sendCommand(["EVAL", ROTATE_SCRIPT, "2", tokenKey(tokenHash), tokenKey(next.tokenHash), String(timeOf(next.expiresAt, "token expiry")), String(retryWindowMs(options))]);
      const [status, data, retried] = Array.isArray(reply) ? (reply as unknown[]) : [];
      if (status === "invalid") return { status };
      if (status === "rotated" && retried === "retried" && typeof data === "string") return { status, family: familyOf(data), retried: true };
      if ((status === "rotated" || status === "reused") && typeof data === "string") return { status, family: familyOf(data) };
      throw new TypeError("latch: unexpected reply from Redis to the refresh-token script");
    },
    async peek(tokenHash, options) {
      const reply = await client.sendCommand(["EVAL", PEEK_SCRIPT, "1", tokenKey(tokenHash), String(retryWindowMs(options))]);
      if (reply === null || reply === undefined) return null;
      if (typeof reply === "string") return familyOf(reply);
      throw new TypeError("latch: unexpected reply from Redis to the refresh-token peek script");
    },
    async revokeFamily(familyId) {
      await client.sendCommand(["EVAL", REVOKE_SCRIPT, "1", familyKey(familyId)]);
    },
  };
}

function familyOf(json: string): RefreshFamily {
  const data = JSON.parse(json) as FamilyData;
  const family: RefreshFamily = { id: data.id, userId: data.userId, claims: data.claims, expiresAt: new Date(data.expiresAt) };
  if (data.sid !== undefined) family.sid = data.sid;
  if (data.sessionToken !== undefined) family.sessionToken = data.sessionToken;
  if (data.authTime !== undefined) family.authTime = data.authTime;
  return family;
}

/** A date's time in ms, refusing an invalid date. */
function timeOf(date: Date, what: string): number {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError(`latch: invalid ${what}`);
  return time;
}
