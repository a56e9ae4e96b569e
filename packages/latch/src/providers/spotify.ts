import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Spotify's `GET /v1/me`. */
export interface SpotifyProfile {
  /** The Spotify user id (for old accounts, the chosen username). */
  id: string;
  display_name: string | null;
  /** Unverified: Spotify says so itself. */
  email?: string;
  images?: Array<{ url: string; height: number | null; width: number | null }>;
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<SpotifyProfile> {
  const me = await requestJson(provider.fetch, "https://api.spotify.com/v1/me", { service: "Spotify", accessToken: accessTokenOf(tokens, "Spotify") });
  if (typeof me.id !== "string") throw new Error("Spotify's /v1/me answer has no id");
  return me as SpotifyProfile;
}

/**
 * Sign in with Spotify. Env: `AUTH_SPOTIFY_ID`, `AUTH_SPOTIFY_SECRET`. Scope `user-read-email`;
 * the account id is the Spotify user id. Spotify does not verify addresses, so never link
 * accounts by this one (`allowDangerousEmailAccountLinking`).
 *
 * @example
 * ```ts
 * import Spotify from "latch/providers/spotify";
 * Spotify({ authorization: { params: { scope: "user-read-email user-top-read" } } });
 * ```
 */
export default function Spotify<const Id extends string = "spotify">(options?: OAuthUserConfig<SpotifyProfile, Id>): OAuthConfig<SpotifyProfile, NoInfer<Id>>;
export default function Spotify(options?: undefined): OAuthConfig<SpotifyProfile, "spotify">;
export default function Spotify(options: OAuthUserConfig<SpotifyProfile> = {}): OAuthConfig<SpotifyProfile> {
  return mergeProvider<SpotifyProfile>(
    {
      id: "spotify",
      name: "Spotify",
      type: "oauth",
      authorization: { url: "https://accounts.spotify.com/authorize", params: { scope: "user-read-email" } },
      token: "https://accounts.spotify.com/api/token",
      userinfo: { url: "https://api.spotify.com/v1/me", request: userinfoRequest },
      profile: (profile) => ({ id: profile.id, name: profile.display_name ?? profile.id, email: profile.email ?? null, image: profile.images?.[0]?.url ?? null }),
      style: { bg: "#000", text: "#1db954" },
    },
    options,
  );
}
