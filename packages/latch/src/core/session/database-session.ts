import type { Adapter, AdapterSession, AdapterUser } from "../../adapters/types.js";
import { SessionTokenError } from "../../errors.js";
import type { JWT, SessionCallbackParams } from "../../types.js";
import type { RequestContext } from "../config.js";
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie, type OutgoingCookie } from "../cookies.js";
import { sha256Hex } from "../digest.js";
import { runEvent } from "../events.js";
import { markProviderTokenError } from "../provider-token-status.js";
import type { ReadSessionOptions, SessionResult } from "./jwt-session.js";
import { lifetimeUntil, sessionEnd } from "./lifetime.js";

/** The adapter, which `resolveConfig` checked has every method database sessions need. */
export function sessionAdapter(ctx: RequestContext): Required<Pick<Adapter, "createSession" | "getSessionAndUser" | "updateSession" | "deleteSession">> {
  const adapter = ctx.resolved.adapter;
  if (!adapter?.createSession || !adapter.getSessionAndUser || !adapter.updateSession || !adapter.deleteSession) {
    throw new TypeError("latch: database sessions need an adapter with session methods");
  }
  return {
    createSession: adapter.createSession.bind(adapter),
    getSessionAndUser: adapter.getSessionAndUser.bind(adapter),
    updateSession: adapter.updateSession.bind(adapter),
    deleteSession: adapter.deleteSession.bind(adapter),
  };
}

/**
 * The claims a database session exposes as `token`, so JWT-style callbacks keep working; with
 * `session.absoluteMaxAge`, `auth_time` too (its bearer and refresh tokens end with the session).
 */
export function userClaims(user: AdapterUser, authTime?: number): JWT {
  return { sub: user.id, name: user.name ?? null, email: user.email, picture: user.image ?? null, ...(authTime !== undefined ? { auth_time: authTime } : {}) };
}

// `<token>.s<seconds>`: when the session began, carried by its token.
const STARTED = /\.s(\d{1,12})$/;

/**
 * With `session.absoluteMaxAge`, a database session's token says when the session began:
 * `<random>.s<seconds>`. The row is stored under the hash of the whole token, so the time is as
 * authentic as the token itself: a client that edits it names a row that does not exist. Rows
 * need no new column, and every adapter keeps working.
 *
 * @example
 * ```ts
 * startedToken("4f…9a", 1767225600); // "4f…9a.s1767225600"
 * ```
 */
export function startedToken(token: string, startSeconds: number): string {
  return `${token}.s${Math.floor(startSeconds)}`;
}

// latch never stamps a time ahead of its clock; this much slack covers instances' clocks.
const CLOCK_SLACK = 60;

/**
 * When the session of a token from startedToken began (seconds), or undefined for a token that
 * does not say. A time ahead of the clock is no stamp of latch's (a custom generateSessionToken
 * made it before the setting): read as unstamped, it gets no renewal rather than a far end.
 */
export function tokenStart(token: string, now = Math.floor(Date.now() / 1000)): number | undefined {
  const match = STARTED.exec(token);
  const start = match ? Number(match[1]) : undefined;
  return start !== undefined && start <= now + CLOCK_SLACK ? start : undefined;
}

const STORED_KEY_PREFIX = "h1.";

/**
 * The key a session row is stored under: `h1.` and the SHA-256 of the cookie's token. The table
 * then holds no token a thief could put in a cookie (a backup, a read-only SQL injection, a
 * replica). The tokens are 256-bit random, so a plain hash is enough (ASVS 6.5.2).
 */
export async function storedSessionKey(token: string): Promise<string> {
  return `${STORED_KEY_PREFIX}${await sha256Hex(`latch.session:${token}`)}`;
}

/**
 * True for a value shaped like a stored key (`h1.` and a hash), which no cookie token is. Any
 * letter case: a database comparing keys case-insensitively (MySQL's default collations) would
 * otherwise find `H1.…` under `h1.…`.
 */
export function isStoredSessionKey(value: string): boolean {
  return value.slice(0, STORED_KEY_PREFIX.length).toLowerCase() === STORED_KEY_PREFIX;
}

/** The row and user of a cookie's token, and the key the row is stored under. */
export interface FoundSession {
  session: AdapterSession;
  user: AdapterUser;
  key: string;
  /** The row is stored under the token itself (written by next-auth, or by latch before hashing). */
  legacy: boolean;
}

/**
 * Finds the session row of a cookie token: under its hashed key, else — rows written by
 * next-auth or an older latch — under the token itself. A cookie value shaped like a stored key
 * is never looked up as is: a stolen table must not be usable as a cookie jar.
 */
export async function findDatabaseSession(ctx: RequestContext, token: string): Promise<FoundSession | null> {
  const adapter = sessionAdapter(ctx);
  const key = await storedSessionKey(token);
  const hashed = await adapter.getSessionAndUser(key);
  if (hashed) return { ...hashed, key, legacy: false };
  if (isStoredSessionKey(token)) return null;
  const raw = await adapter.getSessionAndUser(token);
  // Exactly this token: a case-insensitive database must not match another spelling.
  if (raw) return raw.session.sessionToken === token ? { ...raw, key: token, legacy: true } : null;
  // A parallel request (the same page load) may have moved the row between the two reads.
  const moved = await adapter.getSessionAndUser(key);
  return moved ? { ...moved, key, legacy: false } : null;
}

/** The answer of an adapter call, or `fallback` when it throws. */
async function settle<T, F>(call: () => T | PromiseLike<T>, fallback: F): Promise<T | F> {
  try {
    return await call();
  } catch {
    return fallback;
  }
}

/**
 * Moves a row stored under its raw token to its hashed key: create the new row first, delete
 * the old one only once that worked, so an outage signs nobody out. A parallel request that
 * moved it already makes the create fail: nothing is lost. Returns the key now in use.
 */
async function rekeyLegacySession(ctx: RequestContext, found: FoundSession, token: string): Promise<string | null> {
  const adapter = sessionAdapter(ctx);
  const key = await storedSessionKey(token);
  // Moved already by a parallel request: use its row. A second one under the same key (a store
  // with no unique key on it lets both creates succeed) would be deleted with it below.
  if (await settle(() => adapter.getSessionAndUser(key), null)) return key;
  try {
    await adapter.createSession({ sessionToken: key, userId: found.session.userId, expires: found.session.expires });
  } catch (error) {
    // Another request moved it first (the key exists), or the store failed: use whichever row is there.
    ctx.resolved.logger.debug("a session stored under its raw token could not be moved to its hashed key", { error });
    const moved = await settle(() => adapter.getSessionAndUser(key), null);
    return moved ? key : found.key;
  }
  // A sign-out may have deleted the raw row between our read and the create: the row just
  // created would bring that session back. Only a raw row still there may be replaced. Where the
  // store keeps keys unique, the create succeeding means no other request wrote this key; where
  // it does not, a parallel move in the same instant is indistinguishable from that sign-out,
  // and the sign-out wins.
  const still = await settle(() => adapter.getSessionAndUser(token), found);
  if (!still) {
    await settle(() => adapter.deleteSession(key), null);
    return null;
  }
  try {
    await adapter.deleteSession(token);
  } catch (error) {
    // Sign-out deletes both rows, so the old one cannot outlive the session.
    ctx.resolved.logger.error(new SessionTokenError("The adapter failed to delete a session row after moving it to its hashed key.", { cause: error }));
  }
  return key;
}

/**
 * Creates a session row for `userId` (stored under the token's hash) and the cookie that carries
 * the token. `confirm` runs once the row exists: when it throws, the row is deleted (the token was
 * never sent) and the error goes on.
 */
export async function createDatabaseSession(ctx: RequestContext, userId: string, existing: string[], confirm?: () => Promise<void>): Promise<OutgoingCookie[]> {
  const { resolved } = ctx;
  const now = Math.floor(Date.now() / 1000);
  const { absoluteMaxAge } = resolved;
  const sessionToken = absoluteMaxAge === undefined ? resolved.generateSessionToken() : startedToken(resolved.generateSessionToken(), now);
  const lifetime = lifetimeUntil(resolved.sessionMaxAge, sessionEnd(now, absoluteMaxAge), now);
  const expires = new Date((now + lifetime) * 1000);
  const adapter = sessionAdapter(ctx);
  const key = await storedSessionKey(sessionToken);
  await adapter.createSession({ sessionToken: key, userId, expires });
  if (confirm) {
    try {
      await confirm();
    } catch (error) {
      // Unreachable without its token, but not left to linger until it expires.
      await settle(() => adapter.deleteSession(key), null);
      throw error;
    }
  }
  return writeChunkedCookie(ctx.cookies.sessionToken, sessionToken, existing, lifetime);
}

/**
 * When a database session began and must end, under `session.absoluteMaxAge` (undefined
 * without it). A token from startedToken says when it began. One that does not — begun before
 * the setting, or by next-auth — is never renewed again: it counts from its last renewal, its
 * expiry less `maxAge`, so it ends within `maxAge` at the latest. An expiry further off than
 * `maxAge` (a migration that lowered it: next-auth's 30 days, now one) dates no renewal: the
 * session counts from now, and `cut` is the expiry to write to its row so that it stays put.
 *
 * @example
 * ```ts
 * const { end } = sessionLifetime(resolved, cookieToken, found.session.expires);
 * ```
 */
export function sessionLifetime(
  resolved: RequestContext["resolved"],
  sessionToken: string,
  expires: Date,
  now = Math.floor(Date.now() / 1000),
): { start?: number; end?: number; renewable: boolean; cut?: Date } {
  const { absoluteMaxAge, sessionMaxAge } = resolved;
  if (absoluteMaxAge === undefined) return { renewable: true };
  const stamped = tokenStart(sessionToken, now);
  if (stamped !== undefined) return { start: stamped, end: stamped + absoluteMaxAge, renewable: true };
  const renewed = Math.floor(expires.getTime() / 1000) - sessionMaxAge;
  if (renewed <= now) return { start: renewed, end: renewed + absoluteMaxAge, renewable: false };
  return { start: now, end: now + absoluteMaxAge, renewable: false, cut: new Date((now + sessionMaxAge) * 1000) };
}

/**
 * Reads a database session: the row and its user, deleted when expired, its expiry pushed
 * forward at most once per `updateAge`. A token the store does not know clears the cookie; a
 * store that fails gives no session but keeps the cookie (the user is not signed out by an
 * outage).
 */
export async function readDatabaseSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  const { resolved } = ctx;
  const { value: sessionToken, names } = readChunkedCookie(cookies, ctx.cookies.sessionToken.name);
  if (!sessionToken) return { session: null, status: "none", token: null, cookies: [] };
  const cleared = (): SessionResult => ({ session: null, status: "invalid", token: null, cookies: clearChunkedCookie(ctx.cookies.sessionToken, names) });
  const adapter = sessionAdapter(ctx);
  let found: FoundSession | null;
  try {
    found = await findDatabaseSession(ctx, sessionToken);
  } catch (error) {
    resolved.logger.error(new SessionTokenError("The adapter failed to read the session; the request is treated as signed out.", { cause: error }));
    return { session: null, status: "error", token: null, cookies: [] };
  }
  if (!found) return cleared();
  const now = Date.now();
  const lifetime = sessionLifetime(resolved, sessionToken, found.session.expires);
  if (found.session.expires.getTime() <= now || (lifetime.end !== undefined && lifetime.end * 1000 <= now)) {
    try {
      await adapter.deleteSession(found.key);
    } catch (error) {
      resolved.logger.error(new SessionTokenError("The adapter failed to delete an expired session.", { cause: error }));
    }
    return cleared();
  }
  const key = found.legacy ? await rekeyLegacySession(ctx, found, sessionToken) : found.key;
  if (key === null) return cleared();
  try {
    let expires = found.session.expires;
    if (lifetime.cut) {
      expires = lifetime.cut;
      await adapter.updateSession({ sessionToken: key, expires });
    }
    const dueAt = expires.getTime() - resolved.sessionMaxAge * 1000 + resolved.updateAge * 1000;
    if (options.renew && lifetime.renewable && dueAt <= now) {
      const renewed = new Date(Math.min(now + resolved.sessionMaxAge * 1000, (lifetime.end ?? Infinity) * 1000));
      // At its absolute end already: nothing to write.
      if (renewed.getTime() > expires.getTime()) {
        expires = renewed;
        await adapter.updateSession({ sessionToken: key, expires });
      }
    }
    // A session begun before absoluteMaxAge may end before its row expires: the app and the cookie see the end.
    if (lifetime.end !== undefined && lifetime.end * 1000 < expires.getTime()) expires = new Date(lifetime.end * 1000);
    const token = userClaims(found.user, lifetime.start);
    const defaultSession: SessionCallbackParams["session"] = {
      user: { name: found.user.name ?? null, email: found.user.email, image: found.user.image ?? null },
      expires: expires.toISOString(),
    };
    await markProviderTokenError(resolved, found.user.id, defaultSession);
    const callback = resolved.config.callbacks?.session;
    // `update()` with database sessions reaches the app here, as in next-auth: trigger and newSession.
    const update = options.update ? { trigger: "update" as const, newSession: options.update.data } : {};
    // The callback's `session.user` is the stored user, as next-auth gives it (`session.user.id`
    // works in a callback that returns `session` as it is); without a callback, the default three fields.
    const session = callback ? await callback({ session: { ...defaultSession, user: { ...found.user } }, token, user: found.user, ...update }) : defaultSession;
    await runEvent(resolved, "session", { session, token });
    const out = options.renew ? writeChunkedCookie(ctx.cookies.sessionToken, sessionToken, names, Math.max(0, (expires.getTime() - now) / 1000)) : [];
    return { session, status: "valid", token, cookies: out };
  } catch (error) {
    resolved.logger.error(new SessionTokenError("Reading the database session failed; no session is returned.", { cause: error }));
    return { session: null, status: "error", token: null, cookies: [] };
  }
}

/** Deletes the session row behind the cookie (sign-out); returns what the adapter returned. */
export async function deleteDatabaseSession(ctx: RequestContext, sessionToken: string): Promise<AdapterSession | null> {
  const adapter = sessionAdapter(ctx);
  const found = await findDatabaseSession(ctx, sessionToken);
  if (!found) return null;
  const deleted = await adapter.deleteSession(found.key);
  if (!found.legacy && !isStoredSessionKey(sessionToken)) {
    // A raw twin a half-finished move left behind would bring the session back: delete it too.
    const twin = await settle(() => adapter.getSessionAndUser(sessionToken), null);
    if (twin && twin.session.sessionToken === sessionToken) await adapter.deleteSession(sessionToken);
  }
  return deleted ?? found.session;
}
