import type { AdapterUser } from "../adapters/types.js";
import type { RequestContext } from "./config.js";
import { readChunkedCookie } from "./cookies.js";
import { findDatabaseSession, sessionLifetime } from "./session/database-session.js";
import { checkTokenRevoked, decodeSessionToken } from "./session/jwt-session.js";
import { sessionEnd, sessionStart } from "./session/lifetime.js";

/**
 * The stored user signed in on this browser, or `null`: a database session that exists and has
 * not expired, or a session token that decodes, is not revoked, and names a user the adapter
 * stores. Runs no callback and writes nothing. Fails closed: when the store cannot answer,
 * nobody is signed in.
 *
 * @example
 * ```ts
 * const user = await signedInUser(ctx, action.cookies, adapter.getUser);
 * if (user) linkPasskeyTo(user);
 * ```
 */
export async function signedInUser(ctx: RequestContext, cookies: Map<string, string>, getUser: (id: string) => PromiseLike<AdapterUser | null> | AdapterUser | null): Promise<AdapterUser | null> {
  const { resolved } = ctx;
  const { value } = readChunkedCookie(cookies, ctx.cookies.sessionToken.name);
  if (!value) return null;
  try {
    if (resolved.strategy === "database") {
      const found = await findDatabaseSession(ctx, value);
      if (!found || found.session.expires.getTime() <= Date.now()) return null;
      const { end } = sessionLifetime(resolved, value, found.session.expires);
      return end === undefined || end > Date.now() / 1000 ? found.user : null;
    }
    const token = await decodeSessionToken(ctx, value);
    if (typeof token?.sub !== "string") return null;
    // The same checks as a session read: a session past its absolute end, or revoked, links nothing.
    const end = sessionEnd(sessionStart(token), resolved.absoluteMaxAge);
    if (end !== undefined && !(end > Date.now() / 1000)) return null;
    if (resolved.revocation && (await checkTokenRevoked(resolved, resolved.revocation, token)) !== "valid") return null;
    return await getUser(token.sub);
  } catch (error) {
    resolved.logger.error(error instanceof Error ? error : new Error(String(error)));
    return null;
  }
}
