import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of an authentik ID token. */
export interface AuthentikProfile {
  iss: string;
  aud: string;
  /** By default a hash of the user id, per the provider's "subject mode". */
  sub: string;
  name?: string;
  given_name?: string;
  preferred_username?: string;
  nickname?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with authentik (OpenID Connect). Env: `AUTH_AUTHENTIK_ID`, `AUTH_AUTHENTIK_SECRET`,
 * `AUTH_AUTHENTIK_ISSUER`. The issuer is the application's, with its trailing slash:
 * `https://<host>/application/o/<application slug>/`; the authorization, token and userinfo
 * endpoints are shared by all applications (`/application/o/authorize/`…) and found by
 * discovery. The account id is `sub`: keep the provider's subject mode unchanged once users
 * have signed in, or their ids change.
 *
 * @example
 * ```ts
 * import Authentik from "latch/providers/authentik";
 * Authentik({ issuer: "https://auth.example.com/application/o/my-app/" });
 * ```
 */
export default function Authentik<const Id extends string = "authentik">(options?: OAuthUserConfig<AuthentikProfile, Id>): OAuthConfig<AuthentikProfile, NoInfer<Id>>;
export default function Authentik(options?: undefined): OAuthConfig<AuthentikProfile, "authentik">;
export default function Authentik(options: OAuthUserConfig<AuthentikProfile> = {}): OAuthConfig<AuthentikProfile> {
  return mergeProvider<AuthentikProfile>(
    {
      id: "authentik",
      name: "Authentik",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#fd4b2d", text: "#fff" },
    },
    options,
  );
}
