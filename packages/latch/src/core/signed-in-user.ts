import type { AdapterUser } from "../adapters/types.js";
import type { RequestContext } from "./config.js";
import { readChunkedCookie } from "./cookies.js";
import { findDatabaseSession, sessionLifetime } from "./session/database-session.js";
import { checkTokenRevoked, decodeSessionToken } from "./session/jwt-session.js";
import { sessionEnd, sessionStart } from "./session/lifetime.js";

/**
 * Who is signed in on this browser, by the checks of a session read: a database session that
 * exists and has not ended (its expiry, its absolute end), or a session token that decodes, has
 * not reached its absolute end and is not revoked. `user` is the stored user when the lookup
 * found one (database sessions). Runs no callback and writes nothing; a store that fails rejects.
 *
 * @example
 * ```ts
 * const signedIn = await signedInSession(ctx, cookies); // { userId: "42" } or null
 * ```
 */
export async function signedInSession(ctx: RequestContext, cookies: Map<string, string>): Promise<{ userId: string; user?: AdapterUser } | null> {
  const { resolved } = ctx;
  const { value } = readChunkedCookie(cookies, ctx.cookies.sessionToken.name);
  if (!value) return null;
  if (resolved.strategy === "database") {
    const found = await findDatabaseSession(ctx, value);
    if (!found || found.session.expires.getTime() <= Date.now()) return null;
    const { end } = sessionLifetime(resolved, value, found.session.expires);
    return end === undefined || end > Date.now() / 1000 ? { userId: found.user.id, user: found.user } : null;
  }
  const token = await decodeSessionToken(ctx, value);
  if (typeof token?.sub !== "string") return null;
  // A session past its absolute end, or revoked, is nobody's.
  const end = sessionEnd(sessionStart(token), resolved.absoluteMaxAge);
  if (end !== undefined && !(end > Date.now() / 1000)) return null;
  if (resolved.revocation) {
    const status = await checkTokenRevoked(resolved, resolved.revocation, token);
    // Unknown is not "nobody": signOutEverywhere() must not report an end it could not check.
    if (status === "error") throw new Error("The revocation store did not answer whether this session was revoked.");
    if (status !== "valid") return null;
  }
  return { userId: token.sub };
}

/**
 * The stored user signed in on this browser, or `null` ({@link signedInSession}, and for a
 * session token a user the adapter stores). Fails closed: when the store cannot answer, nobody
 * is signed in.
 *
 * @example
 * ```ts
 * const user = await signedInUser(ctx, action.cookies, adapter.getUser);
 * if (user) linkPasskeyTo(user);
 * ```
 */
export async function signedInUser(ctx: RequestContext, cookies: Map<string, string>, getUser: (id: string) => PromiseLike<AdapterUser | null> | AdapterUser | null): Promise<AdapterUser | null> {
  try {
    const signedIn = await signedInSession(ctx, cookies);
    if (!signedIn) return null;
    return signedIn.user ?? (await getUser(signedIn.userId));
  } catch (error) {
    ctx.resolved.logger.error(error instanceof Error ? error : new Error(String(error)));
    return null;
  }
}
