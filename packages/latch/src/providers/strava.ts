import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** A Strava athlete (`GET /api/v3/athlete`, or `athlete` in the token response). */
export interface StravaProfile {
  /** The numeric athlete id. */
  id: number;
  username?: string | null;
  firstname: string;
  lastname: string;
  /** A URL, or the relative placeholder `avatar/athlete/large.png` when there is no photo. */
  profile?: string;
  profile_medium?: string;
  [key: string]: unknown;
}

/** The token response of the code grant already carries the athlete; the API is the fallback. */
async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<StravaProfile> {
  if (isRecord(tokens.athlete) && typeof tokens.athlete.id === "number") return tokens.athlete as StravaProfile;
  const athlete = await requestJson(provider.fetch, "https://www.strava.com/api/v3/athlete", { service: "Strava", accessToken: accessTokenOf(tokens, "Strava") });
  if (typeof athlete.id !== "number") throw new Error("Strava's /athlete answer has no numeric id");
  return athlete as StravaProfile;
}

function imageOf(profile: StravaProfile): string | null {
  return profile.profile?.startsWith("https://") ? profile.profile : null;
}

/**
 * Sign in with Strava. Env: `AUTH_STRAVA_ID`, `AUTH_STRAVA_SECRET`. Scope `read`; the account
 * id is the numeric athlete id. Strava shares no address: `email` is `null`.
 *
 * Strava's quirks: scopes are comma-separated (`read,activity:read`); the client secret goes in
 * the body (`client_secret_post`); the token response embeds the athlete, so no profile call is
 * needed; athletes without a photo have the relative placeholder `avatar/athlete/large.png`,
 * which becomes `image: null`.
 *
 * @example
 * ```ts
 * import Strava from "latch/providers/strava";
 * Strava({ authorization: { params: { scope: "read,activity:read" } } });
 * ```
 */
export default function Strava<const Id extends string = "strava">(options?: OAuthUserConfig<StravaProfile, Id>): OAuthConfig<StravaProfile, NoInfer<Id>>;
export default function Strava(options?: undefined): OAuthConfig<StravaProfile, "strava">;
export default function Strava(options: OAuthUserConfig<StravaProfile> = {}): OAuthConfig<StravaProfile> {
  return mergeProvider<StravaProfile>(
    {
      id: "strava",
      name: "Strava",
      type: "oauth",
      authorization: { url: "https://www.strava.com/oauth/authorize", params: { scope: "read", approval_prompt: "auto" } },
      token: "https://www.strava.com/oauth/token",
      userinfo: { url: "https://www.strava.com/api/v3/athlete", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: String(profile.id), name: [profile.firstname, profile.lastname].filter(Boolean).join(" ") || null, email: null, image: imageOf(profile) }),
      style: { bg: "#fc4c02", text: "#fff" },
    },
    options,
  );
}
