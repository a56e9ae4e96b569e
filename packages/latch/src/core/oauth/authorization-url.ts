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

/**
 * Builds the authorization request: PKCE S256 and state always, nonce for OIDC, each sealed in
 * its own provider-bound cookie.
 */
export async function authorizationUrl(
  ctx: RequestContext,
  provider: InternalOAuthProvider,
  extraParams: Record<string, string>,
): Promise<{ url: string; cookies: OutgoingCookie[] }> {
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

  const verifier = oauth.generateRandomCodeVerifier();
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
  url.searchParams.set("code_challenge_method", "S256");
  cookies.push(await sealCheck(ctx, "pkceCodeVerifier", provider, verifier));

  const state = oauth.generateRandomState();
  url.searchParams.set("state", state);
  cookies.push(await sealCheck(ctx, "state", provider, state));

  if (provider.checks.nonce) {
    const nonce = oauth.generateRandomNonce();
    url.searchParams.set("nonce", nonce);
    cookies.push(await sealCheck(ctx, "nonce", provider, nonce));
  }
  return { url: url.href, cookies };
}
