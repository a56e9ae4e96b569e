import { emitAudit } from "../audit.js";
import type { AdapterUser } from "../../adapters/types.js";
import { AdapterError, CallbackRouteError, isAuthError, MissingCSRF, Verification } from "../../errors.js";
import type { Account } from "../../types.js";
import { csrfVerified, errorRedirect, rateLimitedResponse, resolveRedirect, seeOther, type ActionContext } from "../action-context.js";
import type { RequestContext } from "../config.js";
import type { OutgoingCookie } from "../cookies.js";
import { emailAdapter, type EmailAdapter } from "../email/adapter.js";
import { revocationHorizon } from "../end-user-sessions.js";
import { linkIdentifier } from "../email/identifier.js";
import { consumeVerificationToken } from "../email/token.js";
import { runEvent } from "../events.js";
import { emailLandingPage, pageLanguage } from "../pages/index.js";
import type { InternalEmailProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { runSignInCallback, startSession } from "../sign-in-flow.js";
import { throttleTokenUse } from "../throttle.js";
import { unlinkUnprovenAccounts } from "../unproven-accounts.js";

function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/**
 * `GET /callback/:email` — what opening the link does: a page whose button POSTs the token, the
 * address and a CSRF token (set here). Nothing is used or burned, so a mail scanner or a link
 * preview that fetches the link changes nothing.
 */
async function landingPage(action: ActionContext, provider: InternalEmailProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  const token = stringField(action.query.get("token"));
  const email = stringField(action.query.get("email"));
  if (!token || !email) return errorRedirect(action, new Verification("The sign-in link has no token or no address."));
  const callbackUrl = await resolveRedirect(action, action.query.get("callbackUrl") ?? ctx.origin);
  const page = emailLandingPage({
    action: `${ctx.authUrl}/callback/${encodeURIComponent(provider.id)}`,
    host: new URL(ctx.origin).host,
    csrfToken: action.csrf.token,
    token,
    email,
    callbackUrl,
    theme: ctx.resolved.theme,
    language: pageLanguage(ctx.resolved.locales, action.request.headers),
  });
  return { ...page, cookies: action.baseCookies };
}

/**
 * Ends every session a user stored unverified may have — sessions someone could have started
 * before the address's owner proved it (pre-account hijacking). Database sessions are deleted;
 * JWT sessions are revoked when a revocation store is set: every one begun up to the end of this
 * second, since auth_time counts whole seconds and a squatter signing in again and again has a
 * session from this very second. Returns the auth_time (seconds) the owner's new JWT session
 * must carry to outlive the cut-off. A store that fails stops the sign-in.
 */
async function endEarlierSessions(ctx: RequestContext, adapter: EmailAdapter, userId: string, request: Request, again = false): Promise<number | undefined> {
  const { resolved } = ctx;
  // Said (audit, warnings) once per proof: `again` is the second pass, once the address reads verified.
  const revoked = () => (again ? undefined : emitAudit(resolved, { type: "session-revoked", userId, scope: "user", reason: "email-proved" }, request));
  const warn = (message: string) => (again ? undefined : resolved.logger.warn(message));
  if (resolved.strategy === "database") {
    if (adapter.deleteSessionsByUserId) {
      await adapter.deleteSessionsByUserId(userId);
      await revoked();
    } else warn("email-unverified-sessions: an unverified user's earlier database sessions were kept: the adapter has no deleteSessionsByUserId");
  } else if (resolved.revocation) {
    const cutOff = Math.floor(Date.now() / 1000) + 1;
    await resolved.revocation.revokeUser(userId, new Date(cutOff * 1000), revocationHorizon(resolved));
    await revoked();
    return cutOff;
  } else {
    warn("email-unverified-sessions: an unverified user's earlier JWT sessions stay valid until they expire: set `revocation` to end them");
  }
  return undefined;
}

/** The stored user for a proven address: found (and marked verified) or created. */
async function verifiedUser(
  ctx: RequestContext,
  adapter: EmailAdapter,
  identifier: string,
  stored: AdapterUser | null,
  request: Request,
): Promise<{ user: AdapterUser; isNewUser: boolean; emailVerifiedNow: boolean; authTime?: number | undefined }> {
  const { resolved } = ctx;
  if (stored) {
    // `!= null`: an adapter that stores no null property (a graph database) leaves it out.
    if (stored.emailVerified != null) return { user: stored, isNewUser: false, emailVerifiedNow: false };
    // The accounts first: once they are unlinked, no new session of the squatter can begin
    // through them (a sign-in under way checks its link: confirmStillLinked). Then again once
    // sessions are ended: a squatter's session live until then may have linked one meanwhile
    // (a link checked afterwards finds that session ended: confirmStillSignedIn).
    // Sessions are ended a last time once the address reads verified: a password sign-in checked
    // just before (confirmNotProvenSince) may have begun one since the first pass.
    await unlinkUnprovenAccounts(ctx, stored.id);
    const firstCutOff = await endEarlierSessions(ctx, adapter, stored.id, request);
    await unlinkUnprovenAccounts(ctx, stored.id, { warn: false });
    const user = await adapter.updateUser({ id: stored.id, emailVerified: new Date() });
    const authTime = (await endEarlierSessions(ctx, adapter, stored.id, request, true)) ?? firstCutOff;
    await runEvent(resolved, "updateUser", { user });
    return { user, isNewUser: false, emailVerifiedNow: true, authTime };
  }
  let user: AdapterUser;
  try {
    user = await adapter.createUser({ id: crypto.randomUUID(), email: identifier, emailVerified: new Date(), name: null, image: null });
  } catch (error) {
    // Two first sign-ins of one address at once: the other created the user.
    const raced = await adapter.getUserByEmail(identifier);
    if (!raced) throw error instanceof Error ? error : new AdapterError("createUser failed", { cause: error });
    return verifiedUser(ctx, adapter, identifier, raced, request);
  }
  await runEvent(resolved, "createUser", { user });
  return { user, isNewUser: true, emailVerifiedNow: false };
}

/**
 * `POST /callback/:email` — the button of the landing page (CSRF required): uses the token —
 * atomically, only together with the address it was sent to, once — then finds or creates the
 * user, runs `signIn`, and starts a session (database or JWT). An unknown, used, expired or
 * mismatched token is `Verification`; too many tries for the address (or from the client) is
 * `RateLimited`.
 */
async function useSignInLink(action: ActionContext, provider: InternalEmailProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  if (!csrfVerified(action)) return seeOther(errorRedirect(action, new MissingCSRF("The email sign-in has no valid CSRF token.")));
  const out: OutgoingCookie[] = [];
  try {
    const token = stringField(action.body.token);
    const identifier = linkIdentifier(provider.normalizeIdentifier, action.body.email);
    if (!token || identifier === undefined) throw new Verification("The sign-in link has no token or no valid address.");
    // Counted before the token is looked at: over the limit, the right one is refused too.
    const throttle = await throttleTokenUse(ctx, provider, action.request, identifier);
    if (throttle.refused) return rateLimitedResponse(action, throttle.refused);
    const adapter = emailAdapter(ctx);
    const used = await consumeVerificationToken(ctx, provider, adapter, identifier, token);
    if (!used) throw new Verification("The sign-in link is unknown, was already used, or belongs to another address.");
    await throttle.succeeded();
    if (used.expires.getTime() <= Date.now()) throw new Verification("The sign-in link expired.");

    const stored = await adapter.getUserByEmail(identifier);
    const account: Account = { type: "email", provider: provider.id, providerAccountId: identifier, ...(stored ? { userId: stored.id } : {}) };
    const allowed = await runSignInCallback(action, { user: stored ?? { email: identifier }, account });
    if (allowed !== true) return { status: 303, redirect: allowed, cookies: action.baseCookies };

    const { user, isNewUser, emailVerifiedNow, authTime } = await verifiedUser(ctx, adapter, identifier, stored, action.request);
    account.userId = user.id;
    const target = await startSession(action, { user: { id: user.id, name: user.name ?? null, email: user.email, image: user.image ?? null }, account, isNewUser, emailVerifiedNow, authTime }, out);
    return { status: 303, redirect: target, cookies: [...action.baseCookies, ...out] };
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The email sign-in with "${provider.id}" failed.`, { cause: error });
    return seeOther(errorRedirect(action, authError, out));
  }
}

/** `GET|POST /callback/:email`: the landing page, or the sign-in. */
export function emailCallbackAction(action: ActionContext, provider: InternalEmailProvider): Promise<ResponseInternal> {
  return action.method === "GET" ? landingPage(action, provider) : useSignInLink(action, provider);
}
