import * as oauth from "oauth4webapi";
import { quotedErrorCode } from "./error-code.js";
import { InvalidCheck, InvalidEndpoints, OAuthCallbackError, OAuthProfileParseError } from "../../errors.js";
import type { Account, Profile, TokenSet, User } from "../../types.js";
import type { RequestContext } from "../config.js";
import type { OutgoingCookie } from "../cookies.js";
import type { InternalOAuthProvider } from "../providers.js";
import { redirectUriOf } from "./authorization-url.js";
import { useCheck } from "./checks.js";
import { verifyIdToken } from "./id-token.js";
import { providerFetch, ProviderUnreachable } from "./provider-fetch.js";
import { clientAuthOf, clientOf, getAuthorizationServer, httpOptions, NO_ISSUER } from "./server.js";

/** What a completed authorization-code flow yields. */
export interface OAuthResult {
  user: User;
  account: Account;
  profile: Profile;
}

function toProfile(value: unknown): Profile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new OAuthProfileParseError("The provider's profile is not a JSON object.");
  return value as Profile;
}

/** A profile endpoint's JSON body; any status but 200 is refused. */
async function plainJson(response: Response): Promise<unknown> {
  if (response.status !== 200) throw new Error(`The profile endpoint answered HTTP ${response.status}.`);
  return response.json();
}

/**
 * Some providers (GitHub among them) report token errors with HTTP 200 and an `error` field;
 * name the provider's error code instead of a missing `access_token`. The body is already in
 * memory and at most 1 MiB (providerFetch), so reading a clone costs no network wait.
 */
async function refuseErrorBody(response: Response): Promise<void> {
  if (response.status !== 200) return;
  let body: unknown;
  try {
    body = await response.clone().json();
  } catch {
    return;
  }
  if (typeof body === "object" && body !== null && "error" in body && typeof body.error === "string") {
    throw new OAuthCallbackError(`The token endpoint answered with error ${quotedErrorCode(body.error)}.`);
  }
}

/**
 * A failed exchange with the provider as the callback reports it. A provider that did not answer
 * (down, unreachable, past the deadline) stays `ProviderUnreachable`, reported like a wrong
 * endpoint URL; every answer latch refuses (HTML, an error status, garbage, too large, a bad ID
 * token) becomes an `OAuthCallbackError` the user may retry from the sign-in page.
 */
function refusal(message: string, error: unknown): Error {
  if (error instanceof ProviderUnreachable || error instanceof OAuthCallbackError) return error;
  return new OAuthCallbackError(message, { cause: error });
}

/**
 * Completes the authorization-code flow: checks state (and `iss`, RFC 9207), exchanges the code
 * with the PKCE verifier (unless the provider's `checks` leave PKCE out), validates the ID token
 * (claims, nonce, signature) and reads the profile. Every check cookie is consumed, whatever the
 * outcome. Each request to the provider waits at most `providerTimeout` ms.
 *
 * @example
 * ```ts
 * const { user, account, profile } = await handleOAuthCallback(ctx, provider, action.query, action.cookies, out);
 * ```
 */
export async function handleOAuthCallback(
  ctx: RequestContext,
  provider: InternalOAuthProvider,
  params: URLSearchParams,
  cookies: Map<string, string>,
  out: OutgoingCookie[],
): Promise<OAuthResult> {
  const timeout = ctx.resolved.providerTimeout;
  const as = await getAuthorizationServer(provider, timeout);
  const client = clientOf(provider);
  // Read all of them first so that every one is cleared even when an earlier one fails. PKCE and
  // nonce only when the provider uses them (`checks`); state always.
  const checks = await Promise.allSettled([
    useCheck(ctx, "state", provider, cookies, out),
    provider.checks.pkce ? useCheck(ctx, "pkceCodeVerifier", provider, cookies, out) : Promise.resolve(undefined),
    provider.checks.nonce ? useCheck(ctx, "nonce", provider, cookies, out) : Promise.resolve(undefined),
  ]);
  const [stateCheck, pkceCheck, nonceCheck] = checks;
  if (stateCheck.status === "rejected") throw stateCheck.reason;

  const responseParams = new URLSearchParams(params);
  if (as.issuer === NO_ISSUER) responseParams.delete("iss");
  let validated: URLSearchParams;
  try {
    validated = oauth.validateAuthResponse(as, client, responseParams, stateCheck.value);
  } catch (error) {
    if (error instanceof oauth.AuthorizationResponseError) {
      throw new OAuthCallbackError(`The provider answered with error ${quotedErrorCode(error.error)}.`, { cause: error });
    }
    throw new InvalidCheck("The authorization response failed validation (state or issuer).", { cause: error });
  }
  if (pkceCheck.status === "rejected") throw pkceCheck.reason;
  if (nonceCheck.status === "rejected") throw nonceCheck.reason;

  let result: oauth.TokenEndpointResponse;
  let idTokenVerified: boolean;
  try {
    const options = httpOptions(provider, as.token_endpoint, timeout);
    // Without PKCE no `code_verifier` is sent: LinkedIn refuses a web app's token request with one.
    const verifier = pkceCheck.value ?? oauth.nopkce;
    const tokenResponse = await oauth.authorizationCodeGrantRequest(as, client, clientAuthOf(provider), validated, redirectUriOf(ctx, provider), verifier, options);
    await refuseErrorBody(tokenResponse);
    result = await oauth.processAuthorizationCodeResponse(as, client, tokenResponse, {
      expectedNonce: nonceCheck.value ?? oauth.expectNoNonce,
      requireIdToken: provider.type === "oidc",
    });
    // oauth4webapi checks the ID token's claims; latch also checks its signature against the
    // issuer's JWKS, which Auth.js skips, and its type and `iat`.
    idTokenVerified = await verifyIdToken(as, provider, tokenResponse, result, timeout);
  } catch (error) {
    throw refusal("The token response was refused.", error);
  }

  const tokens: TokenSet = { ...result };
  if (typeof result.expires_in === "number") {
    // Whole seconds, as every store keeps them: a provider may answer `expires_in: 3599.5`.
    const expiresAt = Math.floor(Date.now() / 1000 + result.expires_in);
    if (Number.isSafeInteger(expiresAt)) tokens.expires_at = expiresAt;
  }
  const idClaims = idTokenVerified ? oauth.getValidatedIdTokenClaims(result) : undefined;

  let profile: Profile;
  if (provider.userinfo.request) {
    profile = toProfile(
      await provider.userinfo.request({
        tokens,
        provider: { id: provider.id, clientId: provider.clientId, fetch: providerFetch(provider, timeout) },
        claims: idClaims ? { ...idClaims } : undefined,
        params: Object.fromEntries(params),
      }),
    );
  } else if (provider.idToken && idClaims) {
    profile = toProfile(idClaims);
  } else if (as.userinfo_endpoint) {
    if (!result.access_token) throw new OAuthCallbackError("The token response has no access token to read the profile with.");
    try {
      const response = await oauth.userInfoRequest(as, client, result.access_token, httpOptions(provider, as.userinfo_endpoint, timeout));
      // OpenID Connect userinfo must carry `sub` (checked against the ID token's); a plain OAuth 2
      // profile endpoint answers whatever JSON the service defines (`{ "id": … }`).
      profile =
        provider.type === "oidc"
          ? toProfile(await oauth.processUserInfoResponse(as, client, idClaims?.sub ?? oauth.skipSubjectCheck, response))
          : toProfile(await plainJson(response));
    } catch (error) {
      throw refusal("The userinfo response was refused.", error);
    }
  } else {
    throw new InvalidEndpoints(`Provider "${provider.id}" has no userinfo endpoint and no userinfo.request function.`);
  }

  let user: User;
  try {
    user = await provider.profile(profile, tokens);
  } catch (error) {
    throw new OAuthProfileParseError(`The profile callback of provider "${provider.id}" threw.`, { cause: error });
  }
  if (user.id === undefined || user.id === null || String(user.id) === "") {
    throw new OAuthProfileParseError(`The profile of provider "${provider.id}" has no id: its profile() must return one.`);
  }
  const providerAccountId = String(user.id);
  const account: Account = {
    ...provider.account(tokens),
    provider: provider.id,
    type: provider.type,
    providerAccountId,
  };
  return { user: { ...user, email: typeof user.email === "string" ? user.email.toLowerCase() : user.email }, account, profile };
}
