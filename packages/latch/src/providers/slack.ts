import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of a "Sign in with Slack" ID token. */
export interface SlackProfile {
  iss: "https://slack.com";
  aud: string;
  /** The Slack user id, e.g. `U0R7JM`; unique within a workspace. */
  sub: string;
  "https://slack.com/user_id": string;
  "https://slack.com/team_id": string;
  "https://slack.com/team_name"?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
  given_name?: string;
  family_name?: string;
  locale?: string;
  [claim: string]: unknown;
}

/**
 * Sign in with Slack (OpenID Connect, `https://slack.com`). Env: `AUTH_SLACK_ID`,
 * `AUTH_SLACK_SECRET`. The account id is Slack's user id (`https://slack.com/user_id`, equal to
 * `sub`); the workspace is `https://slack.com/team_id`. Slack reports token errors with HTTP
 * 200 and `ok: false`, which latch turns into a sign-in error.
 *
 * @example
 * ```ts
 * import Slack from "latch/providers/slack";
 * Slack({ authorization: { params: { team: "T0123456" } } }); // preselect a workspace
 * ```
 */
export default function Slack<const Id extends string = "slack">(options?: OAuthUserConfig<SlackProfile, Id>): OAuthConfig<SlackProfile, NoInfer<Id>>;
export default function Slack(options?: undefined): OAuthConfig<SlackProfile, "slack">;
export default function Slack(options: OAuthUserConfig<SlackProfile> = {}): OAuthConfig<SlackProfile> {
  return mergeProvider<SlackProfile>(
    {
      id: "slack",
      name: "Slack",
      type: "oidc",
      issuer: "https://slack.com",
      authorization: { params: { scope: "openid profile email" } },
      profile: (profile) => ({
        id: profile["https://slack.com/user_id"] ?? profile.sub,
        name: profile.name ?? null,
        email: verifiedEmail(profile.email, profile.email_verified),
        image: profile.picture ?? null,
      }),
      style: { bg: "#4A154B", text: "#fff" },
    },
    options,
  );
}
