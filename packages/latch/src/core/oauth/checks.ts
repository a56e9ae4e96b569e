import { InvalidCheck } from "../../errors.js";
import { createSessionCodec } from "../session/codec.js";
import type { CookieOption } from "../../types.js";
import type { RequestContext } from "../config.js";
import { CHECK_COOKIE_MAX_AGE, expireCookie, type OutgoingCookie } from "../cookies.js";
import type { InternalOAuthProvider } from "../providers.js";

/** The three check values of an authorization-code flow. */
export type CheckName = "pkceCodeVerifier" | "state" | "nonce";

const LABEL: Record<CheckName, string> = { pkceCodeVerifier: "PKCE code verifier", state: "state", nonce: "nonce" };

/**
 * Seals a check value into its own cookie, bound to the provider that minted it
 * (GHSA-x445-f3h2-j279). The cookie name is the encryption salt, so a check cookie can never
 * pass as a session token or as another check (GHSA-v64w-49xw-qq89).
 */
export async function sealCheck(ctx: RequestContext, name: CheckName, provider: InternalOAuthProvider, value: string): Promise<OutgoingCookie> {
  const option: CookieOption = ctx.cookies[name];
  const sealed = await createSessionCodec(ctx.secrets, option.name).encode({ value, provider: provider.id }, CHECK_COOKIE_MAX_AGE);
  return { name: option.name, value: sealed, options: { ...option.options, maxAge: CHECK_COOKIE_MAX_AGE } };
}

/**
 * Opens a check cookie and deletes it (single use). Throws `InvalidCheck` when it is missing,
 * expired, forged, or was minted for another provider.
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
