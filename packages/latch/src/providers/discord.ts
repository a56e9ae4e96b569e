import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, requestJson } from "./internal/request-json.js";
import { verifiedEmail, vouches } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** Discord's `GET /users/@me`. */
export interface DiscordProfile {
  /** A snowflake: a 64-bit integer as a string. */
  id: string;
  username: string;
  /** `"0"` for accounts migrated to unique usernames. */
  discriminator: string;
  global_name: string | null;
  /** An avatar hash; `a_…` hashes are animated. */
  avatar: string | null;
  email?: string | null;
  verified?: boolean;
  [key: string]: unknown;
}

/** The avatar URL; users without one get Discord's default avatar for their id. */
function discordAvatarUrl(profile: Pick<DiscordProfile, "id" | "discriminator" | "avatar">): string {
  if (profile.avatar) {
    const format = profile.avatar.startsWith("a_") ? "gif" : "png";
    return `https://cdn.discordapp.com/avatars/${profile.id}/${profile.avatar}.${format}`;
  }
  const index = profile.discriminator === "0" ? Number((BigInt(profile.id) >> 22n) % 6n) : Number(profile.discriminator) % 5;
  return `https://cdn.discordapp.com/embed/avatars/${index}.png`;
}

async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<DiscordProfile> {
  const me = await requestJson(provider.fetch, "https://discord.com/api/users/@me", { service: "Discord", accessToken: accessTokenOf(tokens, "Discord") });
  if (typeof me.id !== "string") throw new Error("Discord's /users/@me answer has no id");
  return me as DiscordProfile;
}

/**
 * Sign in with Discord. Env: `AUTH_DISCORD_ID`, `AUTH_DISCORD_SECRET`. Scopes `identify email`;
 * the account id is the user's snowflake. The name is the display name (`global_name`), else
 * the username; the image is the avatar or Discord's default one. An address Discord reports
 * as unverified (`verified: false`) is not taken.
 *
 * @example
 * ```ts
 * import Discord from "latch/providers/discord";
 * Discord({ authorization: { params: { scope: "identify email guilds" } } });
 * ```
 */
export default function Discord<const Id extends string = "discord">(options?: OAuthUserConfig<DiscordProfile, Id>): OAuthConfig<DiscordProfile, NoInfer<Id>>;
export default function Discord(options?: undefined): OAuthConfig<DiscordProfile, "discord">;
export default function Discord(options: OAuthUserConfig<DiscordProfile> = {}): OAuthConfig<DiscordProfile> {
  return mergeProvider<DiscordProfile>(
    {
      id: "discord",
      name: "Discord",
      type: "oauth",
      authorization: { url: "https://discord.com/oauth2/authorize", params: { scope: "identify email" } },
      token: "https://discord.com/api/oauth2/token",
      userinfo: { url: "https://discord.com/api/users/@me", request: userinfoRequest },
      profile: (profile) => ({ id: profile.id, name: profile.global_name ?? profile.username, email: verifiedEmail(profile.email, profile.verified), image: discordAvatarUrl(profile) }),
      emailVerified: (profile) => vouches(profile.verified),
      style: { bg: "#5865F2", text: "#fff" },
    },
    options,
  );
}
