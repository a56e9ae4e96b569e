import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a Google ID token. */
export interface GoogleProfile {
  iss: string;
  aud: string;
  azp: string;
  /** Google's stable account id. */
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  locale?: string;
  /** The Google Workspace domain of the account, absent for consumer accounts. */
  hd?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Google (OpenID Connect, endpoints discovered from `https://accounts.google.com`).
 * Env: `AUTH_GOOGLE_ID`, `AUTH_GOOGLE_SECRET`. The account id is the ID token's `sub`.
 *
 * Google returns a refresh token only with `access_type: "offline"` and, after the first
 * consent, `prompt: "consent"`. The `hd` authorization parameter only preselects a Workspace
 * domain: check `profile.hd` in the `signIn` callback to restrict sign-in to it.
 *
 * @example
 * ```ts
 * import Google from "latch/providers/google";
 * Google({ authorization: { params: { access_type: "offline", prompt: "consent" } } });
 * ```
 */
export default function Google<const Id extends string = "google">(options?: OAuthUserConfig<GoogleProfile, Id>): OAuthConfig<GoogleProfile, NoInfer<Id>>;
export default function Google(options?: undefined): OAuthConfig<GoogleProfile, "google">;
export default function Google(options: OAuthUserConfig<GoogleProfile> = {}): OAuthConfig<GoogleProfile> {
  return mergeProvider<GoogleProfile>(
    {
      id: "google",
      name: "Google",
      type: "oidc",
      issuer: "https://accounts.google.com",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#fff", text: "#000" },
    },
    options,
  );
}
