import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** HubSpot's access-token metadata, `GET /oauth/v1/access-tokens/<token>`. */
export interface HubSpotProfile {
  /** The HubSpot user id. */
  user_id: number;
  /** The user's email address. */
  user: string;
  hub_id: number;
  hub_domain: string;
  scopes: string[];
  [key: string]: unknown;
}

/** HubSpot identifies the user through the token's metadata, the token in the URL path. */
async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<HubSpotProfile> {
  const accessToken = accessTokenOf(tokens, "HubSpot");
  const response = await provider.fetch(`https://api.hubapi.com/oauth/v1/access-tokens/${encodeURIComponent(accessToken)}`, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`HubSpot answered ${response.status} to GET /oauth/v1/access-tokens/…`);
  const body: unknown = await response.json();
  if (!isRecord(body) || typeof body.user_id !== "number") throw new Error("HubSpot's access-token metadata has no user_id");
  return body as HubSpotProfile;
}

/**
 * Sign in with HubSpot. Env: `AUTH_HUBSPOT_ID`, `AUTH_HUBSPOT_SECRET`. Scope `oauth`; the
 * account id is the HubSpot user id. HubSpot has no profile endpoint: the user's id and address
 * come from the access token's metadata, which gives no display name, so `name` is the address
 * (as in Auth.js). The client secret goes in the body (`client_secret_post`).
 *
 * @example
 * ```ts
 * import HubSpot from "latch/providers/hubspot";
 * HubSpot({ authorization: { params: { scope: "oauth crm.objects.contacts.read" } } });
 * ```
 */
export default function HubSpot<const Id extends string = "hubspot">(options?: OAuthUserConfig<HubSpotProfile, Id>): OAuthConfig<HubSpotProfile, NoInfer<Id>>;
export default function HubSpot(options?: undefined): OAuthConfig<HubSpotProfile, "hubspot">;
export default function HubSpot(options: OAuthUserConfig<HubSpotProfile> = {}): OAuthConfig<HubSpotProfile> {
  return mergeProvider<HubSpotProfile>(
    {
      id: "hubspot",
      name: "HubSpot",
      type: "oauth",
      authorization: { url: "https://app.hubspot.com/oauth/authorize", params: { scope: "oauth" } },
      token: "https://api.hubapi.com/oauth/v1/token",
      userinfo: { url: "https://api.hubapi.com/oauth/v1/access-tokens", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: String(profile.user_id), name: profile.user, email: profile.user, image: null }),
      style: { bg: "#ff7a59", text: "#fff" },
    },
    options,
  );
}
