import { AccessDenied, CallbackRouteError, isAuthError } from "../../errors.js";
import type { JWT } from "../../types.js";
import { errorRedirect, requestedCallbackUrl, resolveRedirect, type ActionContext } from "../action-context.js";
import { readChunkedCookie, type OutgoingCookie } from "../cookies.js";
import { runEvent } from "../events.js";
import { handleOAuthCallback } from "../oauth/callback.js";
import type { ResponseInternal } from "../response.js";
import { sessionCookies } from "../session/jwt-session.js";
import { createDatabaseSession } from "../session/database-session.js";
import { loginWithAdapter } from "../login.js";
import { randomHex } from "../digest.js";
import { stableUserId } from "../stable-id.js";

function bodyParams(body: Record<string, unknown>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(body)) if (typeof value === "string") params.set(key, value);
  return params;
}

/**
 * `GET|POST /callback/:provider`: completes the OAuth flow, runs `signIn` and `jwt`, writes the
 * session cookie and redirects to the remembered callbackUrl.
 */
export async function callbackAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx, provider } = action;
  if (!provider) throw new TypeError("callbackAction needs a provider");
  const { resolved } = ctx;
  const out: OutgoingCookie[] = [];
  try {
    const params = action.method === "POST" ? bodyParams(action.body) : action.query;
    const { user, account, profile } = await handleOAuthCallback(ctx, provider, params, action.cookies, out);
    // Without a database, the id derives from the provider account so that it stays stable.
    user.id = await stableUserId(provider.id, account.providerAccountId);

    const callbacks = resolved.config.callbacks;
    let allowed: boolean | string = true;
    try {
      if (callbacks?.signIn) allowed = await callbacks.signIn({ user, account, profile });
    } catch (error) {
      // As in Auth.js, a signIn callback that throws refuses the sign-in.
      throw new AccessDenied("The signIn callback threw.", { cause: error });
    }
    if (allowed === false) throw new AccessDenied("The signIn callback refused this sign-in.");
    if (typeof allowed === "string") return { redirect: await resolveRedirect(action, allowed), cookies: [...action.baseCookies, ...out] };

    let isNewUser: boolean | undefined;
    if (resolved.adapter) {
      const login = await loginWithAdapter(ctx, provider, { user, account, profile }, action.cookies);
      Object.assign(user, { id: login.user.id, name: login.user.name, email: login.user.email, image: login.user.image });
      account.userId = login.user.id;
      isNewUser = login.isNewUser;
    }

    const existing = readChunkedCookie(action.cookies, ctx.cookies.sessionToken.name).names;
    if (resolved.strategy === "database") {
      out.push(...(await createDatabaseSession(ctx, String(user.id), existing)));
    } else {
      // sid and auth_time survive every renewal: revocation names the session by them.
      const initial: JWT = { name: user.name ?? null, email: user.email ?? null, picture: user.image ?? null, sub: user.id, sid: randomHex(16), auth_time: Math.floor(Date.now() / 1000) };
      const trigger = isNewUser ? "signUp" : "signIn";
      const token = callbacks?.jwt ? await callbacks.jwt({ token: initial, user, account, profile, trigger, isNewUser }) : initial;
      if (!token) throw new AccessDenied("The jwt callback returned null at sign-in.");
      out.push(...(await sessionCookies(ctx, token, existing)));
    }
    await runEvent(resolved, "signIn", { user, account, profile, isNewUser });
    let target = await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin);
    if (isNewUser && resolved.pages.newUser) {
      const welcome = new URL(resolved.pages.newUser, ctx.origin);
      welcome.searchParams.set("callbackUrl", target);
      target = await resolveRedirect(action, welcome.href);
    }
    return { redirect: target, cookies: [...action.baseCookies, ...out] };
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The callback of "${provider.id}" failed.`, { cause: error });
    return errorRedirect(action, authError, out);
  }
}
