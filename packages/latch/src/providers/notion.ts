import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { isRecord } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** A Notion person, as the token response's `owner.user` carries it. */
export interface NotionProfile {
  object: "user";
  /** The Notion user id (a UUID). */
  id: string;
  type?: "person";
  name: string | null;
  avatar_url: string | null;
  person?: { email?: string };
  [key: string]: unknown;
}

/**
 * Notion has no userinfo endpoint for the person who authorized the integration (`/v1/users/me`
 * is the bot): the token response names them in `owner.user`.
 */
function userinfoRequest({ tokens }: UserinfoContext): NotionProfile {
  const owner = tokens.owner;
  if (!isRecord(owner) || owner.type !== "user" || !isRecord(owner.user) || typeof owner.user.id !== "string") {
    throw new Error("Notion's token response has no owner user: the integration must be a public one installed by a user (owner=user)");
  }
  return owner.user as NotionProfile;
}

/**
 * Sign in with Notion (a public integration). Env: `AUTH_NOTION_ID`, `AUTH_NOTION_SECRET`. The
 * account id is the Notion user id.
 *
 * Notion's quirks: there are no scopes (the request sends an empty `scope`) but `owner=user`
 * is required; the token endpoint wants HTTP Basic client authentication; and the person
 * comes from the token response's `owner.user`, with the workspace (`workspace_id`,
 * `workspace_name`, `bot_id`) beside it — no profile call is made.
 *
 * @example
 * ```ts
 * import Notion from "latch/providers/notion";
 * Notion({ clientId: process.env.NOTION_OAUTH_CLIENT_ID, clientSecret: process.env.NOTION_OAUTH_CLIENT_SECRET });
 * ```
 */
export default function Notion<const Id extends string = "notion">(options?: OAuthUserConfig<NotionProfile, Id>): OAuthConfig<NotionProfile, NoInfer<Id>>;
export default function Notion(options?: undefined): OAuthConfig<NotionProfile, "notion">;
export default function Notion(options: OAuthUserConfig<NotionProfile> = {}): OAuthConfig<NotionProfile> {
  return mergeProvider<NotionProfile>(
    {
      id: "notion",
      name: "Notion",
      type: "oauth",
      authorization: { url: "https://api.notion.com/v1/oauth/authorize", params: { owner: "user", scope: "" } },
      token: "https://api.notion.com/v1/oauth/token",
      userinfo: { request: userinfoRequest },
      client: { token_endpoint_auth_method: "client_secret_basic" },
      profile: (profile) => ({ id: profile.id, name: profile.name, email: profile.person?.email ?? null, image: profile.avatar_url }),
      style: { bg: "#fff", text: "#000" },
    },
    options,
  );
}
