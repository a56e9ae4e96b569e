import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Zoom's `GET /v2/users/me` (the fields latch reads, plus the rest). */
export interface ZoomProfile {
  /** The Zoom user id. */
  id: string;
  first_name: string;
  last_name: string;
  display_name?: string;
  email: string;
  pic_url?: string;
  account_id: string;
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<ZoomProfile> {
  const me = await requestJson(provider.fetch, "https://api.zoom.us/v2/users/me", { service: "Zoom", accessToken: accessTokenOf(tokens, "Zoom") });
  if (typeof me.id !== "string") throw new Error("Zoom's /v2/users/me answer has no id");
  return me as ZoomProfile;
}

function nameOf(profile: ZoomProfile): string | null {
  const name = [profile.first_name, profile.last_name].filter(Boolean).join(" ");
  return name || profile.display_name || null;
}

/**
 * Sign in with Zoom. Env: `AUTH_ZOOM_ID`, `AUTH_ZOOM_SECRET`. The account id is the Zoom user id.
 * Zoom grants the scopes configured on the app in the Marketplace, so the request sends an empty
 * `scope` (as Auth.js does); the app needs `user:read:user` (or the classic `user:read`).
 *
 * @example
 * ```ts
 * import Zoom from "latch/providers/zoom";
 * Zoom({ clientId: process.env.ZOOM_CLIENT_ID, clientSecret: process.env.ZOOM_CLIENT_SECRET });
 * ```
 */
export default function Zoom<const Id extends string = "zoom">(options?: OAuthUserConfig<ZoomProfile, Id>): OAuthConfig<ZoomProfile, NoInfer<Id>>;
export default function Zoom(options?: undefined): OAuthConfig<ZoomProfile, "zoom">;
export default function Zoom(options: OAuthUserConfig<ZoomProfile> = {}): OAuthConfig<ZoomProfile> {
  return mergeProvider<ZoomProfile>(
    {
      id: "zoom",
      name: "Zoom",
      type: "oauth",
      authorization: { url: "https://zoom.us/oauth/authorize", params: { scope: "" } },
      token: "https://zoom.us/oauth/token",
      userinfo: { url: "https://api.zoom.us/v2/users/me", request: userinfoRequest },
      profile: (profile) => ({ id: profile.id, name: nameOf(profile), email: profile.email ?? null, image: profile.pic_url ?? null }),
      style: { bg: "#0b5cff", text: "#fff" },
    },
    options,
  );
}
