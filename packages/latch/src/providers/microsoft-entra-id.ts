import type { OAuthConfig, OAuthUserConfig, Profile, UserinfoContext } from "../types.js";
import { idTokenClaims } from "./internal/id-token-claims.js";
import { mergeProvider } from "./merge.js";

/** The claims of a Microsoft identity platform (v2.0) ID token. */
export interface MicrosoftEntraIdProfile {
  /** `https://login.microsoftonline.com/<tenant id>/v2.0` */
  iss: string;
  aud: string;
  /** The user's id for your app (pairwise): latch's account id, as in Auth.js. */
  sub: string;
  /** The user's object id in the tenant, the same for every app. */
  oid?: string;
  tid?: string;
  name?: string;
  preferred_username?: string;
  /** Optional claim; Microsoft does not guarantee it is verified or immutable. */
  email?: string;
  /** A `data:` URL of the Microsoft Graph profile photo, when one was fetched. */
  picture?: string | null;
  [claim: string]: unknown;
}

/** Options of the Microsoft Entra ID provider. */
/** next-auth's spelling of {@link MicrosoftEntraIdProfile}. */
export type MicrosoftEntraIDProfile = MicrosoftEntraIdProfile;

export interface MicrosoftEntraIdOptions<Id extends string = string> extends OAuthUserConfig<MicrosoftEntraIdProfile, Id> {
  /**
   * Size of the profile photo read from Microsoft Graph (needs `User.Read`): 48, 64, 96, 120,
   * 240, 360, 432, 504 or 648 pixels; `false` skips the call. Default 48: the photo travels in
   * the session as a `data:` URL.
   */
  profilePhotoSize?: 48 | 64 | 96 | 120 | 240 | 360 | 432 | 504 | 648 | false | undefined;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The validated ID-token claims, plus the Graph photo; a missing photo (404) is not an error. */
function userinfoRequest(size: number | false) {
  return async ({ tokens, provider }: UserinfoContext): Promise<Profile> => {
    const claims = idTokenClaims(tokens, "Microsoft Entra ID");
    if (size === false || !tokens.access_token) return claims;
    const response = await provider.fetch(`https://graph.microsoft.com/v1.0/me/photos/${size}x${size}/$value`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    if (!response.ok) return { ...claims, picture: null };
    const type = response.headers.get("content-type") ?? "image/jpeg";
    return { ...claims, picture: `data:${type};base64,${toBase64(new Uint8Array(await response.arrayBuffer()))}` };
  };
}

/** The multi-tenant issuer: work, school and personal accounts of every tenant. */
const COMMON_ISSUER = "https://login.microsoftonline.com/common/v2.0";

/** `AUTH_<ID>_ISSUER` from `process.env`, read when the provider is created (as Auth.js reads it). */
function envIssuer(id: string): string | undefined {
  const value = globalThis.process?.env?.[`AUTH_${id.toUpperCase().replace(/-/g, "_")}_ISSUER`];
  return value === "" ? undefined : value;
}

/**
 * Sign in with Microsoft Entra ID (Azure AD), OpenID Connect. Env: `AUTH_MICROSOFT_ENTRA_ID_ID`,
 * `AUTH_MICROSOFT_ENTRA_ID_SECRET`, `AUTH_MICROSOFT_ENTRA_ID_ISSUER`. The account id is `sub`.
 *
 * The issuer chooses who may sign in. Default, as in Auth.js: `AUTH_MICROSOFT_ENTRA_ID_ISSUER`,
 * else `https://login.microsoftonline.com/common/v2.0` — accounts of any tenant and personal
 * Microsoft accounts. The multi-tenant issuers (`common`, `organizations`, `consumers`) publish
 * the template `https://login.microsoftonline.com/{tenantid}/v2.0`; latch then checks every ID
 * token's `iss` to be exactly `https://login.microsoftonline.com/<tid>/v2.0`, `<tid>` being the
 * token's own `tid` claim, as Microsoft prescribes. With a multi-tenant issuer any tenant's
 * users get in: check `tid` in the `signIn` callback if only some tenants may. To admit one
 * tenant only, set its issuer, `https://login.microsoftonline.com/<tenant id>/v2.0`.
 *
 * The `email` claim is optional and not verified by Microsoft for every account type; do not
 * link accounts by it (leave `allowDangerousEmailAccountLinking` off).
 *
 * @example
 * ```ts
 * import MicrosoftEntraId from "latch/providers/microsoft-entra-id";
 * MicrosoftEntraId({ issuer: `https://login.microsoftonline.com/${process.env.TENANT_ID}/v2.0`, profilePhotoSize: 96 });
 * ```
 */
export default function MicrosoftEntraId<const Id extends string = "microsoft-entra-id">(options?: MicrosoftEntraIdOptions<Id>): OAuthConfig<MicrosoftEntraIdProfile, NoInfer<Id>>;
export default function MicrosoftEntraId(options?: undefined): OAuthConfig<MicrosoftEntraIdProfile, "microsoft-entra-id">;
export default function MicrosoftEntraId(options: MicrosoftEntraIdOptions = {}): OAuthConfig<MicrosoftEntraIdProfile> {
  const { profilePhotoSize = 48, ...rest } = options;
  return mergeProvider<MicrosoftEntraIdProfile>(
    {
      id: "microsoft-entra-id",
      name: "Microsoft Entra ID",
      type: "oidc",
      issuer: envIssuer(rest.id ?? "microsoft-entra-id") ?? COMMON_ISSUER,
      authorization: { params: { scope: "openid profile email User.Read" } },
      userinfo: { request: userinfoRequest(profilePhotoSize) },
      profile: (profile) => ({ id: profile.sub, name: profile.name ?? null, email: profile.email ?? null, image: profile.picture ?? null }),
      style: { bg: "#0072c6", text: "#fff" },
    },
    rest,
  );
}
