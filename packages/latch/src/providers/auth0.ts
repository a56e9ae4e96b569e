import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of an Auth0 ID token. */
export interface Auth0Profile {
  iss: string;
  aud: string;
  /** `<connection>|<id>`, e.g. `auth0|64f1…` or `google-oauth2|1057…`. */
  sub: string;
  name?: string;
  nickname?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Auth0 (OpenID Connect). Env: `AUTH_AUTH0_ID`, `AUTH_AUTH0_SECRET`,
 * `AUTH_AUTH0_ISSUER`. The issuer is your tenant's domain (or custom domain),
 * `https://<tenant>.<region>.auth0.com/`: Auth0's issuer ends with a slash, and latch accepts
 * it with or without. The account id is `sub`, which names the connection the user came from;
 * an address Auth0 marks unverified (`email_verified: false`, common right after a database
 * sign-up) is not taken.
 *
 * @example
 * ```ts
 * import Auth0 from "latch/providers/auth0";
 * Auth0({ issuer: "https://example.eu.auth0.com/", authorization: { params: { audience: "https://api.example.com" } } });
 * ```
 */
export default function Auth0<const Id extends string = "auth0">(options?: OAuthUserConfig<Auth0Profile, Id>): OAuthConfig<Auth0Profile, NoInfer<Id>>;
export default function Auth0(options?: undefined): OAuthConfig<Auth0Profile, "auth0">;
export default function Auth0(options: OAuthUserConfig<Auth0Profile> = {}): OAuthConfig<Auth0Profile> {
  return mergeProvider<Auth0Profile>(
    {
      id: "auth0",
      name: "Auth0",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.nickname ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#EB5424", text: "#fff" },
    },
    options,
  );
}
