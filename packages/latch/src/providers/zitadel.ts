import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a ZITADEL ID token. */
export interface ZitadelProfile {
  iss: string;
  aud: string | string[];
  /** The ZITADEL user id (numeric, as a string). */
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with ZITADEL (OpenID Connect). Env: `AUTH_ZITADEL_ID`, `AUTH_ZITADEL_SECRET`,
 * `AUTH_ZITADEL_ISSUER`. The issuer is your instance, `https://<instance>.zitadel.cloud` or
 * your own domain. The account id is `sub`. To restrict sign-in to an organization, add
 * ZITADEL's reserved scope `urn:zitadel:iam:org:id:<id>`.
 *
 * @example
 * ```ts
 * import Zitadel from "latch/providers/zitadel";
 * Zitadel({ issuer: "https://example-abc123.zitadel.cloud" });
 * ```
 */
export default function Zitadel<const Id extends string = "zitadel">(options?: OAuthUserConfig<ZitadelProfile, Id>): OAuthConfig<ZitadelProfile, NoInfer<Id>>;
export default function Zitadel(options?: undefined): OAuthConfig<ZitadelProfile, "zitadel">;
export default function Zitadel(options: OAuthUserConfig<ZitadelProfile> = {}): OAuthConfig<ZitadelProfile> {
  return mergeProvider<ZitadelProfile>(
    {
      id: "zitadel",
      name: "ZITADEL",
      type: "oidc",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#000", text: "#fff" },
    },
    options,
  );
}
