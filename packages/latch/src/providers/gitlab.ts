import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** The user object of GitLab's `GET /api/v4/user` (the fields latch reads, plus the rest). */
export interface GitLabProfile {
  id: number;
  username: string;
  name: string | null;
  /** The primary address; `null` here when the instance withholds it. */
  email: string | null;
  avatar_url: string | null;
  [key: string]: unknown;
}

/** One entry of GitLab's `GET /api/v4/user/emails`. */
export interface GitLabEmail {
  id: number;
  email: string;
  /** `null` until the address is confirmed. */
  confirmed_at: string | null;
}

/** Options of the GitLab provider: the usual provider options, plus a self-managed instance. */
export interface GitLabOptions<Id extends string = string> extends OAuthUserConfig<GitLabProfile, Id> {
  /** A self-managed instance's root, e.g. `https://gitlab.example.com`. Default `https://gitlab.com`. */
  baseUrl?: string | undefined;
}

function isConfirmed(value: unknown): value is GitLabEmail {
  return isRecord(value) && typeof value.email === "string" && typeof value.confirmed_at === "string";
}

/**
 * Reads `/user`; when it carries no address, takes the first confirmed one of `/user/emails`.
 */
function userinfoRequest(apiUrl: string) {
  return async ({ tokens, provider }: UserinfoContext): Promise<GitLabProfile> => {
    const accessToken = accessTokenOf(tokens, "GitLab");
    const user = await requestJson(provider.fetch, `${apiUrl}/user`, { service: "GitLab", accessToken });
    if (typeof user.id !== "number") throw new Error("GitLab's /user answer has no numeric id");
    const profile = user as GitLabProfile;
    if (!profile.email) {
      const response = await provider.fetch(`${apiUrl}/user/emails`, { headers: { authorization: `Bearer ${accessToken}` } });
      const emails: unknown = response.ok ? await response.json() : [];
      profile.email = (Array.isArray(emails) ? emails.find(isConfirmed) : undefined)?.email ?? null;
    }
    return profile;
  };
}

/**
 * Sign in with GitLab (gitlab.com or a self-managed instance). Env: `AUTH_GITLAB_ID`,
 * `AUTH_GITLAB_SECRET`. Scope `read_user`; the account id is GitLab's numeric user id.
 *
 * GitLab puts the primary address in `/user`'s `email` for a `read_user` token; when an
 * instance withholds it, latch falls back to the first confirmed address of `/user/emails`.
 *
 * @example
 * ```ts
 * import GitLab from "latch/providers/gitlab";
 * GitLab({ baseUrl: "https://gitlab.example.com" });
 * ```
 */
export default function GitLab<const Id extends string = "gitlab">(options?: GitLabOptions<Id>): OAuthConfig<GitLabProfile, NoInfer<Id>>;
export default function GitLab(options?: undefined): OAuthConfig<GitLabProfile, "gitlab">;
export default function GitLab(options: GitLabOptions = {}): OAuthConfig<GitLabProfile> {
  const { baseUrl = "https://gitlab.com", ...rest } = options;
  const root = baseUrl.replace(/\/+$/, "");
  const apiUrl = `${root}/api/v4`;
  return mergeProvider<GitLabProfile>(
    {
      id: "gitlab",
      name: "GitLab",
      type: "oauth",
      authorization: { url: `${root}/oauth/authorize`, params: { scope: "read_user" } },
      token: `${root}/oauth/token`,
      userinfo: { url: `${apiUrl}/user`, request: userinfoRequest(apiUrl) },
      profile: (profile) => ({ id: String(profile.id), name: profile.name ?? profile.username, email: profile.email, image: profile.avatar_url }),
      style: { bg: "#FC6D26", text: "#fff" },
    },
    rest,
  );
}
