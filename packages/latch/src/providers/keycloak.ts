import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a Keycloak ID token. */
export interface KeycloakProfile {
  iss: string;
  aud: string | string[];
  /** The Keycloak user id (a UUID). */
  sub: string;
  preferred_username?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Keycloak (OpenID Connect). Env: `AUTH_KEYCLOAK_ID`, `AUTH_KEYCLOAK_SECRET`,
 * `AUTH_KEYCLOAK_ISSUER`. The issuer is the realm, `https://<host>/realms/<realm>` (before
 * Keycloak 17: `https://<host>/auth/realms/<realm>`). The account id is `sub`. Keycloak sends
 * `iss` in authorization responses (RFC 9207), which latch checks. Users whose address is not
 * verified in Keycloak (`email_verified: false`) sign in without an email.
 *
 * @example
 * ```ts
 * import Keycloak from "latch/providers/keycloak";
 * Keycloak({ issuer: "https://sso.example.com/realms/staff" });
 * ```
 */
export default function Keycloak<const Id extends string = "keycloak">(options?: OAuthUserConfig<KeycloakProfile, Id>): OAuthConfig<KeycloakProfile, NoInfer<Id>>;
export default function Keycloak(options?: undefined): OAuthConfig<KeycloakProfile, "keycloak">;
export default function Keycloak(options: OAuthUserConfig<KeycloakProfile> = {}): OAuthConfig<KeycloakProfile> {
  return mergeProvider<KeycloakProfile>(
    {
      id: "keycloak",
      name: "Keycloak",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#fff", text: "#000" },
    },
    options,
  );
}
