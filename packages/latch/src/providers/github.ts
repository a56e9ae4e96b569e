import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { mergeProvider } from "./merge.js";

/** The user object of GitHub's `GET /user` (the fields latch reads, plus the rest). */
export interface GitHubProfile {
  id: number;
  login: string;
  name: string | null;
  /** The public email; `null` when the user keeps it private (latch then fills in the primary verified one). */
  email: string | null;
  /**
   * Set by latch, not GitHub: `true` when `/user/emails` lists `email` as verified. A public
   * address need not be (an Enterprise Managed User's, say); latch vouches only for verified ones.
   */
  email_verified?: boolean;
  avatar_url: string;
  [key: string]: unknown;
}

/** One entry of GitHub's `GET /user/emails`. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility: "public" | "private" | null;
}

/** Options of the GitHub provider: the usual provider options, plus GitHub Enterprise. */
export interface GitHubOptions<Id extends string = string> extends OAuthUserConfig<GitHubProfile, Id> {
  /** GitHub Enterprise Server: `baseUrl` is the server's root, e.g. `https://github.example.com`. */
  enterprise?: { baseUrl?: string | undefined } | undefined;
}

async function getJson(fetcher: typeof fetch, url: string, accessToken: string): Promise<unknown> {
  const response = await fetcher(url, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "latch" },
  });
  if (!response.ok) throw new Error(`GitHub answered ${response.status} to GET ${new URL(url).pathname}`);
  return response.json();
}

function isGitHubEmail(value: unknown): value is GitHubEmail {
  return typeof value === "object" && value !== null && typeof (value as GitHubEmail).email === "string" && typeof (value as GitHubEmail).verified === "boolean";
}

/**
 * Reads the profile, and when the public email is hidden, the user's primary **verified**
 * address from `/user/emails` (Auth.js takes the primary one even when it is unverified).
 */
function userinfoRequest(apiBaseUrl: string) {
  return async ({ tokens, provider }: UserinfoContext): Promise<GitHubProfile> => {
    const accessToken = tokens.access_token;
    if (!accessToken) throw new Error("GitHub returned no access token");
    const profile = (await getJson(provider.fetch, `${apiBaseUrl}/user`, accessToken)) as GitHubProfile;
    if (typeof profile !== "object" || profile === null || typeof profile.id !== "number") throw new Error("GitHub's /user answer has no numeric id");
    if (!profile.email) {
      const emails = await getJson(provider.fetch, `${apiBaseUrl}/user/emails`, accessToken);
      const verified = Array.isArray(emails) ? emails.filter(isGitHubEmail).filter((e) => e.verified) : [];
      profile.email = (verified.find((e) => e.primary) ?? verified[0])?.email ?? null;
      profile.email_verified = profile.email !== null;
      return profile;
    }
    // A public address: vouched for only when /user/emails says GitHub verified it. Without that
    // list (a token without user:email), the sign-in goes on, unvouched.
    const emails = await getJson(provider.fetch, `${apiBaseUrl}/user/emails`, accessToken).catch(() => undefined);
    const publicEmail = profile.email.toLowerCase();
    profile.email_verified = Array.isArray(emails) && emails.filter(isGitHubEmail).some((e) => e.verified && e.email.toLowerCase() === publicEmail);
    return profile;
  };
}

/**
 * Sign in with GitHub (OAuth App or GitHub App). Env: `AUTH_GITHUB_ID`, `AUTH_GITHUB_SECRET`.
 * The account id is GitHub's numeric user id; scopes `read:user user:email`; PKCE, state and
 * GitHub's RFC 9207 `iss` are checked.
 *
 * @example
 * ```ts
 * import NextAuth from "latch/next";
 * import GitHub from "latch/providers/github";
 * export const { handlers, auth, signIn, signOut } = NextAuth({ providers: [GitHub] });
 * ```
 */
export default function GitHub<const Id extends string = "github">(options?: GitHubOptions<Id>): OAuthConfig<GitHubProfile, NoInfer<Id>>;
export default function GitHub(options?: undefined): OAuthConfig<GitHubProfile, "github">;
export default function GitHub(options: GitHubOptions = {}): OAuthConfig<GitHubProfile> {
  const { enterprise, ...rest } = options;
  const baseUrl = (enterprise?.baseUrl ?? "https://github.com").replace(/\/+$/, "");
  const apiBaseUrl = enterprise?.baseUrl ? `${baseUrl}/api/v3` : "https://api.github.com";
  return mergeProvider<GitHubProfile>(
    {
      id: "github",
      name: "GitHub",
      type: "oauth",
      issuer: `${baseUrl}/login/oauth`,
      authorization: { url: `${baseUrl}/login/oauth/authorize`, params: { scope: "read:user user:email" } },
      token: `${baseUrl}/login/oauth/access_token`,
      userinfo: { url: `${apiBaseUrl}/user`, request: userinfoRequest(apiBaseUrl) },
      profile: (profile) => ({ id: String(profile.id), name: profile.name ?? profile.login, email: profile.email, image: profile.avatar_url }),
      emailVerified: (profile) => profile.email_verified === true,
      style: { bg: "#24292f", text: "#fff" },
    },
    rest,
  );
}
