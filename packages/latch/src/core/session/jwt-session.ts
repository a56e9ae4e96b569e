import { JWTSessionError } from "../../errors.js";
import { createSessionCodec } from "./codec.js";
import { CLOCK_TOLERANCE } from "./jwe-checks.js";
import { configuredTokenCodec, type TokenCodec } from "./session-codec.js";
import type { JWT } from "../../types.js";
import type { RevocationStore } from "../../revocation/types.js";
import { writeChunkedCookie, type OutgoingCookie } from "../cookies.js";
import type { RequestContext } from "../config.js";
import { runEvent } from "../events.js";
import { markProviderTokenError } from "../provider-token-status.js";
import { lifetimeUntil, sessionEnd } from "./lifetime.js";
import { readJwtCookie, type ReadSessionOptions, type SessionResult } from "./read-jwt-cookie.js";

export type { ReadSessionOptions, SessionResult } from "./read-jwt-cookie.js";

/** The configured session-token codec (the app's `jwt.encode`/`decode`, or latch's) for this request's cookie. */
function tokenCodec(ctx: RequestContext): TokenCodec {
  return configuredTokenCodec(ctx.resolved.config.jwt, ctx.secrets, ctx.cookies.sessionToken.name, ctx.resolved.jwtMaxAge, createSessionCodec);
}

/** Encrypts a session token with the configured encoder, or latch's fast one. */
export async function encodeSessionToken(ctx: RequestContext, token: JWT): Promise<string> {
  return tokenCodec(ctx).encode(token);
}


/**
 * Decrypts a session token; `null` for anything invalid, never a throw. A token without `sid`
 * gets one derived from it (`withSessionId` in session-codec.ts).
 */
export async function decodeSessionToken(ctx: RequestContext, raw: string): Promise<JWT | null> {
  return tokenCodec(ctx).decode(raw);
}

/** Writes a session token into the (chunked) session cookie, cut at the session's absolute end. */
export async function sessionCookies(ctx: RequestContext, token: JWT, existing: string[]): Promise<OutgoingCookie[]> {
  const end = sessionEnd(token.auth_time, ctx.resolved.absoluteMaxAge);
  const value = await tokenCodec(ctx).encode(token, end);
  return writeChunkedCookie(ctx.cookies.sessionToken, value, existing, lifetimeUntil(ctx.resolved.sessionMaxAge, end));
}

/**
 * Asks the revocation store about a decoded session token: `error` when the store fails (fail
 * closed, but keep the cookie: an outage signs nobody out for good). Never rejects.
 */
export async function checkTokenRevoked(resolved: RequestContext["resolved"], revocation: RevocationStore, decoded: JWT): Promise<"valid" | "revoked" | "error"> {
  // latch/proxy renews cookies without asking the store, and keeps their `iat`: the last time
  // latch (which asks) issued the token. One issued longer ago than a token lives was kept alive
  // by that proxy alone, possibly past a revocation the store has since forgotten (it keeps one
  // for a token's lifetime): refuse it.
  if (typeof decoded.iat === "number" && decoded.iat < Date.now() / 1000 - resolved.jwtMaxAge - CLOCK_TOLERANCE) return "revoked";
  try {
    const revoked = await revocation.isRevoked({ sid: decoded.sid, userId: decoded.sub, authTime: decoded.auth_time });
    return revoked ? "revoked" : "valid";
  } catch (error) {
    resolved.logger.error(new JWTSessionError("The revocation store could not be asked; the request is treated as signed out.", { cause: error }));
    return "error";
  }
}

/**
 * Reads the JWT session from the request's cookies: decode → revocation store → `jwt` callback →
 * `session` callback (read-jwt-cookie.ts). Fails closed: a bad token, a revoked one, a callback
 * that throws or returns `null` give no session and clear the cookie; a store that fails gives
 * no session and keeps it.
 */
export async function readJwtSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  const { resolved } = ctx;
  const revocation = resolved.revocation;
  const codec = tokenCodec(ctx);
  return readJwtCookie(
    {
      callbacks: resolved.config.callbacks,
      logger: resolved.logger,
      sessionMaxAge: resolved.sessionMaxAge,
      jwtMaxAge: resolved.jwtMaxAge,
      absoluteMaxAge: resolved.absoluteMaxAge,
      sessionCookie: ctx.cookies.sessionToken,
      // Every session read has a sid (configuredTokenCodec), kept through the callbacks and written at renewal.
      ...codec,
      checkRevoked: revocation ? (decoded) => checkTokenRevoked(resolved, revocation, decoded) : undefined,
      decorate: (token, session) => markProviderTokenError(resolved, token.sub, session),
      onSession: (session, token) => runEvent(resolved, "session", { session, token }),
    },
    cookies,
    options,
  );
}
