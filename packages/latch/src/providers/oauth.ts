import type { OAuthConfig, OAuthUserConfig, Profile } from "../types.js";
import { mergeProvider } from "./merge.js";

/**
 * A generic OAuth 2.0 provider: give `authorization`, `token` and `userinfo` URLs (or an
 * `issuer` with RFC 8414 metadata) and a `profile` mapping.
 *
 * @example
 * ```ts
 * import OAuth from "latch/providers/oauth";
 * OAuth({ id: "acme", name: "Acme", authorization: "https://acme.test/oauth/authorize", token: "https://acme.test/oauth/token", userinfo: "https://api.acme.test/me" });
 * ```
 */
export default function OAuth<P extends Profile = Profile, const Id extends string = "oauth">(options?: OAuthUserConfig<P, Id>): OAuthConfig<P, NoInfer<Id>>;
// With `P` given explicitly, `Id` is not inferred: any id, typed as string.
export default function OAuth<P extends Profile = Profile>(options: OAuthUserConfig<P> & { id: string }): OAuthConfig<P>;
export default function OAuth(options?: undefined): OAuthConfig<Profile, "oauth">;
export default function OAuth<P extends Profile = Profile>(options: OAuthUserConfig<P> = {}): OAuthConfig<P> {
  return mergeProvider<P>({ id: "oauth", name: "OAuth", type: "oauth" }, { ...options, type: "oauth" });
}
