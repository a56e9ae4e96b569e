/**
 * `latch/adapters/redis`: an adapter for Redis (6.2 or later) through `redis` (node-redis v5/v6).
 *
 * Records are JSON strings; sessions and verification tokens carry their `expires` as the key's
 * expiry, so Redis removes them by itself. Multi-key writes run as Lua scripts (atomic). The keys
 * of one adapter must live on one node: on a cluster, give a hash-tagged prefix such as `{latch}:`.
 */
import type { Adapter, AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser, VerificationToken } from "./types.js";

/** What the adapter needs of a node-redis client (`createClient()`, connected, from `redis`). */
export interface RedisAdapterClient {
  get(key: string): Promise<unknown>;
  getDel(key: string): Promise<unknown>;
  eval(script: string, options: { keys: string[]; arguments: string[] }): Promise<unknown>;
}

/** Options of `RedisAdapter`. */
export interface RedisAdapterOptions {
  /** Prepended to every key; default `"latch:"`. */
  prefix?: string | undefined;
}

// Each script is atomic; keys derived inside a script come from the adapter's own indexes.
const CREATE_USER = `
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.error_reply('latch: createUser: a user with this id exists') end
if KEYS[2] then
  if redis.call('EXISTS', KEYS[2]) == 1 then return redis.error_reply('latch: createUser: a user with this email exists') end
  redis.call('SET', KEYS[2], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[1])
return 1`;

// Compare-and-set: the caller merged the update into ARGV[1] (the value it read), giving ARGV[2];
// 0 means "changed since, retry". KEYS: user, old email index, new email index. ARGV[3] is the
// user id, ARGV[4] "1" when the email changed, ARGV[5] "1" when the new email is not null.
const UPDATE_USER = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[4] == '1' then
  if ARGV[5] == '1' then
    local owner = redis.call('GET', KEYS[3])
    if owner and owner ~= ARGV[3] then return redis.error_reply('latch: updateUser: another user has this email') end
    redis.call('SET', KEYS[3], ARGV[3])
  end
  if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`;

// JSON.stringify writes an unpaired surrogate (a name cut inside an emoji) as an escape such as
// \ud83d, which Redis's cjson refuses. Scripts read only ids, emails and types out of records, so
// they read such an escape as U+FFFD and leave the record as it was written. An odd run of
// backslashes ends in an escape; an even one is escaped backslashes, then plain text.
const DECODE = String.raw`
local function decode(raw)
  return cjson.decode((string.gsub(raw, '(\\+)u[dD][89a-fA-F]%x%x', function(slashes)
    if #slashes % 2 == 1 then return slashes .. 'ufffd' end
  end)))
end`;

// The user is decoded before anything is deleted: a script that fails stops where it is.
const DELETE_USER = `${DECODE}
local user = redis.call('GET', KEYS[1])
local email = user and decode(user).email
for _, key in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', key) end
for _, key in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do redis.call('DEL', key) end
for _, key in ipairs(redis.call('SMEMBERS', KEYS[4])) do redis.call('DEL', key) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
if type(email) == 'string' and redis.call('GET', ARGV[1] .. email) == ARGV[2] then redis.call('DEL', ARGV[1] .. email) end
return user`;

// KEYS: record, owner's index, owner. ARGV: value, then for a session its expiry and now (ms).
const CREATE_OWNED = `
if redis.call('EXISTS', KEYS[3]) == 0 then return redis.error_reply('latch: no user with this id') end
if ARGV[2] then
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return redis.error_reply('latch: this session token exists') end
  redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
else
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return redis.error_reply('latch: this record exists') end
  redis.call('SADD', KEYS[2], KEYS[1])
end
return 1`;

// KEYS: record. ARGV: index command (SREM/ZREM), index key without the owner's id.
const DELETE_OWNED = `${DECODE}
local raw = redis.call('GET', KEYS[1])
if not raw then return raw end
local owner = decode(raw).userId
redis.call('DEL', KEYS[1])
redis.call(ARGV[1], ARGV[2] .. owner, KEYS[1])
return raw`;

// KEYS: the account. ARGV: the accounts index and the authenticators index, without the owner's
// id. A passkey's authenticator goes with its account (only a passkey's account): left behind,
// it would still be listed as the user's though it can no longer sign in.
const UNLINK_ACCOUNT = `${DECODE}
local raw = redis.call('GET', KEYS[1])
if not raw then return raw end
local account = decode(raw)
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. account.userId, KEYS[1])
if account.type ~= 'webauthn' then return raw end
local index = ARGV[2] .. account.userId
for _, key in ipairs(redis.call('SMEMBERS', index)) do
  local authenticator = redis.call('GET', key)
  if authenticator and decode(authenticator).providerAccountId == account.providerAccountId then
    redis.call('DEL', key)
    redis.call('SREM', index, key)
  end
end
return raw`;

// KEYS: the user's session index, whose members are whole (prefixed) session keys. Returns how
// many session keys existed: those Redis already expired do not count.
const DELETE_SESSIONS_BY_USER = `
local deleted = 0
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do deleted = deleted + redis.call('DEL', key) end
redis.call('DEL', KEYS[1])
return deleted`;

const UPDATE_SESSION = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
redis.call('ZREM', KEYS[2], KEYS[1])
redis.call('ZADD', KEYS[3], ARGV[3], KEYS[1])
return 1`;

const SET_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

const SESSION_AND_USER = `${DECODE}
local session = redis.call('GET', KEYS[1])
if not session then return nil end
local user = redis.call('GET', ARGV[1] .. decode(session).userId)
if not user then return nil end
return { session, user }`;

const GET_BY_INDEX = `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
return redis.call('GET', ARGV[1] .. id)`;

const LIST_BY_INDEX = `
local keys = redis.call('SMEMBERS', KEYS[1])
if #keys == 0 then return {} end
return redis.call('MGET', unpack(keys))`;

// KEYS: the token, the identifier's index of token keys. ARGV: the token JSON, its expiry (ms),
// '1' to delete the identifier's other tokens first. The index lives as long as its last token.
// Replacing writes the token whether or not it is there (the same code again gets the new
// expiry); creating refuses one that is, before anything changes. Members whose token is gone
// (used, expired) leave the index as it is written.
const VERIFICATION_TOKEN = `
if ARGV[3] == '1' then
  for _, older in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if older ~= KEYS[1] then redis.call('DEL', older) end
  end
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2])
else
  if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PXAT', ARGV[2]) then return redis.error_reply('latch: this verification token exists') end
  for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
    if redis.call('EXISTS', member) == 0 then redis.call('SREM', KEYS[2], member) end
  end
end
redis.call('SADD', KEYS[2], KEYS[1])
local ttl = redis.call('PTTL', KEYS[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if ttl < 0 or now + ttl < tonumber(ARGV[2]) then redis.call('PEXPIREAT', KEYS[2], ARGV[2]) end
return 1`;

type Json = Record<string, unknown>;

/** The fields a partial update sets: `undefined` means "leave as is", as in SQL adapters. */
function defined(patch: object): Json {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
}

function parse(raw: unknown): Json | null {
  if (typeof raw !== "string") return null;
  const value: unknown = JSON.parse(raw);
  return typeof value === "object" && value !== null ? (value as Json) : null;
}

function toDate(value: unknown): Date {
  return new Date(typeof value === "string" || typeof value === "number" ? value : Number.NaN);
}

function toUser(raw: unknown): AdapterUser | null {
  const user = parse(raw);
  if (!user) return null;
  const { emailVerified } = user;
  return { ...user, emailVerified: emailVerified === null || emailVerified === undefined ? null : toDate(emailVerified) } as AdapterUser;
}

function toSession(raw: unknown): AdapterSession | null {
  const session = parse(raw);
  return session ? ({ ...session, expires: toDate(session["expires"]) } as AdapterSession) : null;
}

function toVerificationToken(raw: unknown): VerificationToken | null {
  const token = parse(raw);
  return token ? ({ ...token, expires: toDate(token["expires"]) } as VerificationToken) : null;
}

/**
 * The Redis adapter, on a connected node-redis client the app created.
 *
 * Keys (after the prefix): `user:<id>`, `user-by-email:<email>`, `account:<provider>:<id>`,
 * `accounts-by-user:<userId>`, `session:<token>`, `sessions-by-user:<userId>`,
 * `verification-token:<identifier>:<token>`, `authenticator:<credentialID>`,
 * `authenticators-by-user:<userId>`. Provider and identifier are URI-encoded so that a `:` in
 * them cannot make two keys meet.
 *
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { RedisAdapter } from "latch/adapters/redis";
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const adapter = RedisAdapter(client, { prefix: "myapp:auth:" });
 * ```
 */
export function RedisAdapter(client: RedisAdapterClient, options: RedisAdapterOptions = {}): Adapter {
  const p = options.prefix ?? "latch:";
  const key = {
    user: (id: string) => `${p}user:${id}`,
    email: (email: string) => `${p}user-by-email:${email}`,
    account: (provider: string, providerAccountId: string) => `${p}account:${encodeURIComponent(provider)}:${providerAccountId}`,
    accounts: (userId: string) => `${p}accounts-by-user:${userId}`,
    session: (token: string) => `${p}session:${token}`,
    sessions: (userId: string) => `${p}sessions-by-user:${userId}`,
    verificationToken: (identifier: string, token: string) => `${p}verification-token:${encodeURIComponent(identifier)}:${token}`,
    verificationTokens: (identifier: string) => `${p}verification-tokens:${encodeURIComponent(identifier)}`,
    authenticator: (credentialID: string) => `${p}authenticator:${credentialID}`,
    authenticators: (userId: string) => `${p}authenticators-by-user:${userId}`,
  };
  const run = (script: string, keys: string[], args: string[] = []) => client.eval(script, { keys, arguments: args });

  /** Read, let `change` build the new value, write only if nobody wrote in between; retry if they did. */
  async function update<T>(recordKey: string, change: (current: Json, raw: string) => Promise<{ written: unknown; result: T }>): Promise<T | null> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const raw = await client.get(recordKey);
      const current = parse(raw);
      if (!current || typeof raw !== "string") return null;
      const { written, result } = await change(current, raw);
      if (written === 1) return result;
    }
    throw new Error(`latch: ${recordKey} kept changing during an update; gave up after 20 attempts`);
  }

  return {
    async createUser(user) {
      const created: AdapterUser = { ...user, id: user.id || crypto.randomUUID() };
      const keys = typeof created.email === "string" ? [key.user(created.id), key.email(created.email)] : [key.user(created.id)];
      await run(CREATE_USER, keys, [JSON.stringify(created), created.id]);
      return created;
    },
    async getUser(id) {
      return toUser(await client.get(key.user(id)));
    },
    async getUserByEmail(email) {
      return toUser(await run(GET_BY_INDEX, [key.email(email)], [key.user("")]));
    },
    async getUserByAccount({ provider, providerAccountId }) {
      const account = parse(await client.get(key.account(provider, providerAccountId)));
      return typeof account?.["userId"] === "string" ? toUser(await client.get(key.user(account["userId"]))) : null;
    },
    async updateUser(patch) {
      const updated = await update(key.user(patch.id), async (current, raw) => {
        const next = { ...current, ...defined(patch) };
        const [before, after] = [current["email"], next["email"]];
        const keys = [key.user(patch.id), key.email(String(before)), key.email(String(after))];
        const flags = [before !== after ? "1" : "0", typeof after === "string" ? "1" : "0"];
        const written = await run(UPDATE_USER, keys, [raw, JSON.stringify(next), patch.id, ...flags]);
        return { written, result: next };
      });
      if (!updated) throw new Error(`latch: updateUser: no user with id ${JSON.stringify(patch.id)}`);
      return toUser(JSON.stringify(updated)) as AdapterUser;
    },
    async deleteUser(userId) {
      return toUser(await run(DELETE_USER, [key.user(userId), key.accounts(userId), key.sessions(userId), key.authenticators(userId)], [key.email(""), userId]));
    },
    async linkAccount(account) {
      await run(CREATE_OWNED, [key.account(account.provider, account.providerAccountId), key.accounts(account.userId), key.user(account.userId)], [JSON.stringify(account)]);
      return account;
    },
    async unlinkAccount({ provider, providerAccountId }) {
      return (parse(await run(UNLINK_ACCOUNT, [key.account(provider, providerAccountId)], [key.accounts(""), key.authenticators("")])) as AdapterAccount | null) ?? undefined;
    },
    async listAccountsByUserId(userId) {
      const found = await run(LIST_BY_INDEX, [key.accounts(userId)]);
      // The index may name an account key since relinked to another user: only this user's count.
      return Array.isArray(found) ? found.map(parse).filter((value) => value?.["userId"] === userId).map((value) => value as unknown as AdapterAccount) : [];
    },
    async getAccount(providerAccountId, provider) {
      return parse(await client.get(key.account(provider, providerAccountId))) as AdapterAccount | null;
    },
    async createSession(session) {
      const expiresAt = String(session.expires.getTime());
      await run(CREATE_OWNED, [key.session(session.sessionToken), key.sessions(session.userId), key.user(session.userId)], [JSON.stringify(session), expiresAt, String(Date.now())]);
      return session;
    },
    async getSessionAndUser(sessionToken) {
      const found = await run(SESSION_AND_USER, [key.session(sessionToken)], [key.user("")]);
      if (!Array.isArray(found)) return null;
      const [session, user] = [toSession(found[0]), toUser(found[1])];
      return session && user ? { session, user } : null;
    },
    async updateSession(patch) {
      const sessionKey = key.session(patch.sessionToken);
      return update(sessionKey, async (current, raw) => {
        const next = toSession(JSON.stringify({ ...current, ...defined(patch) })) as AdapterSession;
        const written = await run(UPDATE_SESSION, [sessionKey, key.sessions(String(current["userId"])), key.sessions(next.userId)], [raw, JSON.stringify(next), String(next.expires.getTime())]);
        return { written, result: next };
      });
    },
    async deleteSession(sessionToken) {
      return toSession(await run(DELETE_OWNED, [key.session(sessionToken)], ["ZREM", key.sessions("")]));
    },
    async deleteSessionsByUserId(userId) {
      return Number(await run(DELETE_SESSIONS_BY_USER, [key.sessions(userId)]));
    },
    async createVerificationToken(verificationToken) {
      const { identifier, token, expires } = verificationToken;
      await run(VERIFICATION_TOKEN, [key.verificationToken(identifier, token), key.verificationTokens(identifier)], [JSON.stringify(verificationToken), String(expires.getTime()), "0"]);
      return verificationToken;
    },
    async replaceVerificationToken(verificationToken) {
      const { identifier, token, expires } = verificationToken;
      await run(VERIFICATION_TOKEN, [key.verificationToken(identifier, token), key.verificationTokens(identifier)], [JSON.stringify(verificationToken), String(expires.getTime()), "1"]);
      return verificationToken;
    },
    async useVerificationToken({ identifier, token }) {
      // The key holds both parts, and GETDEL reads and removes in one step: a wrong identifier
      // names another key, and of concurrent uses only one gets the value (GHSA-4rxr-27mm-mxq9).
      return toVerificationToken(await client.getDel(key.verificationToken(identifier, token)));
    },
    async createAuthenticator(authenticator) {
      const { credentialID, userId } = authenticator;
      await run(CREATE_OWNED, [key.authenticator(credentialID), key.authenticators(userId), key.user(userId)], [JSON.stringify(authenticator)]);
      return authenticator;
    },
    async getAuthenticator(credentialID) {
      return parse(await client.get(key.authenticator(credentialID))) as AdapterAuthenticator | null;
    },
    async listAuthenticatorsByUserId(userId) {
      const found = await run(LIST_BY_INDEX, [key.authenticators(userId)]);
      return Array.isArray(found) ? found.map(parse).filter((value) => value !== null).map((value) => value as unknown as AdapterAuthenticator) : [];
    },
    async updateAuthenticatorCounter(credentialID, newCounter) {
      const authenticatorKey = key.authenticator(credentialID);
      const updated = await update(authenticatorKey, async (current, raw) => {
        const next = { ...current, counter: newCounter } as unknown as AdapterAuthenticator;
        return { written: await run(SET_IF_UNCHANGED, [authenticatorKey], [raw, JSON.stringify(next)]), result: next };
      });
      if (!updated) throw new Error(`latch: updateAuthenticatorCounter: no authenticator with credentialID ${JSON.stringify(credentialID)}`);
      return updated;
    },
  };
}
