import { createHash } from "node:crypto";

/** What doctor can tell about a secret without printing it. */
export interface SecretStrength {
  /** UTF-8 length. */
  bytes: number;
  /** An upper bound on the entropy, from length and alphabet: a random value reaches it, a chosen one does not. */
  bits: number;
  /** Why the value is certainly not random, if it is not. */
  flaw: "placeholder" | "repetitive" | "phrase" | undefined;
}

/** latch derives 256-bit keys: a secret with less entropy than that is the weakest link. */
export const RECOMMENDED_BITS = 256;
/** Below this an offline guess against a session cookie is within reach. */
export const MINIMUM_BITS = 128;

// Values people leave in env files. Compared after lowercasing and dropping everything but letters and digits.
const PLACEHOLDERS = new Set([
  "secret",
  "changeme",
  "changethis",
  "changeit",
  "password",
  "passw0rd",
  "yoursecret",
  "mysecret",
  "supersecret",
  "authsecret",
  "nextauthsecret",
  "replaceme",
  "todo",
  "test",
  "testsecret",
  "development",
  "dev",
  "default",
  "example",
  "xxx",
  "insertsecrethere",
  "generateme",
  "putyoursecrethere",
  "yoursecrethere",
  "somesecret",
  "secretkey",
  "abc123",
  "123456",
  "12345678",
  "qwerty",
]);

/** Printable: shows two environments share a secret without saying what it is. Only for strong secrets. */
export function fingerprint(secret: string): string {
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 8)}`;
}

function isPlaceholder(secret: string): boolean {
  const squashed = secret.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (PLACEHOLDERS.has(squashed)) return true;
  // "<your secret>", "your-secret-here", "change_me_in_production", "...".
  return /^<.*>$/.test(secret.trim()) || /^\.+$/.test(secret.trim()) || /(changeme|replaceme|yoursecret|secrethere|generateone|changethis|insert)/.test(squashed);
}

// "Almost no distinct characters" grows with the length, but stays below the smallest alphabet a
// generator uses (decimal digits, 10; hex, 16): a long random hex or digit string uses all of its.
const MAX_FEW_DISTINCT = 8;

function isRepetitive(secret: string): boolean {
  if (secret.length < 2) return false;
  // One short unit repeated ("aaaa…", "abcabc…"), or almost no distinct characters.
  if (/^([\s\S]{1,8}?)\1+[\s\S]{0,8}$/.test(secret)) return true;
  return new Set(secret).size <= Math.min(MAX_FEW_DISTINCT, Math.max(2, Math.floor(secret.length / 16)));
}

function alphabetBits(secret: string): number {
  if (/^[0-9a-f]+$/i.test(secret)) return 4;
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)) return 6;
  let pool = 0;
  if (/[a-z]/.test(secret)) pool += 26;
  if (/[A-Z]/.test(secret)) pool += 26;
  if (/[0-9]/.test(secret)) pool += 10;
  if (/[^A-Za-z0-9]/.test(secret)) pool += 33;
  return Math.log2(Math.max(pool, 2));
}

/**
 * Estimates a secret's strength: placeholders, repeated patterns and word phrases are flagged;
 * otherwise `bits` is length × bits per character of the alphabet it uses (hex 4, base64 6).
 *
 * @example
 * ```ts
 * measureSecret("changeme").flaw; // "placeholder"
 * measureSecret(randomBytes(32).toString("base64")).bits; // 258
 * ```
 */
export function measureSecret(secret: string): SecretStrength {
  const bytes = Buffer.byteLength(secret, "utf8");
  const body = secret.replace(/=+$/, "");
  const bits = Math.floor(body.length * alphabetBits(body));
  let flaw: SecretStrength["flaw"];
  if (isPlaceholder(secret)) flaw = "placeholder";
  else if (isRepetitive(secret)) flaw = "repetitive";
  // Words joined by spaces or dashes: each word is worth far less than its letters suggest.
  else if (/^[a-z]+([ _-][a-z]+)+$/i.test(secret.trim())) flaw = "phrase";
  return { bytes, bits, flaw };
}
