import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail, vouches } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of an Amazon Cognito ID token. */
export interface CognitoProfile {
  iss: string;
  aud: string;
  /** The user's id in the pool (a UUID), stable across username changes. */
  sub: string;
  "cognito:username": string;
  "cognito:groups"?: string[];
  name?: string;
  email?: string;
  email_verified?: boolean | "true" | "false";
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Amazon Cognito user pools (OpenID Connect). Env: `AUTH_COGNITO_ID`,
 * `AUTH_COGNITO_SECRET`, `AUTH_COGNITO_ISSUER`. The issuer is the user pool,
 * `https://cognito-idp.<region>.amazonaws.com/<pool id>`; its discovery document points the
 * authorization, token and userinfo endpoints at the pool's hosted-UI domain. The account id is
 * `sub`; the name falls back to `cognito:username` when the pool has no `name` attribute.
 *
 * @example
 * ```ts
 * import Cognito from "latch/providers/cognito";
 * Cognito({ issuer: "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123" });
 * ```
 */
export default function Cognito<const Id extends string = "cognito">(options?: OAuthUserConfig<CognitoProfile, Id>): OAuthConfig<CognitoProfile, NoInfer<Id>>;
export default function Cognito(options?: undefined): OAuthConfig<CognitoProfile, "cognito">;
export default function Cognito(options: OAuthUserConfig<CognitoProfile> = {}): OAuthConfig<CognitoProfile> {
  return mergeProvider<CognitoProfile>(
    {
      id: "cognito",
      name: "Cognito",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile["cognito:username"] ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      emailVerified: (profile) => vouches(profile.email_verified),
      style: { bg: "#fff", text: "#C17B9E" },
    },
    options,
  );
}
