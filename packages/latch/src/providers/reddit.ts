import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { withHeaders } from "./internal/wrap-fetch.js";
import { mergeProvider } from "./merge.js";

/** Reddit's `GET /api/v1/me` (the fields latch reads, plus the rest). */
export interface RedditProfile {
  /** The account id in base 36, without the `t2_` prefix. */
  id: string;
  /** The username, `u/<name>`. */
  name: string;
  /** HTML-escaped (`&amp;` in the query string). */
  icon_img?: string;
  snoovatar_img?: string;
  [key: string]: unknown;
}

/** Options of the Reddit provider. */
export interface RedditOptions<Id extends string = string> extends OAuthUserConfig<RedditProfile, Id> {
  /**
   * The `User-Agent` of every request to Reddit, which throttles or refuses generic ones. Reddit asks
   * for `<platform>:<app id>:<version> (by /u/<your username>)`. Default `web:latch:1 (by latch)`.
   */
  userAgent?: string | undefined;
}

function unescapeHtml(value: string): string {
  return value.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

function imageOf(profile: RedditProfile): string | null {
  const raw = profile.snoovatar_img || profile.icon_img;
  return raw ? unescapeHtml(raw) : null;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<RedditProfile> {
  const me = await requestJson(provider.fetch, "https://oauth.reddit.com/api/v1/me", { service: "Reddit", accessToken: accessTokenOf(tokens, "Reddit") });
  if (typeof me.id !== "string") throw new Error("Reddit's /api/v1/me answer has no id");
  return me as RedditProfile;
}

/**
 * Sign in with Reddit. Env: `AUTH_REDDIT_ID`, `AUTH_REDDIT_SECRET`. Scope `identity`; the
 * account id is Reddit's base-36 account id. Reddit shares no address: `email` is `null`.
 *
 * Reddit's quirks: every request needs a descriptive `User-Agent` (this provider's `fetch`
 * adds `userAgent` to requests for reddit.com hosts); the token endpoint wants HTTP Basic
 * client authentication and may report errors with HTTP 200; `duration=temporary` gives no
 * refresh token (pass `duration: "permanent"` for one); avatar URLs arrive HTML-escaped.
 *
 * @example
 * ```ts
 * import Reddit from "latch/providers/reddit";
 * Reddit({ userAgent: "web:com.example.app:1.0 (by /u/example)" });
 * ```
 */
export default function Reddit<const Id extends string = "reddit">(options?: RedditOptions<Id>): OAuthConfig<RedditProfile, NoInfer<Id>>;
export default function Reddit(options?: undefined): OAuthConfig<RedditProfile, "reddit">;
export default function Reddit(options: RedditOptions = {}): OAuthConfig<RedditProfile> {
  const { userAgent = "web:latch:1 (by latch)", fetch: appFetch, ...rest } = options;
  return mergeProvider<RedditProfile>(
    {
      id: "reddit",
      name: "Reddit",
      type: "oauth",
      authorization: { url: "https://www.reddit.com/api/v1/authorize", params: { scope: "identity", duration: "temporary" } },
      token: "https://www.reddit.com/api/v1/access_token",
      userinfo: { url: "https://oauth.reddit.com/api/v1/me", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_basic" },
      profile: (profile) => ({ id: profile.id, name: profile.name, email: null, image: imageOf(profile) }),
      style: { bg: "#FF4500", text: "#fff" },
      fetch: withHeaders(appFetch, (url) => url.hostname === "reddit.com" || url.hostname.endsWith(".reddit.com"), { "user-agent": userAgent }),
    },
    rest,
  );
}
