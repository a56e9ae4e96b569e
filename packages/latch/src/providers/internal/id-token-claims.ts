import { decodeJwt } from "jose";
import type { Profile, TokenSet } from "../../types.js";

/**
 * The claims of the ID token in a token response, for a `userinfo.request` that adds to them.
 * Only decodes: by the time latch calls `userinfo.request` it has validated the ID token
 * (issuer, audience, expiry, nonce and signature against the issuer's JWKS).
 *
 * @example
 * ```ts
 * userinfo: { request: ({ tokens }) => idTokenClaims(tokens, "Microsoft Entra ID") }
 * ```
 */
export function idTokenClaims(tokens: TokenSet, service: string): Profile {
  if (!tokens.id_token) throw new Error(`${service} returned no ID token`);
  return decodeJwt(tokens.id_token);
}
