import type { Adapter, AdapterSession, AdapterUser } from "../../adapters/types.js";
import { SessionTokenError } from "../../errors.js";
import type { JWT, Session } from "../../types.js";
import type { RequestContext } from "../config.js";
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie, type OutgoingCookie } from "../cookies.js";
import { runEvent } from "../events.js";
import { markProviderTokenError } from "../provider-token-status.js";
import type { ReadSessionOptions, SessionResult } from "./jwt-session.js";

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

/** The claims a database session exposes as `token`, so JWT-style callbacks keep working. */
export function userClaims(user: AdapterUser): JWT {
  return { sub: user.id, name: user.name ?? null, email: user.email, picture: user.image ?? null };
}

/** Creates a session row for `userId` and the cookie that carries its opaque token. */
export async function createDatabaseSession(ctx: RequestContext, userId: string, existing: string[]): Promise<OutgoingCookie[]> {
  const { resolved } = ctx;
  const sessionToken = resolved.generateSessionToken();
  const expires = new Date(Date.now() + resolved.sessionMaxAge * 1000);
  await sessionAdapter(ctx).createSession({ sessionToken, userId, expires });
  return writeChunkedCookie(ctx.cookies.sessionToken, sessionToken, existing, resolved.sessionMaxAge);
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
  let found: { session: AdapterSession; user: AdapterUser } | null;
  try {
    found = await adapter.getSessionAndUser(sessionToken);
  } catch (error) {
    resolved.logger.error(new SessionTokenError("The adapter failed to read the session; the request is treated as signed out.", { cause: error }));
    return { session: null, status: "error", token: null, cookies: [] };
  }
  if (!found) return cleared();
  const now = Date.now();
  if (found.session.expires.getTime() <= now) {
    try {
      await adapter.deleteSession(sessionToken);
    } catch (error) {
      resolved.logger.error(new SessionTokenError("The adapter failed to delete an expired session.", { cause: error }));
    }
    return cleared();
  }
  try {
    let expires = found.session.expires;
    const dueAt = expires.getTime() - resolved.sessionMaxAge * 1000 + resolved.updateAge * 1000;
    if (options.renew && dueAt <= now) {
      expires = new Date(now + resolved.sessionMaxAge * 1000);
      await adapter.updateSession({ sessionToken, expires });
    }
    const token = userClaims(found.user);
    const defaultSession: Session = {
      user: { name: found.user.name ?? null, email: found.user.email, image: found.user.image ?? null },
      expires: expires.toISOString(),
    };
    await markProviderTokenError(resolved, found.user.id, defaultSession);
    const callback = resolved.config.callbacks?.session;
    const session = callback ? ((await callback({ session: defaultSession, token, user: found.user }))) : defaultSession;
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
  const deleted = await sessionAdapter(ctx).deleteSession(sessionToken);
  return deleted ?? null;
}
