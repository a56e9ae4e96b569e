import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Bitbucket Cloud's `GET /2.0/user`, with the address latch adds from `/2.0/user/emails`. */
export interface BitbucketProfile {
  /** The Atlassian account id: latch's account id, as in Auth.js. */
  account_id: string;
  /** Bitbucket's own id, `{…}` with braces. */
  uuid: string;
  username?: string;
  display_name: string;
  links: { avatar?: { href: string } };
  /** The primary confirmed address, or `null`; not part of `/2.0/user` itself. */
  email: string | null;
  [key: string]: unknown;
}

/** One entry of Bitbucket's paginated `GET /2.0/user/emails`. */
export interface BitbucketEmail {
  email: string;
  is_primary: boolean;
  is_confirmed: boolean;
}

function isBitbucketEmail(value: unknown): value is BitbucketEmail {
  return isRecord(value) && typeof value.email === "string" && typeof value.is_primary === "boolean" && typeof value.is_confirmed === "boolean";
}

const API = "https://api.bitbucket.org/2.0";

/** `/2.0/user` never carries an address: the primary confirmed one comes from `/2.0/user/emails`. */
async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<BitbucketProfile> {
  const accessToken = accessTokenOf(tokens, "Bitbucket");
  const user = await requestJson(provider.fetch, `${API}/user`, { service: "Bitbucket", accessToken });
  if (typeof user.account_id !== "string") throw new Error("Bitbucket's /2.0/user answer has no account_id");
  const emails = await requestJson(provider.fetch, `${API}/user/emails`, { service: "Bitbucket", accessToken });
  const confirmed = Array.isArray(emails.values) ? emails.values.filter(isBitbucketEmail).filter((e) => e.is_confirmed) : [];
  const profile = user as BitbucketProfile;
  profile.email = (confirmed.find((e) => e.is_primary) ?? confirmed[0])?.email ?? null;
  return profile;
}

/**
 * Sign in with Bitbucket Cloud. Env: `AUTH_BITBUCKET_ID`, `AUTH_BITBUCKET_SECRET` (the OAuth
 * consumer's key and secret). Scopes `account email`; the account id is the Atlassian
 * `account_id`. The profile has no address: latch reads `/2.0/user/emails` and takes the
 * primary confirmed one (Auth.js asks for `account` only and signs in without an email).
 *
 * @example
 * ```ts
 * import Bitbucket from "latch/providers/bitbucket";
 * Bitbucket({ clientId: process.env.BITBUCKET_KEY, clientSecret: process.env.BITBUCKET_SECRET });
 * ```
 */
export default function Bitbucket<const Id extends string = "bitbucket">(options?: OAuthUserConfig<BitbucketProfile, Id>): OAuthConfig<BitbucketProfile, NoInfer<Id>>;
export default function Bitbucket(options?: undefined): OAuthConfig<BitbucketProfile, "bitbucket">;
export default function Bitbucket(options: OAuthUserConfig<BitbucketProfile> = {}): OAuthConfig<BitbucketProfile> {
  return mergeProvider<BitbucketProfile>(
    {
      id: "bitbucket",
      name: "Bitbucket",
      type: "oauth",
      authorization: { url: "https://bitbucket.org/site/oauth2/authorize", params: { scope: "account email" } },
      token: "https://bitbucket.org/site/oauth2/access_token",
      userinfo: { url: `${API}/user`, request: userinfoRequest },
      profile: (profile) => ({ id: profile.account_id, name: profile.display_name ?? profile.username ?? null, email: profile.email, image: profile.links.avatar?.href ?? null }),
      style: { bg: "#205081", text: "#fff" },
    },
    options,
  );
}
