import * as oauth from "oauth4webapi";
import type { RequestContext } from "../config.js";
import type { OutgoingCookie } from "../cookies.js";
import type { InternalOAuthProvider } from "../providers.js";
import { sealCheck } from "./checks.js";
import { getAuthorizationServer } from "./server.js";

// Parameters that carry the flow's protection; a caller's authorization params never override them.
const PROTOCOL_PARAMS = new Set(["response_type", "client_id", "redirect_uri", "state", "code_challenge", "code_challenge_method", "nonce"]);

/** The redirect URI registered with the provider: `<origin><basePath>/callback/<id>`. */
export function redirectUriOf(ctx: RequestContext, provider: InternalOAuthProvider): string {
  return `${ctx.authUrl}/callback/${provider.id}`;
}

/** Providers already warned about a form_post callback to an http origin (once per process). */
const warnedInsecureFormPost = new WeakSet<InternalOAuthProvider>();

/** The authorization request of one sign-in. */
export interface AuthorizationRequest {
  /** Where to send the browser. */
  url: string;
  /** The sealed check cookies (state, and PKCE verifier and nonce when the provider uses them). */
  cookies: OutgoingCookie[];
  /**
   * The provider will POST the callback from its own site (`response_mode=form_post`): every
   * cookie the callback reads must be `SameSite=None; Secure` (see `crossSiteAttributes`).
   */
  crossSite: boolean;
}

/**
 * Builds the authorization request: state always, PKCE S256 and (OIDC) nonce unless the
 * provider's `checks` leave them out, each sealed in its own provider-bound cookie. With
 * `response_mode=form_post` the check cookies are `SameSite=None; Secure`, since the provider
 * posts the callback cross-site.
 *
 * @example
 * ```ts
 * const { url, cookies, crossSite } = await authorizationUrl(ctx, provider, { prompt: "login" });
 * ```
 */
export async function authorizationUrl(ctx: RequestContext, provider: InternalOAuthProvider, extraParams: Record<string, string>): Promise<AuthorizationRequest> {
  const as = await getAuthorizationServer(provider, ctx.resolved.providerTimeout);
  if (!as.authorization_endpoint) throw new TypeError(`Provider "${provider.id}" has no authorization endpoint`);
  const url = new URL(as.authorization_endpoint);
  const cookies: OutgoingCookie[] = [];
  const params: Record<string, string> = { ...provider.authorization.params };
  for (const [key, value] of Object.entries(extraParams)) if (!PROTOCOL_PARAMS.has(key)) params[key] = value;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);

  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", provider.clientId);
  url.searchParams.set("redirect_uri", redirectUriOf(ctx, provider));

  const crossSite = url.searchParams.get("response_mode") === "form_post";
  if (crossSite && !ctx.secure && !warnedInsecureFormPost.has(provider)) {
    warnedInsecureFormPost.add(provider);
    ctx.resolved.logger.warn(
      `form-post-needs-https: provider "${provider.id}" posts its callback from its own site (response_mode=form_post), so latch sets the check cookies SameSite=None; Secure, the only cookies a browser sends with a cross-site POST. This app runs on ${ctx.origin}, over http, where browsers drop Secure cookies (Chrome and Firefox keep them on http://localhost only): the callback will fail with a missing check cookie. Serve the app over https and set AUTH_URL to its https URL.`,
    );
  }

  if (provider.checks.pkce) {
    const verifier = oauth.generateRandomCodeVerifier();
    url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set("code_challenge_method", "S256");
    cookies.push(await sealCheck(ctx, "pkceCodeVerifier", provider, verifier, crossSite));
  }

  const state = oauth.generateRandomState();
  url.searchParams.set("state", state);
  cookies.push(await sealCheck(ctx, "state", provider, state, crossSite));

  if (provider.checks.nonce) {
    const nonce = oauth.generateRandomNonce();
    url.searchParams.set("nonce", nonce);
    cookies.push(await sealCheck(ctx, "nonce", provider, nonce, crossSite));
  }
  return { url: url.href, cookies, crossSite };
}
