import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** The X API v2 `GET /2/users/me` answer: the user is wrapped in `data`. */
export interface TwitterProfile {
  data: {
    /** The numeric user id, as a string. */
    id: string;
    name: string;
    /** The @handle, which the user can change. */
    username: string;
    profile_image_url?: string;
    /** Only with the `users.email` scope and `user.fields=confirmed_email`. */
    confirmed_email?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<TwitterProfile> {
  const me = await requestJson(provider.fetch, "https://api.x.com/2/users/me?user.fields=profile_image_url,confirmed_email", {
    service: "X",
    accessToken: accessTokenOf(tokens, "X"),
  });
  if (!isRecord(me.data) || typeof me.data.id !== "string") throw new Error("X's /2/users/me answer has no data.id");
  return me as TwitterProfile;
}

/**
 * Sign in with X (Twitter), OAuth 2.0 with PKCE. Env: `AUTH_TWITTER_ID`, `AUTH_TWITTER_SECRET`.
 * Scopes `users.read tweet.read offline.access`; the account id is the numeric user id (never
 * the @handle, which can change).
 *
 * X's quirks: PKCE is mandatory (latch always sends S256); a confidential client authenticates
 * with HTTP Basic, a public client with `client: { token_endpoint_auth_method: "none" }`; the
 * user is wrapped in `data`; the address comes only with the `users.email` scope, as
 * `confirmed_email`.
 *
 * @example
 * ```ts
 * import Twitter from "latch/providers/twitter";
 * Twitter({ authorization: { params: { scope: "users.read tweet.read users.email offline.access" } } });
 * ```
 */
export default function Twitter<const Id extends string = "twitter">(options?: OAuthUserConfig<TwitterProfile, Id>): OAuthConfig<TwitterProfile, NoInfer<Id>>;
export default function Twitter(options?: undefined): OAuthConfig<TwitterProfile, "twitter">;
export default function Twitter(options: OAuthUserConfig<TwitterProfile> = {}): OAuthConfig<TwitterProfile> {
  return mergeProvider<TwitterProfile>(
    {
      id: "twitter",
      name: "Twitter",
      type: "oauth",
      authorization: { url: "https://x.com/i/oauth2/authorize", params: { scope: "users.read tweet.read offline.access" } },
      token: "https://api.x.com/2/oauth2/token",
      userinfo: { url: "https://api.x.com/2/users/me", request: userinfoRequest },
      profile: ({ data }) => ({ id: data.id, name: data.name, email: data.confirmed_email ?? null, image: data.profile_image_url ?? null }),
      style: { bg: "#000", text: "#fff" },
    },
    options,
  );
}
