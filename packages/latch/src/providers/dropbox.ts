import type { OAuthConfig, OAuthUserConfig, UserinfoContext } from "../types.js";
import { accessTokenOf, isRecord, requestJson } from "./internal/request-json.js";
import { verifiedEmail } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The structured name of a Dropbox account. */
export interface DropboxName {
  display_name: string;
  given_name?: string;
  surname?: string;
  familiar_name?: string;
  abbreviated_name?: string;
}

/**
 * Dropbox's `POST /2/users/get_current_account` (the fields latch reads, plus the rest), with
 * one change: Dropbox's `name` object is `name_details`, and `name` is its display name, so
 * that the profile is a `Profile` (whose `name` is a string). Auth.js passes the object as is.
 */
export interface DropboxProfile {
  /** `dbid:…`, stable for the account. */
  account_id: string;
  name: string;
  name_details: DropboxName;
  email: string;
  email_verified: boolean;
  profile_photo_url?: string;
  [key: string]: unknown;
}

function isName(value: unknown): value is DropboxName {
  return isRecord(value) && typeof value.display_name === "string";
}

/** An RPC endpoint without arguments: POST, and no body at all (or the JSON `null`). */
async function userinfoRequest({ tokens, provider }: UserinfoContext): Promise<DropboxProfile> {
  const me = await requestJson(provider.fetch, "https://api.dropboxapi.com/2/users/get_current_account", {
    service: "Dropbox",
    accessToken: accessTokenOf(tokens, "Dropbox"),
    method: "POST",
  });
  const { name, ...rest } = me;
  if (typeof rest.account_id !== "string" || !isName(name)) throw new Error("Dropbox's get_current_account answer has no account_id or name");
  return { ...rest, name: name.display_name, name_details: name } as DropboxProfile;
}

/**
 * Sign in with Dropbox. Env: `AUTH_DROPBOX_ID`, `AUTH_DROPBOX_SECRET` (the app key and secret).
 * Scope `account_info.read` with `token_access_type=offline` (a refresh token); the account id is
 * `account_id`. The profile comes from an RPC endpoint that takes a POST without a body; its
 * `name` object becomes `name_details` (see {@link DropboxProfile}). An address Dropbox has not
 * verified is not taken.
 *
 * @example
 * ```ts
 * import Dropbox from "latch/providers/dropbox";
 * Dropbox({ authorization: { params: { token_access_type: "online" } } });
 * ```
 */
export default function Dropbox<const Id extends string = "dropbox">(options?: OAuthUserConfig<DropboxProfile, Id>): OAuthConfig<DropboxProfile, NoInfer<Id>>;
export default function Dropbox(options?: undefined): OAuthConfig<DropboxProfile, "dropbox">;
export default function Dropbox(options: OAuthUserConfig<DropboxProfile> = {}): OAuthConfig<DropboxProfile> {
  return mergeProvider<DropboxProfile>(
    {
      id: "dropbox",
      name: "Dropbox",
      type: "oauth",
      authorization: { url: "https://www.dropbox.com/oauth2/authorize", params: { scope: "account_info.read", token_access_type: "offline" } },
      token: "https://api.dropboxapi.com/oauth2/token",
      userinfo: { url: "https://api.dropboxapi.com/2/users/get_current_account", request: userinfoRequest },
      profile: (profile) => ({ id: profile.account_id, name: profile.name, email: verifiedEmail(profile.email, profile.email_verified), image: profile.profile_photo_url ?? null }),
      style: { bg: "#0061fe", text: "#fff" },
    },
    options,
  );
}
