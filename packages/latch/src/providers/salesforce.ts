import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a Salesforce ID token. */
export interface SalesforceProfile {
  iss: string;
  aud: string;
  /** The identity URL, `https://login.salesforce.com/id/<org id>/<user id>`. */
  sub: string;
  name?: string;
  preferred_username?: string;
  nickname?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Salesforce (OpenID Connect). Env: `AUTH_SALESFORCE_ID`, `AUTH_SALESFORCE_SECRET`
 * (the connected app's consumer key and secret). The issuer defaults to
 * `https://login.salesforce.com`; pass `issuer` for sandboxes (`https://test.salesforce.com`)
 * or an Experience Cloud site. The account id is `sub`, the identity URL naming org and user.
 *
 * @example
 * ```ts
 * import Salesforce from "latch/providers/salesforce";
 * Salesforce({ issuer: "https://test.salesforce.com" });
 * ```
 */
export default function Salesforce<const Id extends string = "salesforce">(options?: OAuthUserConfig<SalesforceProfile, Id>): OAuthConfig<SalesforceProfile, NoInfer<Id>>;
export default function Salesforce(options?: undefined): OAuthConfig<SalesforceProfile, "salesforce">;
export default function Salesforce(options: OAuthUserConfig<SalesforceProfile> = {}): OAuthConfig<SalesforceProfile> {
  return mergeProvider<SalesforceProfile>(
    {
      id: "salesforce",
      name: "Salesforce",
      type: "oidc",
      issuer: "https://login.salesforce.com",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#00a1e0", text: "#fff" },
    },
    options,
  );
}
