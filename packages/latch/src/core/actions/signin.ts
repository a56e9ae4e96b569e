import { MissingCSRF, OAuthSignInError, isAuthError } from "../../errors.js";
import { csrfVerified, errorRedirect, requestedCallbackUrl, resolveRedirect, type ActionContext } from "../action-context.js";
import { authorizationUrl } from "../oauth/authorization-url.js";
import { crossSiteAttributes } from "../oauth/checks.js";
import { pageLanguage, signInPage } from "../pages/index.js";
import { signedInUser } from "../signed-in-user.js";
import { sendSignInLink } from "./email-signin.js";
import type { ResponseInternal } from "../response.js";

// Query parameters that belong to latch, not to the provider's authorization request.
const OWN_PARAMS = new Set(["callbackUrl", "csrfToken"]);

/** `GET /signin`: the built-in page (or a redirect to `pages.signIn`). */
export async function signInPageAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx } = action;
  const asked = action.query.get("callbackUrl");
  const callbackUrl = await resolveRedirect(action, asked ?? ctx.origin);
  // Remembered, as next-auth does: a sign-in form of the app's that posts only the CSRF token
  // still returns the user where they were going. Checked again when it is used.
  const cookies = asked === null ? action.baseCookies : [...action.baseCookies, { name: ctx.cookies.callbackUrl.name, value: callbackUrl, options: ctx.cookies.callbackUrl.options }];
  const error = action.query.get("error") ?? undefined;
  if (ctx.resolved.pages.signIn) {
    const target = new URL(ctx.resolved.pages.signIn, ctx.origin);
    target.searchParams.set("callbackUrl", callbackUrl);
    if (error) target.searchParams.set("error", error);
    return { redirect: target.href, cookies };
  }
  // With passkeys, a signed-in user sees "add a passkey to your account" instead of registration.
  const adapter = ctx.resolved.adapter;
  const getUser = adapter?.getUser?.bind(adapter);
  const signedIn = getUser && ctx.resolved.providers.some((p) => p.type === "webauthn") ? await signedInUser(ctx, action.cookies, getUser) : null;
  const signedInAs = signedIn ? signedIn.email || signedIn.name || "" : undefined;
  const language = pageLanguage(ctx.resolved.locales, action.request.headers);
  return {
    ...signInPage({ providers: ctx.resolved.providers, authUrl: ctx.authUrl, csrfToken: action.csrf.token, callbackUrl, error, theme: ctx.resolved.theme, language, signedInAs }),
    cookies,
  };
}

/**
 * `POST /signin/:provider`: checks the CSRF token, remembers the callbackUrl, and redirects to
 * the provider with PKCE, state and (OIDC) nonce — or, for an email provider, sends the link.
 */
export async function signInAction(action: ActionContext): Promise<ResponseInternal> {
  const { ctx, provider } = action;
  if (!provider) throw new TypeError("signInAction needs a provider");
  if (!csrfVerified(action)) return errorRedirect(action, new MissingCSRF("The sign-in request has no valid CSRF token."));
  if (provider.type === "credentials" || provider.type === "webauthn") {
    // Credentials and passkey responses are posted to /callback/:id; this route only leads to the page.
    const page = new URL(`${ctx.authUrl}/signin`);
    page.searchParams.set("callbackUrl", await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin));
    return { status: 303, redirect: page.href, cookies: action.baseCookies };
  }
  if (provider.type === "email") return sendSignInLink(action, provider);
  try {
    const callbackUrl = await resolveRedirect(action, requestedCallbackUrl(action) ?? ctx.origin);
    const extra: Record<string, string> = {};
    for (const [key, value] of action.query) if (!OWN_PARAMS.has(key)) extra[key] = value;
    const { url, cookies, crossSite } = await authorizationUrl(ctx, provider, extra);
    // A form_post callback arrives cross-site: the remembered callbackUrl must travel with it too.
    const callbackOptions = crossSite ? crossSiteAttributes(ctx.cookies.callbackUrl.options) : ctx.cookies.callbackUrl.options;
    return {
      redirect: url,
      cookies: [...action.baseCookies, ...cookies, { name: ctx.cookies.callbackUrl.name, value: callbackUrl, options: callbackOptions }],
    };
  } catch (error) {
    return errorRedirect(action, isAuthError(error) ? error : new OAuthSignInError(`Could not start the sign-in with "${provider.id}".`, { cause: error }));
  }
}
