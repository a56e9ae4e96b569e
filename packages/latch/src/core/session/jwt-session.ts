import { JWTSessionError } from "../../errors.js";
import { createSessionCodec } from "./codec.js";
import type { JWT, Session } from "../../types.js";
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie, type OutgoingCookie } from "../cookies.js";
import type { RequestContext } from "../config.js";
import { runEvent } from "../events.js";
import { markProviderTokenError } from "../provider-token-status.js";

/** The outcome of reading a session: what the app sees, the token behind it, and cookies to write. */
export interface SessionResult {
  session: Session | null;
  /**
   * `invalid` when a session cookie was sent but gave no session (expired, forged, refused);
   * `error` when the session store failed (the cookie is kept).
   */
  status: "none" | "valid" | "invalid" | "error";
  token: JWT | null;
  cookies: OutgoingCookie[];
}

/** Encrypts a session token with the configured encoder, or latch's fast one. */
export async function encodeSessionToken(ctx: RequestContext, token: JWT): Promise<string> {
  const { config, jwtMaxAge } = ctx.resolved;
  const salt = ctx.cookies.sessionToken.name;
  if (config.jwt?.encode) return config.jwt.encode({ token, secret: ctx.secrets, salt, maxAge: jwtMaxAge });
  return createSessionCodec(ctx.secrets, salt).encode(token, jwtMaxAge);
}

/** Decrypts a session token; `null` for anything invalid, never a throw. */
export async function decodeSessionToken(ctx: RequestContext, raw: string): Promise<JWT | null> {
  const { config } = ctx.resolved;
  const salt = ctx.cookies.sessionToken.name;
  if (config.jwt?.decode) {
    try {
      return await config.jwt.decode({ token: raw, secret: ctx.secrets, salt });
    } catch {
      return null;
    }
  }
  return createSessionCodec(ctx.secrets, salt).decode(raw);
}

/** Writes a session token into the (chunked) session cookie. */
export async function sessionCookies(ctx: RequestContext, token: JWT, existing: string[]): Promise<OutgoingCookie[]> {
  const value = await encodeSessionToken(ctx, token);
  return writeChunkedCookie(ctx.cookies.sessionToken, value, existing, ctx.resolved.sessionMaxAge);
}

export interface ReadSessionOptions {
  /** Re-encrypt the token with a fresh expiry and return the cookie (rolling session). */
  renew: boolean;
  /** `POST /session`: run the jwt callback with `trigger: "update"` and this data. */
  update?: { data: unknown } | undefined;
}

/**
 * Reads the JWT session from the request's cookies: decode → `jwt` callback → `session`
 * callback. Fails closed: a bad token, a callback that throws or returns `null` give no session
 * and clear the cookie.
 */
export async function readJwtSession(ctx: RequestContext, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  const { resolved } = ctx;
  const { value: raw, names } = readChunkedCookie(cookies, ctx.cookies.sessionToken.name);
  if (!raw) return { session: null, status: "none", token: null, cookies: [] };
  const cleared = (): SessionResult => ({ session: null, status: "invalid", token: null, cookies: clearChunkedCookie(ctx.cookies.sessionToken, names) });

  const decoded = await decodeSessionToken(ctx, raw);
  if (!decoded) {
    resolved.logger.debug("session token could not be decoded; the cookie is cleared");
    return cleared();
  }
  const revocation = resolved.revocation;
  if (revocation) {
    try {
      const revoked = await revocation.isRevoked({ sid: decoded.sid, userId: decoded.sub, authTime: decoded.auth_time });
      if (revoked) return cleared();
    } catch (error) {
      // Fail closed, but keep the cookie: an outage of the store signs nobody out for good.
      resolved.logger.error(new JWTSessionError("The revocation store could not be asked; the request is treated as signed out.", { cause: error }));
      return { session: null, status: "error", token: null, cookies: [] };
    }
  }
  try {
    const { callbacks } = resolved.config;
    const token = callbacks?.jwt
      ? await callbacks.jwt(options.update ? { token: decoded, trigger: "update", session: options.update.data } : { token: decoded })
      : decoded;
    if (!token) return cleared();
    // A read that renews the cookie moves the expiry; one that does not (auth() in a server
    // component) reports the expiry the cookie really has, so a client checks at the right time.
    const renews = options.renew || options.update !== undefined;
    const expiresAt = !renews && typeof decoded.exp === "number" ? decoded.exp * 1000 : Date.now() + resolved.sessionMaxAge * 1000;
    const expires = new Date(expiresAt).toISOString();
    const defaultSession: Session = {
      user: { name: token.name ?? null, email: token.email ?? null, image: token.picture ?? null },
      expires,
    };
    await markProviderTokenError(resolved, token.sub, defaultSession);
    const session = callbacks?.session ? ((await callbacks.session({ session: defaultSession, token }))) : defaultSession;
    const out = options.renew || options.update ? await sessionCookies(ctx, token, names) : [];
    await runEvent(resolved, "session", { session, token });
    return { session, status: "valid", token, cookies: out };
  } catch (error) {
    resolved.logger.error(new JWTSessionError("A jwt or session callback threw while reading the session; no session is returned.", { cause: error }));
    return cleared();
  }
}
