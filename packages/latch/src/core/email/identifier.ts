/**
 * The email identifier of a magic-link sign-in: what the user typed, made into exactly one plain
 * address before anything is stored or sent. Unicode is folded (NFKC) first and checked after,
 * so a look-alike `＠` or `﹐` cannot pass as a harmless character and become a second `@` or a
 * comma in a mailer (GHSA-7rqj-j65f-68wh); quotes, list separators and line breaks are refused
 * outright, so no mailer can read more than one recipient into it (GHSA-xv97-c62v-4587,
 * GHSA-5jpx-9hw9-2fx4).
 */

/** The longest address SMTP can carry (RFC 5321 §4.5.3.1.3 path limit, less the brackets). */
export const MAX_ADDRESS_LENGTH = 254;
// Input longer than this is refused before Unicode folding, so no one makes latch fold megabytes.
const MAX_INPUT_LENGTH = 1024;

// Characters a plain address never needs and a mailer may read as syntax: quotes, comments,
// lists, groups, routes, brackets, escapes, `@` in the wrong place; and every control, format
// (zero-width) and space character.
const FORBIDDEN = /["(),:;<>[\]\\\p{Cc}\p{Cf}\p{Z}\s]/u;
// What is refused in any identifier, even one a custom normalizer accepted: anything that could
// end a header line or hide in one.
const UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * latch's default normalizer: NFKC, then trim and lower-case, then exactly one plain address —
 * one `@`, a non-empty local part and domain, no quotes, commas, semicolons, whitespace, line
 * breaks or angle brackets, at most 254 characters. Returns `undefined` to refuse.
 *
 * @example
 * ```ts
 * normalizeEmailAddress(" Alice@Example.COM ") // "alice@example.com"
 * normalizeEmailAddress("a@x.com＠evil.com")    // undefined: NFKC makes the ＠ a second @
 * ```
 */
export function normalizeEmailAddress(input: unknown): string | undefined {
  if (typeof input !== "string" || input.length > MAX_INPUT_LENGTH) return undefined;
  const address = input.normalize("NFKC").trim().toLowerCase();
  if (address.length === 0 || address.length > MAX_ADDRESS_LENGTH) return undefined;
  if (FORBIDDEN.test(address)) return undefined;
  const parts = address.split("@");
  if (parts.length !== 2) return undefined;
  const [local, domain] = parts as [string, string];
  if (local.length === 0 || local.length > 64 || domain.length === 0) return undefined;
  // A domain is dot-separated labels: none empty (no leading, trailing or doubled dot).
  if (domain.split(".").some((label) => label.length === 0 || label.length > 63)) return undefined;
  return address;
}

/**
 * Applies a normalizer — the app's `normalizeIdentifier` or latch's — and refuses what no
 * normalizer may let through: an empty result, control or format characters (CR/LF above all),
 * more than 254 characters. Returns `undefined` to refuse; a throwing normalizer refuses too.
 */
export function applyNormalizer(normalize: ((identifier: string) => string) | undefined, input: unknown): string | undefined {
  if (!normalize) return normalizeEmailAddress(input);
  if (typeof input !== "string" || input.length > MAX_INPUT_LENGTH) return undefined;
  let result: unknown;
  try {
    result = normalize(input);
  } catch {
    return undefined;
  }
  if (typeof result !== "string" || result.length === 0 || result.length > MAX_ADDRESS_LENGTH || UNSAFE.test(result)) return undefined;
  return result;
}

/**
 * The address a sign-in link carries, as it was stored: the normalizer ran when the link was sent
 * (an app's own may not give the same answer twice: `login => login + "@corp.example"`). The
 * default one is idempotent and checks the shape again; an app's normalizer is not run a second
 * time, and the stored token must name this very address anyway (`consumeVerificationToken`).
 *
 * @example
 * ```ts
 * linkIdentifier(provider.normalizeIdentifier, action.body.email); // "jdoe@corp.example"
 * ```
 */
export function linkIdentifier(normalize: ((identifier: string) => string) | undefined, input: unknown): string | undefined {
  if (!normalize) return normalizeEmailAddress(input);
  if (typeof input !== "string" || input.length === 0 || input.length > MAX_ADDRESS_LENGTH || UNSAFE.test(input)) return undefined;
  return input;
}
