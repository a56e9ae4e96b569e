import { parseAuthorization, readBearerSession } from "../bearer.js";
import type { RequestContext } from "../config.js";
import { failSpan, setSpanAttribute, traced } from "../telemetry.js";
import { readDatabaseSession } from "./database-session.js";
import { readJwtSession, type ReadSessionOptions, type SessionResult } from "./jwt-session.js";

/**
 * Runs one session read in a `latch auth` span when the config has a tracer: every read — the
 * session route, `auth()`, the proxy, bearer tokens — reports its status the same way.
 */
function tracedRead(ctx: RequestContext, transport: "cookie" | "bearer", read: () => Promise<SessionResult>): Promise<SessionResult> {
  const { resolved } = ctx;
  if (!resolved.config.tracer) return read();
  return traced(resolved, "latch auth", { "latch.session.strategy": resolved.strategy, "latch.session.transport": transport }, async (span) => {
    const result = await read();
    setSpanAttribute(span, "latch.session.status", result.status);
    setSpanAttribute(span, "latch.session.renewed", result.cookies.some((cookie) => cookie.value !== "" && cookie.options.maxAge !== 0));
    if (result.status === "error") failSpan(span, "the session store failed");
    return result;
  });
}

/** Reads the session with the configured strategy: an encrypted token, or a row in the adapter. */
export function readSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  return tracedRead(ctx, "cookie", () => (ctx.resolved.strategy === "database" ? readDatabaseSession(ctx, cookies, options) : readJwtSession(ctx, cookies, options)));
}

/**
 * The session of a request, from a bearer token or the session cookie. With bearer tokens on,
 * a request that carries an `Authorization: Bearer` header is judged by it alone: a malformed
 * header or a bad token is no session, never a fall-back to the cookie. Another scheme (`Basic`
 * from a proxy in front of the app) leaves the cookie to decide. Tokens in the query string are
 * never read.
 */
export function readRequestAuth(ctx: RequestContext, authorization: string | null, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  if (ctx.resolved.bearer) {
    const header = parseAuthorization(authorization);
    if (header.kind === "invalid") return tracedRead(ctx, "bearer", () => Promise.resolve({ session: null, status: "invalid", token: null, cookies: [] }));
    if (header.kind === "token") return tracedRead(ctx, "bearer", () => readBearerSession(ctx, header.token, cookies));
  }
  return readSession(ctx, cookies, options);
}
