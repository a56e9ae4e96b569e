import { CallbackRouteError, EmailSignInError, isAuthError } from "../../errors.js";
import type { Account, User } from "../../types.js";
import { errorRedirect, rateLimitedResponse, requestedCallbackUrl, requestWithFields, resolveRedirect, seeOther, type ActionContext } from "../action-context.js";
import { emailAdapter } from "../email/adapter.js";
import { applyNormalizer } from "../email/identifier.js";
import { storeVerificationToken } from "../email/token.js";
import { pageLanguage } from "../pages/index.js";
import type { InternalEmailProvider } from "../providers.js";
import type { ResponseInternal } from "../response.js";
import { runSignInCallback } from "../sign-in-flow.js";
import { throttleEmail } from "../throttle.js";

/**
 * `POST /signin/:email` (CSRF checked by the caller): normalizes the address and refuses
 * anything but exactly one plain address, throttles sends per address and per client address,
 * asks the `signIn` callback (`email.verificationRequest: true`), stores a hashed single-use
 * token and sends the link — built from the configured origin — then shows "check your email".
 * Whether the address belongs to a user changes nothing in the answer.
 */
export async function sendSignInLink(action: ActionContext, provider: InternalEmailProvider): Promise<ResponseInternal> {
  const { ctx } = action;
  try {
    const identifier = applyNormalizer(provider.normalizeIdentifier, action.body.email);
    if (identifier === undefined) return seeOther(errorRedirect(action, new EmailSignInError(`The address given to "${provider.id}" is not exactly one plain email address; no link was sent.`)));
    const refused = await throttleEmail(ctx, provider, action.request, identifier);
    if (refused) return rateLimitedResponse(action, refused);

    const adapter = emailAdapter(ctx);
    const stored = await adapter.getUserByEmail(identifier);
    const user: User = stored ?? { email: identifier };
    const account: Account = { type: "email", provider: provider.id, providerAccountId: identifier, ...(stored ? { userId: stored.id } : {}) };
    const allowed = await runSignInCallback(action, { user, account, email: { verificationRequest: true } });
    if (allowed !== true) return { status: 303, redirect: allowed, cookies: action.baseCookies };

    const callbackUrl = await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin);
    const token = await provider.generateVerificationToken();
    if (typeof token !== "string" || token.length === 0) throw new TypeError(`generateVerificationToken of "${provider.id}" returned no token`);
    const expires = await storeVerificationToken(ctx, provider, adapter, identifier, token);
    // ctx.authUrl starts with AUTH_URL's origin when it is set: a forged Host header cannot move the link.
    const url = `${ctx.authUrl}/callback/${encodeURIComponent(provider.id)}?${new URLSearchParams({ callbackUrl, token, email: identifier })}`;
    // The language the "check your email" page will speak: the email reads like the pages around it.
    const { locale } = pageLanguage(ctx.resolved.locales, action.request.headers);
    try {
      await provider.config.sendVerificationRequest({ identifier, url, expires, provider: provider.config, token, theme: ctx.resolved.theme, request: requestWithFields(action), locale });
    } catch (error) {
      throw new EmailSignInError(`The sign-in email of "${provider.id}" could not be sent.`, { cause: error });
    }
    const verify = new URL(`${ctx.authUrl}/verify-request`);
    verify.search = new URLSearchParams({ provider: provider.id, type: "email" }).toString();
    return { status: 303, redirect: verify.href, cookies: action.baseCookies };
  } catch (error) {
    const authError = isAuthError(error) ? error : new CallbackRouteError(`The email sign-in with "${provider.id}" failed.`, { cause: error });
    return seeOther(errorRedirect(action, authError));
  }
}
