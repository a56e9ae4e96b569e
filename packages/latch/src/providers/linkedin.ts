import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a "Sign In with LinkedIn using OpenID Connect" ID token. */
export interface LinkedInProfile {
  iss: "https://www.linkedin.com/oauth";
  aud: string;
  /** The member's id for your app. */
  sub: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
  locale?: string | { country: string; language: string };
  [claim: string]: unknown;
}

/**
 * Sign in with LinkedIn (OpenID Connect, issuer `https://www.linkedin.com/oauth`, whose
 * discovery document is under that path). Env: `AUTH_LINKEDIN_ID`, `AUTH_LINKEDIN_SECRET`. The
 * account id is `sub`. LinkedIn wants the client secret in the body (`client_secret_post`).
 *
 * The flow is protected by `state` only (`checks: ["state"]`, as in Auth.js): LinkedIn refuses
 * a web app's token request that carries a PKCE `code_verifier` (401 `invalid_client`), and its
 * ID tokens carry no `nonce`. The client secret still authenticates the code exchange.
 *
 * @example
 * ```ts
 * import LinkedIn from "latch/providers/linkedin";
 * LinkedIn({ clientId: process.env.LINKEDIN_CLIENT_ID, clientSecret: process.env.LINKEDIN_CLIENT_SECRET });
 * ```
 */
export default function LinkedIn<const Id extends string = "linkedin">(options?: OAuthUserConfig<LinkedInProfile, Id>): OAuthConfig<LinkedInProfile, NoInfer<Id>>;
export default function LinkedIn(options?: undefined): OAuthConfig<LinkedInProfile, "linkedin">;
export default function LinkedIn(options: OAuthUserConfig<LinkedInProfile> = {}): OAuthConfig<LinkedInProfile> {
  return mergeProvider<LinkedInProfile>(
    {
      id: "linkedin",
      name: "LinkedIn",
      type: "oidc",
      issuer: "https://www.linkedin.com/oauth",
      authorization: { params: { scope: "openid profile email" } },
      client: { token_endpoint_auth_method: "client_secret_post" },
      checks: ["state"],
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#0a66c2", text: "#fff" },
    },
    options,
  );
}
