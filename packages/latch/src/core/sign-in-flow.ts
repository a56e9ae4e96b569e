import { AccessDenied } from "../errors.js";
import type { Account, JWT, Profile, User } from "../types.js";
import { requestedCallbackUrl, resolveRedirect, type ActionContext } from "./action-context.js";
import { readChunkedCookie, type OutgoingCookie } from "./cookies.js";
import { randomHex } from "./digest.js";
import { auditing, emitAudit, recognizeDevice } from "./audit.js";
import { runEvent } from "./events.js";
import { createDatabaseSession } from "./session/database-session.js";
import { sessionCookies } from "./session/jwt-session.js";

/** Who is signing in, as the callbacks see it. */
export interface SignInParams {
  user: User;
  account: Account;
  profile?: Profile | undefined;
  credentials?: Record<string, string> | undefined;
  /** Email sign-in: `verificationRequest: true` before the link is sent. */
  email?: { verificationRequest?: boolean | undefined } | undefined;
}

/**
 * Runs the app's `signIn` callback: `true` goes on, `false` or a throw refuses (`AccessDenied`),
 * a string is where to send the user instead (a refusal too, audited as `sign-in-failed`).
 */
export async function runSignInCallback(action: ActionContext, params: SignInParams): Promise<true | string> {
  const callback = action.ctx.resolved.config.callbacks?.signIn;
  let allowed: boolean | string = true;
  try {
    if (callback) allowed = await callback(params);
  } catch (error) {
    // As in Auth.js, a signIn callback that throws refuses the sign-in.
    throw new AccessDenied("The signIn callback threw.", { cause: error });
  }
  if (allowed === false) throw new AccessDenied("The signIn callback refused this sign-in.");
  if (typeof allowed !== "string") return true;
  // A refusal that sends the user elsewhere leaves no error behind: audited here, as `false` is.
  await emitAudit(action.ctx.resolved, { type: "sign-in-failed", provider: params.account.provider, error: "AccessDenied" }, action.request);
  return resolveRedirect(action, allowed);
}

/**
 * Starts the session of a user who just signed in — a session row (database strategy) or a
 * session token shaped by the `jwt` callback — runs the `signIn` event and returns where to go.
 */
export async function startSession(
  action: ActionContext,
  // authTime: the earliest auth_time (seconds) a JWT session may carry, to begin after a revocation cut-off.
  // confirm: runs once the session exists (its row written, its auth_time set) and before its cookie
  // is sent; a throw refuses the sign-in (see confirmStillLinked).
  params: SignInParams & { isNewUser?: boolean | undefined; emailVerifiedNow?: boolean | undefined; authTime?: number | undefined; confirm?: (() => Promise<void>) | undefined },
  out: OutgoingCookie[],
): Promise<string> {
  const { ctx } = action;
  const { resolved } = ctx;
  const { user, account, profile, isNewUser, emailVerifiedNow, authTime, confirm } = params;
  const existing = readChunkedCookie(action.cookies, ctx.cookies.sessionToken.name).names;
  // Where to go, first: a redirect callback that throws then leads to the error page before any
  // session row, event or audit entry exists for a sign-in that did not happen.
  let target = await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin);
  if (isNewUser && resolved.pages.newUser) {
    const welcome = new URL(resolved.pages.newUser, ctx.origin);
    welcome.searchParams.set("callbackUrl", target);
    target = await resolveRedirect(action, welcome.href);
  }
  // The session cookie joins `out` last: nothing that throws in between may sign the user in.
  let session: OutgoingCookie[];
  if (resolved.strategy === "database") {
    session = await createDatabaseSession(ctx, String(user.id), existing, confirm);
  } else {
    // sid and auth_time survive every renewal: revocation names the session by them.
    const initial: JWT = { name: user.name ?? null, email: user.email ?? null, picture: user.image ?? null, sub: user.id, sid: randomHex(16), auth_time: Math.max(Math.floor(Date.now() / 1000), authTime ?? 0) };
    const trigger = isNewUser ? "signUp" : "signIn";
    const jwt = resolved.config.callbacks?.jwt;
    let token = jwt ? await jwt({ token: initial, user, account, profile, trigger, isNewUser }) : initial;
    if (!token) throw new AccessDenied("The jwt callback returned null at sign-in.");
    // A callback that builds a fresh token must not free it from session.absoluteMaxAge, nor
    // fall to every revocation cut-off (a token without a sign-in time predates them all).
    if (typeof token.auth_time !== "number") token = { ...token, auth_time: initial.auth_time };
    // Nor from sign-out: revocation, refresh families and bearer tokens name the session by sid.
    if (typeof token.sid !== "string") token = { ...token, sid: initial.sid };
    session = await sessionCookies(ctx, token, existing);
    if (confirm) await confirm();
  }
  await runEvent(resolved, "signIn", { user, account, profile, isNewUser, ...(emailVerifiedNow ? { emailVerifiedNow } : {}) });
  const userId = String(user.id);
  // The device cookie exists only for apps that audit: no long-lived identifier otherwise.
  const device = auditing(resolved) ? await recognizeDevice(ctx, action.cookies, userId) : undefined;
  if (device) out.push(device.cookie);
  const provider = account.provider;
  await emitAudit(resolved, { type: "sign-in", userId, provider, providerType: action.provider?.type ?? account.type, isNewUser: isNewUser === true, newDevice: device?.newDevice ?? false }, action.request);
  if (device?.newDevice) await emitAudit(resolved, { type: "new-device", userId, provider, deviceId: device.deviceId }, action.request);
  out.push(...session);
  return target;
}
