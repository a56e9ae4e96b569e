import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** The Graph API's `GET /me?fields=id,name,email,picture`. */
export interface FacebookProfile {
  /** The app-scoped user id: different for the same person in another app. */
  id: string;
  name?: string;
  /** Absent when the account has no address (phone sign-up) or the user declined `email`. */
  email?: string;
  picture?: { data: { url: string; width?: number; height?: number; is_silhouette?: boolean } };
  [key: string]: unknown;
}

const GRAPH_VERSION = "v23.0";
const FIELDS = "id,name,email,picture";

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<FacebookProfile> {
  const url = `https://graph.facebook.com/${GRAPH_VERSION}/me?fields=${FIELDS}`;
  const me = await requestJson(provider.fetch, url, { service: "Facebook", accessToken: accessTokenOf(tokens, "Facebook") });
  if (typeof me.id !== "string") throw new Error("Facebook's /me answer has no id");
  return me as FacebookProfile;
}

/**
 * Sign in with Facebook. Env: `AUTH_FACEBOOK_ID`, `AUTH_FACEBOOK_SECRET`. Scopes
 * `email public_profile`; the account id is the app-scoped user id.
 *
 * Facebook's quirks: the Graph API returns only the fields asked for (`fields=…`), the picture
 * is nested (`picture.data.url`), `email` may be missing, the client authenticates with
 * `client_secret_post`, and the API is versioned (this provider pins Graph API v23.0). With
 * "Require App Secret" turned on, Graph calls also need `appsecret_proof`, which a provider
 * cannot compute without the secret: pass your own `userinfo.request` then.
 *
 * @example
 * ```ts
 * import Facebook from "latch/providers/facebook";
 * Facebook({ clientId: process.env.FB_APP_ID, clientSecret: process.env.FB_APP_SECRET });
 * ```
 */
export default function Facebook<const Id extends string = "facebook">(options?: OAuthUserConfig<FacebookProfile, Id>): OAuthConfig<FacebookProfile, NoInfer<Id>>;
export default function Facebook(options?: undefined): OAuthConfig<FacebookProfile, "facebook">;
export default function Facebook(options: OAuthUserConfig<FacebookProfile> = {}): OAuthConfig<FacebookProfile> {
  return mergeProvider<FacebookProfile>(
    {
      id: "facebook",
      name: "Facebook",
      type: "oauth",
      authorization: { url: `https://www.facebook.com/${GRAPH_VERSION}/dialog/oauth`, params: { scope: "email public_profile" } },
      token: `https://graph.facebook.com/${GRAPH_VERSION}/oauth/access_token`,
      userinfo: { url: `https://graph.facebook.com/${GRAPH_VERSION}/me`, request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: profile.id, name: profile.name ?? null, email: profile.email ?? null, image: profile.picture?.data.url ?? null }),
      style: { bg: "#006aff", text: "#fff" },
    },
    options,
  );
}
