import { sha256Hex } from "./digest.js";

/**
 * A user id that stays the same each time the same provider account signs in, without a
 * database: a UUID (version 8 layout) from SHA-256 of the provider id and the account id.
 * Auth.js mints a random id per sign-in instead, so `token.sub` changes every time.
 *
 * @example
 * ```ts
 * (await stableUserId("github", "583231")) === (await stableUserId("github", "583231")) // true
 * ```
 */
export async function stableUserId(provider: string, providerAccountId: string): Promise<string> {
  const hex = await sha256Hex(`latch:user:${provider}\0${providerAccountId}`);
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
