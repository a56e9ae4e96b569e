import { MissingCSRF, SignOutError } from "../../errors.js";
import { deleteDatabaseSession, findDatabaseSession } from "../session/database-session.js";
import { csrfVerified, errorRedirect, requestedCallbackUrl, resolveRedirect, type ActionContext } from "../action-context.js";
import { BEARER_CLOCK_TOLERANCE, databaseSessionId } from "../bearer.js";
import { clearChunkedCookie, expireCookie, readChunkedCookie } from "../cookies.js";
import { revocationHorizon } from "../end-user-sessions.js";
import { emitAudit } from "../audit.js";
import { runEvent } from "../events.js";
import { pageLanguage, signOutPage } from "../pages/index.js";
import type { ResponseInternal } from "../response.js";
import { decodeSessionToken } from "../session/jwt-session.js";

/** `GET /signout`: the confirmation page (or a redirect to `pages.signOut`). */
export async function signOutPageAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx } = action;
  const callbackUrl = await resolveRedirect(action, action.query.get("callbackUrl") ?? ctx.origin);
  if (ctx.resolved.pages.signOut) {
    const target = new URL(ctx.resolved.pages.signOut, ctx.origin);
    target.searchParams.set("callbackUrl", callbackUrl);
    return { redirect: target.href, cookies: action.baseCookies };
  }
  const language = pageLanguage(ctx.resolved.locales, action.request.headers);
  return { ...signOutPage({ authUrl: ctx.authUrl, csrfToken: action.csrf.token, callbackUrl, theme: ctx.resolved.theme, language }), cookies: action.baseCookies };
}

/** `POST /signout`: requires the CSRF token, clears every session cookie chunk, redirects. */
export async function signOutAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx } = action;
  if (!csrfVerified(action)) return errorRedirect(action, new MissingCSRF("The sign-out request has no valid CSRF token."));
  const { value, names } = readChunkedCookie(action.cookies, ctx.cookies.sessionToken.name);
  const revocation = ctx.resolved.revocation;
  if (ctx.resolved.strategy === "database") {
    let session = null;
    if (value && ctx.resolved.bearer && revocation) {
      // Bearer tokens of this session name it by a hash of its token: revoke that too, for as
      // long as any of them is accepted (its lifetime, and the clock tolerance past its exp).
      // Only a session that exists: a made-up cookie writes nothing to the store.
      try {
        const until = new Date(Date.now() + (ctx.resolved.bearer.maxAge + BEARER_CLOCK_TOLERANCE) * 1000);
        if (await findDatabaseSession(ctx, value)) await revocation.revokeSession(await databaseSessionId(value), until);
      } catch (error) {
        ctx.resolved.logger.error(new SignOutError("The revocation store failed at sign-out; this session's bearer tokens stay valid until they expire.", { cause: error }));
      }
    }
    if (value) {
      try {
        session = await deleteDatabaseSession(ctx, value);
      } catch (error) {
        // The cookie is cleared anyway; the row expires on its own.
        ctx.resolved.logger.error(new SignOutError("The adapter failed to delete the session at sign-out.", { cause: error }));
      }
    }
    await runEvent(ctx.resolved, "signOut", { token: null, session });
    await emitAudit(ctx.resolved, { type: "sign-out", ...(session ? { userId: session.userId } : {}) }, action.request);
  } else {
    // A token without a sid (a next-auth cookie) is revoked by the one derived from it, which
    // its copies and what latch issued for it (renewed cookies, bearer tokens, refresh families) carry.
    const token = value ? await decodeSessionToken(ctx, value) : null;
    if (revocation && typeof token?.sid === "string") {
      try {
        // Until the longest any copy of it can live (a thief's, renewed since this one was) and
        // its refresh families, which may outlive every session token.
        await revocation.revokeSession(token.sid, revocationHorizon(ctx.resolved, (token.exp ?? 0) * 1000));
      } catch (error) {
        ctx.resolved.logger.error(new SignOutError("The revocation store failed at sign-out; copies of this session token stay valid until they expire.", { cause: error }));
      }
    }
    await runEvent(ctx.resolved, "signOut", { token });
    await emitAudit(ctx.resolved, { type: "sign-out", ...(typeof token?.sub === "string" ? { userId: token.sub } : {}) }, action.request);
  }
  const target = await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin);
  const cleared = clearChunkedCookie(ctx.cookies.sessionToken, names);
  // Without its fingerprint cookie, no bearer token issued to this browser is accepted any more.
  if (ctx.resolved.bearer && action.cookies.has(ctx.cookies.bearerFingerprint.name)) cleared.push(expireCookie(ctx.cookies.bearerFingerprint));
  return { redirect: target, cookies: [...action.baseCookies, ...cleared] };
}
