import { parseAuthorization, readBearerSession } from "../bearer.js";
import type { RequestContext } from "../config.js";
import { readDatabaseSession } from "./database-session.js";
import { readJwtSession, type ReadSessionOptions, type SessionResult } from "./jwt-session.js";

/** Reads the session with the configured strategy: an encrypted token, or a row in the adapter. */
export function readSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  return ctx.resolved.strategy === "database" ? readDatabaseSession(ctx, cookies, options) : readJwtSession(ctx, cookies, options);
}

/**
 * The session of a request, from a bearer token or the session cookie. With bearer tokens on,
 * a request that carries an `Authorization` header is judged by it alone: a malformed header or
 * a bad token is no session, never a fall-back to the cookie. Tokens in the query string are
 * never read.
 */
export function readRequestAuth(ctx: RequestContext, authorization: string | null, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  if (ctx.resolved.bearer) {
    const header = parseAuthorization(authorization);
    if (header.kind === "invalid") return Promise.resolve({ session: null, status: "invalid", token: null, cookies: [] });
    if (header.kind === "token") return readBearerSession(ctx, header.token, cookies);
  }
  return readSession(ctx, cookies, options);
}
