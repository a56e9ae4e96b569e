import { SessionTokenError, SignOutError } from "../../errors.js";
import type { RefreshFamily } from "../../refresh-tokens/types.js";
import type { ActionContext } from "../action-context.js";
import { emitAudit } from "../audit.js";
import { bearerFingerprint, bearerJwks, databaseSessionId, issueBearerToken, type ResolvedBearer } from "../bearer.js";
import { randomHex, sha256Hex } from "../digest.js";
import { readChunkedCookie, type OutgoingCookie } from "../cookies.js";
import { revocationHorizon } from "../end-user-sessions.js";
import type { ResponseInternal } from "../response.js";
import type { AdapterSession, AdapterUser } from "../../adapters/types.js";
import { findDatabaseSession, isStoredSessionKey, storedSessionKey } from "../session/database-session.js";
import { sessionEnd } from "../session/lifetime.js";
import { readSession } from "../session/read-session.js";

/** The header a page's request for a bearer token must carry: a cross-site form cannot send it. */
export const BEARER_REQUEST_HEADER = "x-latch-bearer";

// Claims latch sets itself; `bearer.claims` cannot override them.
const RESERVED = new Set(["iss", "aud", "exp", "iat", "nbf", "jti", "sub", "sid", "auth_time", "fgp", "cnf"]);

function refuse(status: number, error: string, message: string, cookies: OutgoingCookie[] = []): ResponseInternal {
  return { status, body: { error, message }, cookies };
}

/** True when the request comes from our own pages: Origin and Sec-Fetch-Site, when sent, must say so. */
function sameOrigin(action: ActionContext): boolean {
  const { headers } = action.request;
  const origin = headers.get("origin");
  if (origin !== null && origin !== action.ctx.origin) return false;
  const site = headers.get("sec-fetch-site");
  return site === null || site === "same-origin";
}

const REFRESH_PREFIX = "latch_rt_";

function newRefreshToken(): string {
  return `${REFRESH_PREFIX}${randomHex(32)}`;
}

async function refreshTokenHash(token: string): Promise<string> {
  return sha256Hex(`latch.refresh:${token}`);
}

function invalidGrant(message: string): ResponseInternal {
  return { status: 400, body: { error: "invalid_grant", message } };
}

/**
 * The database session row a family belongs to. Families record the row's stored key; families
 * from before keys were hashed hold the cookie's token, looked up as a cookie would be.
 */
async function familyRow(action: ActionContext, family: RefreshFamily): Promise<{ key: string; session: AdapterSession; user: AdapterUser } | null> {
  const reference = family.sessionToken;
  const adapter = action.ctx.resolved.adapter;
  if (!reference || !adapter?.getSessionAndUser) return null;
  if (!isStoredSessionKey(reference)) return findDatabaseSession(action.ctx, reference);
  const found = await adapter.getSessionAndUser(reference);
  return found ? { ...found, key: reference } : null;
}

/** Ends the session a reused refresh token belongs to: its row (database) or its sid (revocation store). */
async function endFamilySession(action: ActionContext, family: RefreshFamily): Promise<void> {
  const { resolved } = action.ctx;
  try {
    const row = await familyRow(action, family);
    if (row && resolved.adapter?.deleteSession) await resolved.adapter.deleteSession(row.key);
    // Until the longest a copy of that session's cookie, or another family of it, can live.
    if (family.sid && resolved.revocation) await resolved.revocation.revokeSession(family.sid, revocationHorizon(resolved, family.expiresAt.getTime()));
  } catch (error) {
    resolved.logger.error(new SignOutError("A refresh token was reused but its session could not be ended.", { cause: error }));
  }
}

/**
 * A refresh uses the database session its family belongs to, as a page's request would: its row's
 * expiry moves forward (at most once per `updateAge`), so a native client in use keeps its family
 * alive though the browser is never opened again. Not under `session.absoluteMaxAge`: there a
 * session begun before the setting counts from its row's expiry, which must stay put (the family
 * ends at that lifetime's end all the same). A store that fails to write is logged: the refresh
 * goes on, and the row expires when it would have.
 */
async function renewFamilyRow(action: ActionContext, found: { key: string; session: AdapterSession }): Promise<void> {
  const { resolved } = action.ctx;
  if (resolved.absoluteMaxAge !== undefined || !resolved.adapter?.updateSession) return;
  const now = Date.now();
  const dueAt = found.session.expires.getTime() - resolved.sessionMaxAge * 1000 + resolved.updateAge * 1000;
  if (dueAt > now) return;
  try {
    await resolved.adapter.updateSession({ sessionToken: found.key, expires: new Date(now + resolved.sessionMaxAge * 1000) });
  } catch (error) {
    resolved.logger.error(new SessionTokenError("The adapter failed to renew the session a refresh token belongs to; the refresh goes on.", { cause: error }));
  }
}

/** True when the session a family belongs to has ended (signed out, revoked, user gone). */
async function familySessionEnded(action: ActionContext, family: RefreshFamily): Promise<boolean> {
  const { resolved } = action.ctx;
  // A family begun before session.absoluteMaxAge was set or shortened ends with its session.
  const end = sessionEnd(family.authTime, resolved.absoluteMaxAge);
  if (end !== undefined && !(end > Date.now() / 1000)) return true;
  if (family.sessionToken) {
    const found = await familyRow(action, family);
    if (!found || found.session.expires.getTime() <= Date.now() || found.user.id !== family.userId) return true;
    await renewFamilyRow(action, found);
    return false;
  }
  if (resolved.revocation) return resolved.revocation.isRevoked({ sid: family.sid, userId: family.userId, authTime: family.authTime });
  return false;
}

/** `grant_type=refresh_token`: one use of a refresh token gives a bearer token and its successor. */
async function refreshGrant(action: ActionContext, bearer: ResolvedBearer): Promise<ResponseInternal> {
  const { ctx } = action;
  const refresh = bearer.refresh;
  if (!refresh) return invalidGrant("Refresh tokens are not enabled: set bearer.refreshTokens in the config.");
  const presented = action.body.refresh_token;
  if (typeof presented !== "string" || !presented.startsWith(REFRESH_PREFIX) || presented.length > 256) return invalidGrant("The refresh token is missing or malformed.");
  const presentedHash = await refreshTokenHash(presented);
  const { resolved } = ctx;
  const refused = (userId?: string) => emitAudit(resolved, { type: "token-refresh-failed", kind: "refresh-token", error: "invalid_grant", ...(userId !== undefined ? { userId } : {}) }, action.request);
  const sessionEnded = async (family: RefreshFamily): Promise<ResponseInternal> => {
    await refresh.store.revokeFamily(family.id);
    await refused(family.userId);
    return invalidGrant("The session behind this refresh token has ended. Sign in again.");
  };
  // The session first, when the store can look without using the token: a check that fails
  // (a store down for a moment) then leaves the token usable, and the client's retry works.
  const window = { retryWindow: refresh.retryWindow };
  const pending = refresh.store.peek ? await refresh.store.peek(presentedHash, window) : null;
  if (pending && (await familySessionEnded(action, pending))) return sessionEnded(pending);
  const next = newRefreshToken();
  const now = Date.now();
  const result = await refresh.store.rotate(presentedHash, { tokenHash: await refreshTokenHash(next), expiresAt: new Date(now + refresh.maxAge * 1000) }, window);
  if (result.status === "reused") {
    ctx.resolved.logger.warn(`refresh-token-reused: a refresh token of user ${result.family.userId} was used twice; its family and session are revoked`);
    await endFamilySession(action, result.family);
    await refused(result.family.userId);
    await emitAudit(resolved, { type: "session-revoked", userId: result.family.userId, scope: "session", reason: "refresh-token-reused" }, action.request);
    return invalidGrant("The refresh token was already used: every token of this sign-in is revoked. Sign in again.");
  }
  if (result.status !== "rotated") {
    await refused();
    return invalidGrant("The refresh token is invalid, expired or revoked. Sign in again.");
  }
  const { family } = result;
  // Checked once: before the rotation when the store could look (the session may end in the
  // moment between, as it may right after any read), else now.
  if (!pending && (await familySessionEnded(action, family))) return sessionEnded(family);
  const claims: Record<string, unknown> & { sub: string } = { ...family.claims, sub: family.userId };
  if (family.sid !== undefined) claims.sid = family.sid;
  if (family.authTime !== undefined) claims.auth_time = family.authTime;
  // Never past the family's end: the client must sign in again then, token or not.
  const issued = await issueBearerToken(ctx, bearer, claims, family.expiresAt.getTime() / 1000);
  await emitAudit(resolved, { type: "token-refreshed", kind: "refresh-token", userId: family.userId, ...(result.retried ? { retried: true as const } : {}) }, action.request);
  const body = { ...tokenBody(issued), refreshToken: next, refreshTokenExpiresAt: new Date(Math.min(now + refresh.maxAge * 1000, family.expiresAt.getTime())).toISOString() };
  // The same answer in RFC 6749 §5.1's names too, so a stock OAuth client library can refresh.
  return { body: { ...body, access_token: body.token, token_type: "Bearer", expires_in: body.expiresIn, refresh_token: next } };
}

function tokenBody(issued: { token: string; expiresAt: number }) {
  return {
    token: issued.token,
    tokenType: "Bearer",
    expiresAt: new Date(issued.expiresAt * 1000).toISOString(),
    expiresIn: Math.max(0, issued.expiresAt - Math.floor(Date.now() / 1000)),
  };
}

/**
 * `POST /token`: a short-lived bearer token for the session in the cookie. The request must
 * carry `X-Latch-Bearer: 1` and come from our origin (a cross-site page can make neither), and
 * the token is bound to this browser by an HttpOnly fingerprint cookie unless the config says
 * otherwise. The session cookie is renewed as `GET /session` renews it.
 */
export async function tokenAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx } = action;
  const { resolved } = ctx;
  const bearer = resolved.bearer;
  if (!bearer) return refuse(404, "UnknownAction", "Bearer tokens are not enabled: set `bearer` in the config.");
  const grant = action.body.grant_type;
  // The refresh grant uses no cookie, so it needs no proof of origin: the token is the credential.
  if (grant === "refresh_token") return refreshGrant(action, bearer);
  if (grant !== undefined) return refuse(400, "unsupported_grant_type", 'The only grant is "refresh_token"; without grant_type, a signed-in page gets a token for its session.');
  const offline = action.body.offline === true || action.body.offline === "true";
  if (offline && !bearer.refresh) return refuse(400, "InvalidRequest", "Refresh tokens are not enabled: set bearer.refreshTokens in the config.", action.baseCookies);
  if (action.request.headers.get(BEARER_REQUEST_HEADER) !== "1" || !sameOrigin(action)) {
    return refuse(403, "Forbidden", `Request bearer tokens from your own pages, with the header ${BEARER_REQUEST_HEADER}: 1.`, action.baseCookies);
  }
  const result = await readSession(ctx, action.cookies, { renew: true });
  const cookies = [...action.baseCookies, ...result.cookies];
  const token = result.token;
  if (!result.session || !token || typeof token.sub !== "string" || token.sub === "") {
    return refuse(401, "Unauthorized", "There is no session to issue a bearer token for: sign in first.", cookies);
  }
  const extra = bearer.claims ? bearer.claims(token) : {};
  const claims: Record<string, unknown> & { sub: string } = { sub: token.sub };
  for (const [key, value] of Object.entries(extra)) if (!RESERVED.has(key) && value !== undefined) claims[key] = value;
  claims.name = token.name ?? null;
  claims.email = token.email ?? null;
  claims.picture = token.picture ?? null;
  const sessionToken = resolved.strategy === "database" ? readChunkedCookie(action.cookies, ctx.cookies.sessionToken.name).value : undefined;
  if (resolved.strategy === "database") {
    if (sessionToken) claims.sid = await databaseSessionId(sessionToken);
  } else if (typeof token.sid === "string") claims.sid = token.sid;
  // A database session has one only under session.absoluteMaxAge: its tokens end with it.
  if (typeof token.auth_time === "number") claims.auth_time = token.auth_time;
  if (offline && bearer.refresh) {
    // For a client outside the browser: an unbound bearer token and the first refresh token of a new family.
    const { sub, sid, auth_time: authTime, ...rest } = claims;
    // With JWT sessions, sign-out and a reused refresh token end a family by its sid alone. The
    // engine names every session it reads (jwt-session.ts); a family without one would outlive both.
    if (resolved.strategy === "jwt" && resolved.revocation && typeof sid !== "string") {
      throw new SessionTokenError("A JWT session without a sid got no refresh token: neither sign-out nor reuse detection could end its family.");
    }
    const now = Date.now();
    const family: RefreshFamily = {
      id: randomHex(16),
      userId: sub,
      claims: rest,
      // Never past the session's own absolute end (session.absoluteMaxAge).
      expiresAt: new Date(Math.min(now + bearer.refresh.absoluteMaxAge * 1000, (sessionEnd(authTime, resolved.absoluteMaxAge) ?? Infinity) * 1000)),
      ...(typeof sid === "string" ? { sid } : {}),
      ...(typeof authTime === "number" ? { authTime } : {}),
      // The row's stored key, never the cookie's token: the refresh store holds nothing a thief could use as a cookie.
      ...(sessionToken ? { sessionToken: await storedSessionKey(sessionToken) } : {}),
    };
    const refreshToken = newRefreshToken();
    const refreshExpires = new Date(Math.min(now + bearer.refresh.maxAge * 1000, family.expiresAt.getTime()));
    await bearer.refresh.store.createFamily(family, { tokenHash: await refreshTokenHash(refreshToken), expiresAt: refreshExpires });
    const issued = await issueBearerToken(ctx, bearer, claims, family.expiresAt.getTime() / 1000);
    return { body: { ...tokenBody(issued), refreshToken, refreshTokenExpiresAt: refreshExpires.toISOString(), session: result.session }, cookies };
  }
  if (bearer.bindToBrowser) {
    const option = ctx.cookies.bearerFingerprint;
    const fingerprint = await bearerFingerprint(action.cookies.get(option.name));
    claims.fgp = fingerprint.hash;
    cookies.push({ name: option.name, value: fingerprint.value, options: { ...option.options, maxAge: resolved.sessionMaxAge } });
  }
  const issued = await issueBearerToken(ctx, bearer, claims);
  return { body: { ...tokenBody(issued), session: result.session }, cookies };
}

/**
 * `POST /revoke` (RFC 7009 shape): a client outside the browser signs out by sending its
 * refresh token as `token`. The family is revoked and its session ended. The answer is 200
 * whether or not the token was valid, so it reveals nothing.
 */
export async function revokeAction(action: ActionContext): Promise<ResponseInternal> {
  const refresh = action.ctx.resolved.bearer?.refresh;
  if (!refresh) return refuse(404, "UnknownAction", "Refresh tokens are not enabled: set bearer.refreshTokens in the config.");
  const presented = action.body.token;
  if (typeof presented === "string" && presented.startsWith(REFRESH_PREFIX) && presented.length <= 256) {
    // Using the token proves it genuine; its successor is thrown away with the family.
    const result = await refresh.store.rotate(await refreshTokenHash(presented), { tokenHash: await refreshTokenHash(newRefreshToken()), expiresAt: new Date(Date.now() + 60_000) });
    if (result.status === "rotated") await refresh.store.revokeFamily(result.family.id);
    if (result.status !== "invalid") {
      await endFamilySession(action, result.family);
      await emitAudit(action.ctx.resolved, { type: "session-revoked", userId: result.family.userId, scope: "session", reason: "client-revoked" }, action.request);
    }
  }
  return { body: {} };
}

/** `GET /jwks`: the public keys bearer tokens are signed with, for services that verify them offline. */
export async function jwksAction(action: ActionContext): Promise<ResponseInternal> {
  const { resolved } = action.ctx;
  if (!resolved.bearer) return refuse(404, "UnknownAction", "Bearer tokens are not enabled: set `bearer` in the config.");
  return { body: await bearerJwks(resolved, resolved.bearer), headers: { "cache-control": "public, max-age=300" } };
}
