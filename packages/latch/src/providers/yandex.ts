import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** Yandex ID's `GET https://login.yandex.ru/info?format=json` (the fields latch reads, plus the rest). */
export interface YandexProfile {
  /** The numeric Yandex user id, as a string. */
  id: string;
  login: string;
  client_id: string;
  display_name?: string;
  real_name?: string;
  first_name?: string;
  last_name?: string;
  default_email?: string;
  emails?: string[];
  default_avatar_id?: string;
  is_avatar_empty?: boolean;
  [key: string]: unknown;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<YandexProfile> {
  // Yandex documents its own scheme, `Authorization: OAuth <token>`.
  const me = await requestJson(provider.fetch, "https://login.yandex.ru/info?format=json", { service: "Yandex", accessToken: accessTokenOf(tokens, "Yandex"), scheme: "OAuth" });
  if (typeof me.id !== "string") throw new Error("Yandex's /info answer has no id");
  return me as YandexProfile;
}

function imageOf(profile: YandexProfile): string | null {
  if (profile.is_avatar_empty || !profile.default_avatar_id) return null;
  return `https://avatars.yandex.net/get-yapic/${profile.default_avatar_id}/islands-200`;
}

/**
 * Sign in with Yandex ID. Env: `AUTH_YANDEX_ID`, `AUTH_YANDEX_SECRET`. Scopes
 * `login:info login:email login:avatar`; the account id is the Yandex user id (never the
 * login). The profile endpoint wants `Authorization: OAuth <token>`, and the avatar is an id
 * turned into a URL of Yandex's avatar service (200 px).
 *
 * @example
 * ```ts
 * import Yandex from "latch/providers/yandex";
 * Yandex({ authorization: { params: { scope: "login:info login:email" } } });
 * ```
 */
export default function Yandex<const Id extends string = "yandex">(options?: OAuthUserConfig<YandexProfile, Id>): OAuthConfig<YandexProfile, NoInfer<Id>>;
export default function Yandex(options?: undefined): OAuthConfig<YandexProfile, "yandex">;
export default function Yandex(options: OAuthUserConfig<YandexProfile> = {}): OAuthConfig<YandexProfile> {
  return mergeProvider<YandexProfile>(
    {
      id: "yandex",
      name: "Yandex",
      type: "oauth",
      authorization: { url: "https://oauth.yandex.ru/authorize", params: { scope: "login:info login:email login:avatar" } },
      token: "https://oauth.yandex.ru/token",
      userinfo: { url: "https://login.yandex.ru/info?format=json", request: userinfoRequest },
      profile: (profile) => ({
        id: profile.id,
        name: profile.display_name ?? profile.real_name ?? profile.first_name ?? profile.login,
        email: profile.default_email ?? profile.emails?.[0] ?? null,
        image: imageOf(profile),
      }),
      style: { bg: "#ffcc00", text: "#000" },
    },
    options,
  );
}
