import { InvalidCheck } from "../../errors.js";
import { createSessionCodec } from "../session/codec.js";
import type { CookieAttributes, CookieOption } from "../../types.js";
import type { RequestContext } from "../config.js";
import { CHECK_COOKIE_MAX_AGE, expireCookie, type OutgoingCookie } from "../cookies.js";
import type { InternalOAuthProvider } from "../providers.js";

/** The three check values of an authorization-code flow. */
export type CheckName = "pkceCodeVerifier" | "state" | "nonce";

const LABEL: Record<CheckName, string> = { pkceCodeVerifier: "PKCE code verifier", state: "state", nonce: "nonce" };

/**
 * The attributes of a cookie the callback needs when the provider answers with
 * `response_mode=form_post` (Apple): its page POSTs the callback from its own site, and browsers
 * send only `SameSite=None` cookies with a cross-site POST — which they keep only when `Secure`.
 * What Auth.js does for its form_post providers.
 *
 * @example
 * ```ts
 * crossSiteAttributes({ httpOnly: true, sameSite: "lax", path: "/", secure: true }); // sameSite "none", secure true
 * ```
 */
export function crossSiteAttributes(options: CookieAttributes): CookieAttributes {
  return { ...options, sameSite: "none", secure: true };
}

/**
 * Seals a check value into its own cookie, bound to the provider that minted it
 * (GHSA-x445-f3h2-j279). The cookie name is the encryption salt, so a check cookie can never
 * pass as a session token or as another check (GHSA-v64w-49xw-qq89). `crossSite`: the callback
 * arrives as a cross-site POST (`response_mode=form_post`), see {@link crossSiteAttributes}.
 *
 * @example
 * ```ts
 * const cookie = await sealCheck(ctx, "state", provider, oauth.generateRandomState());
 * ```
 */
export async function sealCheck(ctx: RequestContext, name: CheckName, provider: InternalOAuthProvider, value: string, crossSite = false): Promise<OutgoingCookie> {
  const option: CookieOption = ctx.cookies[name];
  const sealed = await createSessionCodec(ctx.secrets, option.name).encode({ value, provider: provider.id }, CHECK_COOKIE_MAX_AGE);
  const options = crossSite ? crossSiteAttributes(option.options) : option.options;
  return { name: option.name, value: sealed, options: { ...options, maxAge: CHECK_COOKIE_MAX_AGE } };
}

/**
 * Opens a check cookie and deletes it (single use). Throws `InvalidCheck` when it is missing,
 * expired, forged, or was minted for another provider.
 *
 * @example
 * ```ts
 * const state = await useCheck(ctx, "state", provider, action.cookies, out);
 * ```
 */
export async function useCheck(ctx: RequestContext, name: CheckName, provider: InternalOAuthProvider, cookies: Map<string, string>, out: OutgoingCookie[]): Promise<string> {
  const option = ctx.cookies[name];
  const raw = cookies.get(option.name);
  if (raw === undefined) throw new InvalidCheck(`The ${LABEL[name]} cookie is missing: the sign-in took longer than 15 minutes, or it was started in another browser.`);
  out.push(expireCookie(option));
  const payload = await createSessionCodec(ctx.secrets, option.name).decode(raw);
  if (!payload || typeof payload.value !== "string") throw new InvalidCheck(`The ${LABEL[name]} cookie is invalid or expired.`);
  if (payload.provider !== provider.id) throw new InvalidCheck(`The ${LABEL[name]} cookie was issued for another provider.`);
  return payload.value;
}
