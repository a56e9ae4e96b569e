import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Atlassian's `GET https://api.atlassian.com/me`. */
export interface AtlassianProfile {
  /** The Atlassian account id, shared by Jira, Confluence and Bitbucket. */
  account_id: string;
  account_status?: string;
  name: string;
  nickname?: string;
  email?: string;
  picture?: string;
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<AtlassianProfile> {
  const me = await requestJson(provider.fetch, "https://api.atlassian.com/me", { service: "Atlassian", accessToken: accessTokenOf(tokens, "Atlassian") });
  if (typeof me.account_id !== "string") throw new Error("Atlassian's /me answer has no account_id");
  return me as AtlassianProfile;
}

/**
 * Sign in with Atlassian (OAuth 2.0 "3LO"). Env: `AUTH_ATLASSIAN_ID`, `AUTH_ATLASSIAN_SECRET`.
 * Scope `read:me`; the account id is the Atlassian `account_id`. Atlassian requires
 * `audience=api.atlassian.com` and `prompt=consent` on the authorization request, and the
 * client secret in the token request body (`client_secret_post`); add `offline_access` to the
 * scope for a refresh token.
 *
 * @example
 * ```ts
 * import Atlassian from "latch/providers/atlassian";
 * Atlassian({ authorization: { params: { scope: "read:me read:jira-work offline_access" } } });
 * ```
 */
export default function Atlassian<const Id extends string = "atlassian">(options?: OAuthUserConfig<AtlassianProfile, Id>): OAuthConfig<AtlassianProfile, NoInfer<Id>>;
export default function Atlassian(options?: undefined): OAuthConfig<AtlassianProfile, "atlassian">;
export default function Atlassian(options: OAuthUserConfig<AtlassianProfile> = {}): OAuthConfig<AtlassianProfile> {
  return mergeProvider<AtlassianProfile>(
    {
      id: "atlassian",
      name: "Atlassian",
      type: "oauth",
      authorization: { url: "https://auth.atlassian.com/authorize", params: { audience: "api.atlassian.com", prompt: "consent", scope: "read:me" } },
      token: "https://auth.atlassian.com/oauth/token",
      userinfo: { url: "https://api.atlassian.com/me", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: profile.account_id, name: profile.name ?? profile.nickname ?? null, email: profile.email ?? null, image: profile.picture ?? null }),
      style: { bg: "#0052cc", text: "#fff" },
    },
    options,
  );
}
