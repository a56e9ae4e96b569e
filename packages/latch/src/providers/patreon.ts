import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** Patreon API v2 `GET /identity`, a JSON:API document. */
export interface PatreonProfile {
  data: {
    /** The Patreon user id (numeric, as a string). */
    id: string;
    type: "user";
    attributes: { full_name?: string; email?: string; is_email_verified?: boolean; image_url?: string; [key: string]: unknown };
  };
  [key: string]: unknown;
}

// JSON:API sparse fieldsets: without `fields[user]` Patreon returns no attributes at all.
const IDENTITY_URL = "https://www.patreon.com/api/oauth2/v2/identity?fields%5Buser%5D=full_name,email,is_email_verified,image_url";

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<PatreonProfile> {
  const identity = await requestJson(provider.fetch, IDENTITY_URL, { service: "Patreon", accessToken: accessTokenOf(tokens, "Patreon") });
  if (!isRecord(identity.data) || typeof identity.data.id !== "string" || !isRecord(identity.data.attributes)) throw new Error("Patreon's /identity answer has no data.id");
  return identity as PatreonProfile;
}

/**
 * Sign in with Patreon. Env: `AUTH_PATREON_ID`, `AUTH_PATREON_SECRET`. Scopes
 * `identity identity[email]`; the account id is the Patreon user id. The profile is a JSON:API
 * document whose attributes must be asked for by name (`fields[user]=…`); the client secret goes
 * in the body (`client_secret_post`); an unverified address is not taken.
 *
 * @example
 * ```ts
 * import Patreon from "latch/providers/patreon";
 * Patreon({ authorization: { params: { scope: "identity identity[email] identity.memberships" } } });
 * ```
 */
export default function Patreon<const Id extends string = "patreon">(options?: OAuthUserConfig<PatreonProfile, Id>): OAuthConfig<PatreonProfile, NoInfer<Id>>;
export default function Patreon(options?: undefined): OAuthConfig<PatreonProfile, "patreon">;
export default function Patreon(options: OAuthUserConfig<PatreonProfile> = {}): OAuthConfig<PatreonProfile> {
  return mergeProvider<PatreonProfile>(
    {
      id: "patreon",
      name: "Patreon",
      type: "oauth",
      authorization: { url: "https://www.patreon.com/oauth2/authorize", params: { scope: "identity identity[email]" } },
      token: "https://www.patreon.com/api/oauth2/token",
      userinfo: { url: "https://www.patreon.com/api/oauth2/v2/identity", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: ({ data }) => ({
        id: data.id,
        name: data.attributes.full_name ?? null,
        email: verifiedEmail(data.attributes.email, data.attributes.is_email_verified),
        image: data.attributes.image_url ?? null,
      }),
      emailVerified: ({ data }) => (data.attributes.is_email_verified === true ? (data.attributes.email ?? false) : false),
      style: { bg: "#FF424D", text: "#fff" },
    },
    options,
  );
}
