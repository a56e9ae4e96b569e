import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { conformJson } from "./internal/wrap-fetch.js";
import { mergeProvider } from "./merge.js";

/** The claims of a Twitch ID token (those asked for with the `claims` parameter). */
export interface TwitchProfile {
  iss: "https://id.twitch.tv/oauth2";
  aud: string;
  /** The Twitch user id. */
  sub: string;
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  picture?: string;
  [claim: string]: unknown;
}

const TOKEN_URL = "https://id.twitch.tv/oauth2/token";

/** Twitch answers `scope` as a JSON array; OAuth 2.0 (and oauth4webapi) want a string. */
function joinScope(body: Record<string, unknown>): Record<string, unknown> {
  return Array.isArray(body.scope) ? { ...body, scope: body.scope.join(" ") } : body;
}

/**
 * Sign in with Twitch (OpenID Connect, `https://id.twitch.tv/oauth2`). Env: `AUTH_TWITCH_ID`,
 * `AUTH_TWITCH_SECRET`. The account id is the Twitch user id (`sub`).
 *
 * Twitch's quirks: the ID token carries `email`, `picture` and `preferred_username` only when
 * the `claims` parameter asks for them; the client authenticates with `client_secret_post`;
 * and the token response's `scope` is an array, which this provider's `fetch` joins into a
 * string before latch reads it.
 *
 * @example
 * ```ts
 * import Twitch from "latch/providers/twitch";
 * Twitch({ authorization: { params: { scope: "openid user:read:email user:read:follows" } } });
 * ```
 */
export default function Twitch<const Id extends string = "twitch">(options?: OAuthUserConfig<TwitchProfile, Id>): OAuthConfig<TwitchProfile, NoInfer<Id>>;
export default function Twitch(options?: undefined): OAuthConfig<TwitchProfile, "twitch">;
export default function Twitch(options: OAuthUserConfig<TwitchProfile> = {}): OAuthConfig<TwitchProfile> {
  const { fetch: appFetch, ...rest } = options;
  return mergeProvider<TwitchProfile>(
    {
      id: "twitch",
      name: "Twitch",
      type: "oidc",
      issuer: "https://id.twitch.tv/oauth2",
      authorization: {
        params: {
          scope: "openid user:read:email",
          claims: { id_token: { email: null, email_verified: null, picture: null, preferred_username: null } },
        },
      },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: profile.sub, name: profile.preferred_username ?? null, email: verifiedEmail(profile.email, profile.email_verified), image: profile.picture ?? null }),
      style: { bg: "#65459B", text: "#fff" },
      fetch: conformJson(appFetch, (url) => url.href.split("?")[0] === TOKEN_URL, joinScope),
    },
    rest,
  );
}
