import { decodeProtectedHeader } from "jose";
import * as oauth from "oauth4webapi";
import type { InternalOAuthProvider } from "../providers.js";
import { httpOptions } from "./server.js";

/** How far `iat` may lie ahead of this server's clock: drift between provider and app, no more. */
const MAX_IAT_AHEAD_SECONDS = 5 * 60;

const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/**
 * The ID-token checks that oauth4webapi leaves to its caller. It has already checked `alg`
 * against the allowlist, `iss`, `aud`, `azp`, `exp` and `nonce`; this adds the signature (only
 * with keys from the issuer's `jwks_uri`, never ones the token names: RFC 8725 §3.10), the
 * token's type (RFC 8725 §3.11–3.12) and `iat` (OIDC Core §3.1.3.7 item 10).
 *
 * The JWKS download, when the keys are not cached yet, waits at most `timeout` ms.
 *
 * Returns whether the ID token was verified. An OIDC provider's ID token must be, or the
 * sign-in fails; a plain OAuth 2 provider's unverifiable ID token is merely not used.
 *
 * @example
 * ```ts
 * const verified = await verifyIdToken(as, provider, tokenResponse, result, 3500);
 * const claims = verified ? oauth.getValidatedIdTokenClaims(result) : undefined;
 * ```
 */
export async function verifyIdToken(
  as: oauth.AuthorizationServer,
  provider: InternalOAuthProvider,
  tokenResponse: Response,
  result: oauth.TokenEndpointResponse,
  timeout: number | false,
): Promise<boolean> {
  const claims = oauth.getValidatedIdTokenClaims(result);
  if (!result.id_token || !claims) return false;
  if (!as.jwks_uri) {
    // Without the issuer's keys anyone could have written this token.
    if (provider.type === "oidc") throw new Error(`The issuer's metadata has no jwks_uri to verify the ID token's signature with (provider "${provider.id}").`);
    return false;
  }
  await oauth.validateApplicationLevelSignature(as, tokenResponse, httpOptions(provider, as.jwks_uri, timeout));
  // ID tokens predate explicit typing: providers send `typ: "JWT"` or none. A type with the
  // `+jwt` suffix names another kind of token (at+jwt, logout+jwt, …) that must never pass as one.
  const { typ } = decodeProtectedHeader(result.id_token);
  if (typeof typ === "string" && /\+jwt$/i.test(typ)) throw new Error(`The ID token is typed "${typ.slice(0, 40)}", which is not an ID token.`);
  const events = claims.events;
  if (typeof events === "object" && events !== null && BACKCHANNEL_LOGOUT_EVENT in events) throw new Error("The ID token is a back-channel logout token.");
  if (claims.iat > Math.floor(Date.now() / 1000) + MAX_IAT_AHEAD_SECONDS) throw new Error('The ID token\'s "iat" (issued at) lies in the future.');
  return true;
}
