import type { OAuthConfig, OAuthUserConfig } from "../types.js";
import { verifiedEmail, vouches } from "./internal/verified-email.js";
import { mergeProvider } from "./merge.js";

/** The claims of an Apple ID token. */
export interface AppleProfile {
  iss: "https://appleid.apple.com";
  aud: string;
  /** Apple's stable user id for your team. */
  sub: string;
  /** A private relay address (`…@privaterelay.appleid.com`) when the user hides theirs. */
  email?: string;
  /** Apple sends `"true"`/`"false"` as strings in some tokens, booleans in others. */
  email_verified?: boolean | "true" | "false";
  is_private_email?: boolean | "true" | "false";
  nonce_supported?: boolean;
  /**
   * The `user` form field Apple posts to the callback on the first sign-in only (parsed), in the
   * shape Auth.js attaches it. Posted by the browser: used for the display name only, never for
   * the email (which comes from the signed ID token).
   */
  user?: { name?: { firstName?: string; lastName?: string }; email?: string };
  [claim: string]: unknown;
}

/** The `user` field Apple posts on the first sign-in, or undefined when absent or not that shape. */
function parseUser(raw: string | undefined): AppleProfile["user"] {
  if (!raw || raw.length > 2048) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== "object" || value === null) return undefined;
    const name = (value as { name?: unknown }).name;
    if (typeof name !== "object" || name === null) return {};
    const { firstName, lastName } = name as { firstName?: unknown; lastName?: unknown };
    return { name: { ...(typeof firstName === "string" ? { firstName } : {}), ...(typeof lastName === "string" ? { lastName } : {}) } };
  } catch {
    return undefined;
  }
}

function fullName(user: AppleProfile["user"]): string | null {
  const parts = [user?.name?.firstName, user?.name?.lastName].filter((part): part is string => typeof part === "string" && part !== "");
  return parts.length ? parts.join(" ") : null;
}

/**
 * Sign in with Apple (OpenID Connect, `https://appleid.apple.com`). Env: `AUTH_APPLE_ID` (the
 * Services ID), `AUTH_APPLE_SECRET` (a client-secret JWT you sign with your Apple key, ES256,
 * valid at most six months). The account id is the ID token's `sub`.
 *
 * Apple's quirks:
 * - asking for `name email` requires `response_mode=form_post`: Apple POSTs the code to the
 *   callback from appleid.apple.com, a cross-site POST on which browsers send only
 *   `SameSite=None` cookies. latch sets the check cookies and the callback-URL cookie of such a
 *   sign-in `SameSite=None; Secure` itself, as Auth.js does, so the app must run on https (over
 *   http latch logs `form-post-needs-https`); no cookie settings are needed.
 * - the name is never in the ID token; Apple posts it once, as the `user` form field of the
 *   first sign-in: the first sign-in has the name, later ones `null` (keep it in your database,
 *   e.g. from the `signIn` event's `isNewUser`).
 * - the client authenticates with `client_secret_post`, and `email_verified` may be a string.
 *
 * @example
 * ```ts
 * import Apple from "latch/providers/apple";
 * NextAuth({ providers: [Apple] }); // AUTH_APPLE_ID, AUTH_APPLE_SECRET; AUTH_URL=https://…
 * ```
 */
export default function Apple<const Id extends string = "apple">(options?: OAuthUserConfig<AppleProfile, Id>): OAuthConfig<AppleProfile, NoInfer<Id>>;
export default function Apple(options?: undefined): OAuthConfig<AppleProfile, "apple">;
export default function Apple(options: OAuthUserConfig<AppleProfile> = {}): OAuthConfig<AppleProfile> {
  return mergeProvider<AppleProfile>(
    {
      id: "apple",
      name: "Apple",
      type: "oidc",
      issuer: "https://appleid.apple.com",
      authorization: { params: { scope: "name email", response_mode: "form_post" } },
      client: { token_endpoint_auth_method: "client_secret_post" },
      userinfo: { request: ({ claims, params }) => ({ ...claims, user: parseUser(params.user) }) },
      profile: (profile) => ({ id: profile.sub, name: fullName(profile.user), email: verifiedEmail(profile.email, profile.email_verified), image: null }),
      emailVerified: (profile) => vouches(profile.email_verified),
      style: { bg: "#fff", text: "#000" },
    },
    options,
  );
}
