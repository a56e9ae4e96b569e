import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { mergeProvider } from "./merge.js";

/** A WorkOS SSO profile (the `profile` of the token response, or `GET /sso/profile`). */
export interface WorkOSProfile {
  object?: "profile";
  /** The WorkOS profile id, `prof_…`, stable for the user of a connection. */
  id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  connection_id: string;
  connection_type: string;
  organization_id: string | null;
  idp_id: string;
  raw_attributes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Options of the WorkOS provider. */
export interface WorkOSOptions<Id extends string = string> extends OAuthUserConfig<WorkOSProfile, Id> {
  /** The WorkOS API's root. Default `https://api.workos.com`. */
  baseUrl?: string | undefined;
}

/** The token response carries the profile; `/sso/profile` is the fallback. */
function userinfoRequest(apiUrl: string) {
  return async ({ tokens, provider }: UserinfoContext): Promise<WorkOSProfile> => {
    if (isRecord(tokens.profile) && typeof tokens.profile.id === "string") return tokens.profile as WorkOSProfile;
    const profile = await requestJson(provider.fetch, `${apiUrl}/sso/profile`, { service: "WorkOS", accessToken: accessTokenOf(tokens, "WorkOS") });
    if (typeof profile.id !== "string") throw new Error("WorkOS's /sso/profile answer has no id");
    return profile as WorkOSProfile;
  };
}

function nameOf(profile: WorkOSProfile): string | null {
  return [profile.first_name, profile.last_name].filter(Boolean).join(" ") || null;
}

function imageOf(profile: WorkOSProfile): string | null {
  const picture = profile.raw_attributes?.picture;
  return typeof picture === "string" ? picture : null;
}

/**
 * Enterprise SSO (SAML, OIDC) through WorkOS. Env: `AUTH_WORKOS_ID`, `AUTH_WORKOS_SECRET` (the
 * client id and API key). The account id is the WorkOS profile id.
 *
 * WorkOS needs one of `connection`, `organization` or `provider` on the authorization request:
 * set it here, or per sign-in as a query parameter of the sign-in POST
 * (`signIn("workos", {}, { organization: "org_…" })`). There are no scopes (the request sends an
 * empty `scope`); the API key goes in the body (`client_secret_post`); the profile arrives in
 * the token response.
 *
 * @example
 * ```ts
 * import WorkOS from "latch/providers/workos";
 * WorkOS({ authorization: { params: { connection: "conn_01E4ZCR3C56J083X43JQXF3JK5" } } });
 * ```
 */
export default function WorkOS<const Id extends string = "workos">(options?: WorkOSOptions<Id>): OAuthConfig<WorkOSProfile, NoInfer<Id>>;
export default function WorkOS(options?: undefined): OAuthConfig<WorkOSProfile, "workos">;
export default function WorkOS(options: WorkOSOptions = {}): OAuthConfig<WorkOSProfile> {
  const { baseUrl = "https://api.workos.com", ...rest } = options;
  const apiUrl = baseUrl.replace(/\/+$/, "");
  return mergeProvider<WorkOSProfile>(
    {
      id: "workos",
      name: "WorkOS",
      type: "oauth",
      authorization: { url: `${apiUrl}/sso/authorize`, params: { scope: "" } },
      token: `${apiUrl}/sso/token`,
      userinfo: { url: `${apiUrl}/sso/profile`, request: userinfoRequest(apiUrl) },
      client: { token_endpoint_auth_method: "client_secret_post" },
      profile: (profile) => ({ id: profile.id, name: nameOf(profile), email: profile.email ?? null, image: imageOf(profile) }),
      style: { bg: "#6363f1", text: "#fff" },
    },
    rest,
  );
}
