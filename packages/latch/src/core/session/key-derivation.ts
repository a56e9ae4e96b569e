/**
 * Session-token keys, derived as Auth.js derives them so its cookies stay readable:
 * HKDF-SHA-256(ikm = secret, salt = cookie name, info = "Auth.js Generated Encryption Key (<salt>)"),
 * 64 bytes for A256CBC-HS512 and 32 for A256GCM, each with its RFC 7638 thumbprint as `kid`
 * (SHA-512 for the 64-byte key, SHA-256 for the 32-byte one, after the key's bit length).
 *
 * This module holds the rules and the cache; the cryptography is a `KeyDerivation` — node:crypto
 * (jwe-fast.ts) or WebCrypto (jwe-web.ts) — so a bundle carries only the one it uses.
 * Derivation costs more than a decrypt, so every result is cached: synchronously with
 * node:crypto, as a promise with WebCrypto.
 */
import { MissingSecret } from "../../errors.js";
import type { ContentEncryption, ContentKey, SecretKeys } from "./jwe-checks.js";

/**
 * How one runtime derives a content key.
 *
 * @example
 * ```ts
 * const key = await webCryptoKeys.derive("A256CBC-HS512", secret, "authjs.session-token");
 * ```
 */
export interface KeyDerivation {
  /** Keeps each derivation's cache entries apart. */
  readonly id: string;
  derive(enc: ContentEncryption, secret: string, salt: string): ContentKey | Promise<ContentKey>;
}

/** Bytes of key each content encryption takes. */
export const KEY_BYTES: Readonly<Record<ContentEncryption, number>> = { "A256CBC-HS512": 64, A256GCM: 32 };
/** node:crypto's HKDF refuses longer `info`; checked everywhere so runtimes agree. */
const MAX_INFO_BYTES = 1024;
const CACHE_LIMIT = 128;

const cache = new Map<string, SecretKeys | Promise<SecretKeys>>();

function remember(id: string, value: SecretKeys | Promise<SecretKeys>): void {
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(id, value);
}

/**
 * The HKDF `info` Auth.js uses for a salt.
 *
 * @example
 * ```ts
 * keyInfo("authjs.session-token"); // "Auth.js Generated Encryption Key (authjs.session-token)"
 * ```
 */
export function keyInfo(salt: string): string {
  return `Auth.js Generated Encryption Key (${salt})`;
}

/**
 * RFC 7638 §3.2 thumbprint input of an `oct` key whose base64url value is `k`: the required
 * members only, in lexicographic order, no whitespace.
 *
 * @example
 * ```ts
 * thumbprintInput("AQID"); // '{"k":"AQID","kty":"oct"}'
 * ```
 */
export function thumbprintInput(k: string): string {
  return `{"k":"${k}","kty":"oct"}`;
}

/**
 * The protected header a key writes, as JSON.
 *
 * @example
 * ```ts
 * headerJson("A256CBC-HS512", kid); // '{"alg":"dir","enc":"A256CBC-HS512","kid":"…"}'
 * ```
 */
export function headerJson(enc: ContentEncryption, kid: string): string {
  return JSON.stringify({ alg: "dir", enc, kid });
}

function assertInputs(secret: unknown, salt: unknown): asserts secret is string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new MissingSecret("The session secret is empty or not a string: set AUTH_SECRET (generate one with `npx auth secret` or `openssl rand -base64 33`).");
  }
  if (typeof salt !== "string") throw new TypeError("The session-token salt must be a string (the session cookie's name).");
  if (new TextEncoder().encode(keyInfo(salt)).length > MAX_INFO_BYTES) throw new TypeError("The session-token salt is too long: keep it under 950 bytes.");
}

/**
 * The keys `secret` yields for `salt` (the cookie name) with `derivation`, cached. Synchronous
 * when the derivation is, a promise otherwise. Throws `MissingSecret` for an empty secret.
 *
 * @example
 * ```ts
 * const keys = await deriveKeysWith(webCryptoKeys, process.env.AUTH_SECRET!, "authjs.session-token");
 * keys.cbc.kid; // the `kid` of every token this secret writes
 * ```
 */
export function deriveKeysWith(derivation: KeyDerivation, secret: string, salt: string): SecretKeys | Promise<SecretKeys> {
  assertInputs(secret, salt);
  const id = `${derivation.id}:${salt.length}:${salt}:${secret}`;
  const cached = cache.get(id);
  if (cached) return cached;
  const cbc = derivation.derive("A256CBC-HS512", secret, salt);
  const gcm = derivation.derive("A256GCM", secret, salt);
  if (!(cbc instanceof Promise) && !(gcm instanceof Promise)) {
    const keys: SecretKeys = { cbc, gcm };
    remember(id, keys);
    return keys;
  }
  const pending = Promise.all([cbc, gcm]).then(
    ([cbcKey, gcmKey]): SecretKeys => {
      const keys: SecretKeys = { cbc: cbcKey, gcm: gcmKey };
      // Swap the promise for its value so later lookups skip a microtask.
      if (cache.get(id) === pending) cache.set(id, keys);
      return keys;
    },
    (error: unknown) => {
      cache.delete(id);
      throw error;
    },
  );
  remember(id, pending);
  return pending;
}
