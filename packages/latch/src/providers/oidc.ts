import type { OAuthConfig, OAuthUserConfig, Profile } from "../types.js";
import { mergeProvider } from "./merge.js";

/**
 * A generic OpenID Connect provider: endpoints are discovered from `issuer`, the profile comes
 * from the validated ID token. Env: `AUTH_<ID>_ID`, `AUTH_<ID>_SECRET`, `AUTH_<ID>_ISSUER`.
 *
 * @example
 * ```ts
 * import OIDC from "latch/providers/oidc";
 * OIDC({ id: "acme", name: "Acme", issuer: "https://id.acme.test", clientId: "…", clientSecret: "…" });
 * ```
 */
export default function OIDC<P extends Profile = Profile, const Id extends string = "oidc">(options?: OAuthUserConfig<P, Id>): OAuthConfig<P, NoInfer<Id>>;
// With `P` given explicitly, `Id` is not inferred: any id, typed as string.
export default function OIDC<P extends Profile = Profile>(options: OAuthUserConfig<P> & { id: string }): OAuthConfig<P>;
export default function OIDC(options?: undefined): OAuthConfig<Profile, "oidc">;
export default function OIDC<P extends Profile = Profile>(options: OAuthUserConfig<P> = {}): OAuthConfig<P> {
  return mergeProvider<P>({ id: "oidc", name: "OpenID Connect", type: "oidc" }, { ...options, type: "oidc" });
}
