import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Kakao's `GET /v2/user/me` (the fields latch reads, plus the rest). */
export interface KakaoProfile {
  /** The numeric Kakao member id. */
  id: number;
  connected_at?: string;
  kakao_account?: {
    profile?: { nickname?: string; profile_image_url?: string; thumbnail_image_url?: string; is_default_image?: boolean };
    email?: string;
    is_email_valid?: boolean;
    is_email_verified?: boolean;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<KakaoProfile> {
  const me = await requestJson(provider.fetch, "https://kapi.kakao.com/v2/user/me", { service: "Kakao", accessToken: accessTokenOf(tokens, "Kakao") });
  if (typeof me.id !== "number") throw new Error("Kakao's /v2/user/me answer has no numeric id");
  return me as KakaoProfile;
}

/** Kakao marks an address it no longer vouches for (`is_email_valid`) or never checked. */
function emailOf(account: KakaoProfile["kakao_account"]): string | null {
  if (!account?.email || account.is_email_valid === false || account.is_email_verified === false) return null;
  return account.email;
}

/**
 * Sign in with Kakao. Env: `AUTH_KAKAO_ID` (the REST API key), `AUTH_KAKAO_SECRET`. Scopes
 * `profile_nickname profile_image account_email` (each must be enabled as a consent item); the
 * account id is the numeric member id. The client secret goes in the body
 * (`client_secret_post`); an address Kakao flags as invalid or unverified is not taken.
 *
 * @example
 * ```ts
 * import Kakao from "latch/providers/kakao";
 * Kakao({ authorization: { params: { scope: "profile_nickname profile_image" } } });
 * ```
 */
export default function Kakao<const Id extends string = "kakao">(options?: OAuthUserConfig<KakaoProfile, Id>): OAuthConfig<KakaoProfile, NoInfer<Id>>;
export default function Kakao(options?: undefined): OAuthConfig<KakaoProfile, "kakao">;
export default function Kakao(options: OAuthUserConfig<KakaoProfile> = {}): OAuthConfig<KakaoProfile> {
  return mergeProvider<KakaoProfile>(
    {
      id: "kakao",
      name: "Kakao",
      type: "oauth",
      authorization: { url: "https://kauth.kakao.com/oauth/authorize", params: { scope: "profile_nickname profile_image account_email" } },
      token: "https://kauth.kakao.com/oauth/token",
      userinfo: { url: "https://kapi.kakao.com/v2/user/me", request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({
        id: String(profile.id),
        name: profile.kakao_account?.profile?.nickname ?? null,
        email: emailOf(profile.kakao_account),
        image: profile.kakao_account?.profile?.profile_image_url ?? null,
      }),
      // Kakao vouches for an address it checked (is_email_verified) and still deems valid.
      emailVerified: ({ kakao_account: account }) => (account?.is_email_verified === true && account.is_email_valid === true ? (account.email ?? false) : false),
      style: { bg: "#FEE500", text: "#000" },
    },
    options,
  );
}
