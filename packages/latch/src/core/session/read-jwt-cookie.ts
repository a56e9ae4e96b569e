/**
 * Reading a JWT session from the request's cookies — decode, `jwt` callback, `session` callback,
 * renewal — with the codec and the store checks handed in. The engine (jwt-session.ts) and the
 * lean proxy (`latch/proxy`) both read sessions here, so they build the same session and write
 * cookies each other reads; only the engine brings revocation and provider-token status.
 */
import { JWTSessionError } from "../../errors.js";
import type { CallbacksOptions, CookieOption, JWT, LoggerInstance, Session, SessionCallbackParams } from "../../types.js";
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie, type OutgoingCookie } from "../cookies.js";
import { lifetimeUntil, sessionStart } from "./lifetime.js";

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

/** How a session is read. */
export interface ReadSessionOptions {
  /** Re-encrypt the token with a fresh expiry and return the cookie (rolling session). */
  renew: boolean;
  /** `POST /session`: run the jwt callback with `trigger: "update"` and this data. */
  update?: { data: unknown } | undefined;
}

/**
 * What reading a JWT session needs, whoever supplies it.
 *
 * @example
 * ```ts
 * const reader: JwtCookieReader = { callbacks, logger, sessionMaxAge, sessionCookie, decode, encode };
 * ```
 */
export interface JwtCookieReader {
  callbacks: Pick<CallbacksOptions, "jwt" | "session"> | undefined;
  logger: LoggerInstance;
  /** Seconds a session lives: the renewed cookie's expiry and `session.expires`. */
  sessionMaxAge: number;
  /**
   * Seconds a token's `exp` lies past its writing (`jwt.maxAge`); with a longer one than
   * `sessionMaxAge`, the cookie ends before `exp`. Default `sessionMaxAge`.
   */
  jwtMaxAge?: number | undefined;
  /** `session.absoluteMaxAge`, checked (lifetime.ts): no renewal goes past `auth_time` + this. */
  absoluteMaxAge?: number | undefined;
  /** The session cookie's name and attributes for this request. */
  sessionCookie: CookieOption;
  /**
   * `null` for any token that does not decode. Rejects only when the cryptography itself fails:
   * the read then rejects too, and the cookie is neither renewed nor cleared. The engine's gives a
   * token without `sid` one (jwt-session.ts); a `sid` it returns is kept through the callbacks.
   */
  decode(raw: string): Promise<JWT | null>;
  /** `until`: the latest `exp` (seconds since the epoch) the token may get. */
  encode(token: JWT, until?: number): Promise<string>;
  /**
   * Asks a revocation store about a decoded token: `revoked` clears the cookie, `error` gives no
   * session but keeps the cookie. Never rejects.
   */
  checkRevoked?: ((decoded: JWT) => Promise<"valid" | "revoked" | "error">) | undefined;
  /** Adds to the default session before the `session` callback sees it. */
  decorate?: ((token: JWT, session: Session) => Promise<void>) | undefined;
  /** Runs once a session was read (the `session` event); never rejects. */
  onSession?: ((session: Session, token: JWT) => Promise<void>) | undefined;
}

/**
 * Reads the JWT session from the request's cookies: decode → `jwt` callback → `session`
 * callback. Fails closed: a bad token, a callback that throws or returns `null` give no session
 * and clear the cookie.
 *
 * @example
 * ```ts
 * const { session, cookies } = await readJwtCookie(reader, parseCookieHeader(header), { renew: true });
 * ```
 */
export async function readJwtCookie(reader: JwtCookieReader, cookies: Map<string, string>, options: ReadSessionOptions): Promise<SessionResult> {
  const { value: raw, names } = readChunkedCookie(cookies, reader.sessionCookie.name);
  if (!raw) return { session: null, status: "none", token: null, cookies: [] };
  const cleared = (): SessionResult => ({ session: null, status: "invalid", token: null, cookies: clearChunkedCookie(reader.sessionCookie, names) });

  const decoded = await reader.decode(raw);
  if (!decoded) {
    reader.logger.debug("session token could not be decoded; the cookie is cleared");
    return cleared();
  }
  const { absoluteMaxAge } = reader;
  // A token without a sign-in time (a next-auth cookie) counts from when it was issued.
  const started = sessionStart(decoded);
  if (absoluteMaxAge !== undefined && !(started + absoluteMaxAge > Date.now() / 1000)) {
    reader.logger.debug("the session reached session.absoluteMaxAge; the cookie is cleared");
    return cleared();
  }
  if (reader.checkRevoked) {
    const revoked = await reader.checkRevoked(decoded);
    if (revoked === "revoked") return cleared();
    if (revoked === "error") return { session: null, status: "error", token: null, cookies: [] };
  }
  try {
    const { callbacks } = reader;
    let token = callbacks?.jwt
      ? await callbacks.jwt(options.update ? { token: decoded, trigger: "update", session: options.update.data } : { token: decoded })
      : decoded;
    if (!token) return cleared();
    // The session id survives a callback that rebuilds the token, as the sign-in time does:
    // revocation names the session, its bearer tokens and refresh families by it. The lean proxy
    // keeps it too, or a cookie it renews would leave them behind.
    if (typeof token.sid !== "string" && typeof decoded.sid === "string") token = { ...token, sid: decoded.sid };
    // And the time latch's engine last issued it: the lean proxy renews without a revocation
    // store, so it keeps that `iat` rather than vouch for the token with a fresh one.
    if (typeof token.iat !== "number" && typeof decoded.iat === "number") token = { ...token, iat: decoded.iat };
    // The sign-in time survives a callback that drops it (revocation cut-offs and
    // session.absoluteMaxAge count from it); one the callback sets (a step-up sign-in) counts.
    const authTime = typeof token.auth_time === "number" ? token.auth_time : started;
    if (token.auth_time !== authTime) token = { ...token, auth_time: authTime };
    let end: number | undefined;
    if (absoluteMaxAge !== undefined) {
      end = authTime + absoluteMaxAge;
      if (!(end > Date.now() / 1000)) return cleared();
    }
    // A read that renews the cookie moves the expiry (never past the session's end); one that
    // does not (auth() in a server component) reports the expiry the cookie really has, so a
    // client checks at the right time.
    const renews = options.renew || options.update !== undefined;
    const maxAge = lifetimeUntil(reader.sessionMaxAge, end);
    // The cookie was written `jwtMaxAge` before `exp` (latch's encoders; at most, when capped by
    // an absolute end) and lives `sessionMaxAge` from then: its expiry, never later than `exp`.
    const written = typeof decoded.exp === "number" ? decoded.exp - (reader.jwtMaxAge ?? reader.sessionMaxAge) + reader.sessionMaxAge : Infinity;
    const expiresAt = !renews && typeof decoded.exp === "number" ? Math.min(decoded.exp, written, end ?? Infinity) * 1000 : Date.now() + maxAge * 1000;
    const expires = new Date(expiresAt).toISOString();
    const defaultSession: SessionCallbackParams["session"] = {
      user: { name: token.name ?? null, email: token.email ?? null, image: token.picture ?? null },
      expires,
    };
    if (reader.decorate) await reader.decorate(token, defaultSession);
    const session = callbacks?.session ? await callbacks.session({ session: defaultSession, token }) : defaultSession;
    const out = renews ? writeChunkedCookie(reader.sessionCookie, await reader.encode(token, end), names, maxAge) : [];
    if (reader.onSession) await reader.onSession(session, token);
    return { session, status: "valid", token, cookies: out };
  } catch (error) {
    reader.logger.error(new JWTSessionError("A jwt or session callback threw while reading the session; no session is returned.", { cause: error }));
    return cleared();
  }
}
