/**
 * The address a service vouches for: `null` when the service says it is unverified. Services
 * send the flag as a boolean, or (Apple, Cognito's userinfo) as the string `"true"`/`"false"`;
 * an absent flag keeps the address, as Auth.js does.
 *
 * @example
 * ```ts
 * verifiedEmail("ada@example.com", false) // null
 * ```
 */
export function verifiedEmail(email: unknown, verified: unknown): string | null {
  if (typeof email !== "string" || email === "") return null;
  if (verified === false || verified === "false") return null;
  return email;
}

/**
 * True when a service's flag says it verified the address: `true`, or the string `"true"` (Apple,
 * Cognito). For a provider's `emailVerified` option; an absent flag vouches for nothing.
 *
 * @example
 * ```ts
 * emailVerified: (profile) => vouches(profile.email_verified)
 * ```
 */
export function vouches(flag: unknown): boolean {
  return flag === true || flag === "true";
}
