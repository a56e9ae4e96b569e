/**
 * Email addresses as the example stores and looks them up: trimmed and lower-cased, so
 * " Ada@Example.com" signs in to the account created as "ada@example.com".
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * One address in the shape the HTML standard gives `<input type="email">` (so the browser and the
 * server agree), and at most 254 characters (RFC 5321's path limit). A list such as
 * "a@example.com, b@example.com" does not match.
 */
const EMAIL_PATTERN =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `true` when `email` (normalized first) is a single valid address. */
export function isValidEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_PATTERN.test(email);
}
