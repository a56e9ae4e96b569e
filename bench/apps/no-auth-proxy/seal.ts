/**
 * The baseline's session cookie: the user's JSON, base64url, and an HMAC-SHA256 of it — no
 * encryption, no key derivation, no callbacks. About the least a signed-in cookie can cost, so
 * the no-auth app shows what the machine allows around it.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** The baseline's cookie name. */
export const SEALED_COOKIE = "session";

function mac(data: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

/**
 * `claims` as a cookie value that {@link unseal} accepts with the same `secret`.
 *
 * @example
 * ```ts
 * const value = seal({ sub: "1", exp: Math.floor(Date.now() / 1000) + 3600 }, secret);
 * ```
 */
export function seal(claims: Record<string, unknown>, secret: string): string {
  const data = Buffer.from(JSON.stringify(claims)).toString("base64url");
  return `${data}.${mac(data, secret).toString("base64url")}`;
}

/**
 * The claims of a value {@link seal} made with `secret` and whose `exp` (seconds) is in the
 * future; null otherwise.
 *
 * @example
 * ```ts
 * const claims = unseal(cookieValue, secret);
 * ```
 */
export function unseal(value: string, secret: string): Record<string, unknown> | null {
  const dot = value.indexOf(".");
  if (dot < 0) return null;
  const data = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), "base64url");
  const expected = mac(data, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims: unknown = JSON.parse(Buffer.from(data, "base64url").toString("utf8"));
  if (typeof claims !== "object" || claims === null || !("exp" in claims) || typeof claims.exp !== "number") return null;
  if (claims.exp * 1000 <= Date.now()) return null;
  return claims;
}
