import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of an Okta ID token. */
export interface OktaProfile {
  iss: string;
  aud: string;
  /** The Okta user id, e.g. `00u1a2b3c4D5e6F7g8h9`. */
  sub: string;
  name?: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Okta (OpenID Connect). Env: `AUTH_OKTA_ID`, `AUTH_OKTA_SECRET`,
 * `AUTH_OKTA_ISSUER`. The issuer is your authorization server, `https://<org>.okta.com/oauth2/default`
 * (a custom one) or `https://<org>.okta.com` (the org server), written exactly as Okta's
 * discovery document spells it: without a trailing slash. The account id is `sub`.
 *
 * @example
 * ```ts
 * import Okta from "latch/providers/okta";
 * Okta({ issuer: "https://example.okta.com/oauth2/default" });
 * ```
 */
export default function Okta<const Id extends string = "okta">(options?: OAuthUserConfig<OktaProfile, Id>): OAuthConfig<OktaProfile, NoInfer<Id>>;
export default function Okta(options?: undefined): OAuthConfig<OktaProfile, "okta">;
export default function Okta(options: OAuthUserConfig<OktaProfile> = {}): OAuthConfig<OktaProfile> {
  return mergeProvider<OktaProfile>(
    {
      id: "okta",
      name: "Okta",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#000", text: "#fff" },
    },
    options,
  );
}
