/**
 * Session-token keys, derived as Auth.js derives them so its cookies stay readable:
 * HKDF-SHA-256(ikm = secret, salt = cookie name, info = "Auth.js Generated Encryption Key (<salt>)"),
 * 64 bytes for A256CBC-HS512 and 32 for A256GCM, each with its RFC 7638 thumbprint as `kid`
 * (SHA-512 for the 64-byte key, SHA-256 for the 32-byte one, after the key's bit length).
 *
 * Derivation costs more than a decrypt, so every result is cached: synchronously with
 * node:crypto, as a promise with WebCrypto.
 */
import { base64url, calculateJwkThumbprint } from "jose";
import { MissingSecret } from "../../errors.js";
import { nodeRuntime, type ContentEncryption, type ContentKey, type NodeRuntime, type SecretKeys } from "./jwe-fast.js";

const KEY_BYTES: Record<ContentEncryption, number> = { "A256CBC-HS512": 64, A256GCM: 32 };
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

function assertInputs(secret: unknown, salt: unknown): asserts secret is string {
  if (typeof secret !== "string" || secret.length === 0) {
    throw new MissingSecret("The session secret is empty or not a string: set AUTH_SECRET (generate one with `npx auth secret` or `openssl rand -base64 33`).");
  }
  if (typeof salt !== "string") throw new TypeError("The session-token salt must be a string (the session cookie's name).");
  if (new TextEncoder().encode(keyInfo(salt)).length > MAX_INFO_BYTES) throw new TypeError("The session-token salt is too long: keep it under 950 bytes.");
}

function thumbprintInput(k: string): string {
  // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
  return `{"k":"${k}","kty":"oct"}`;
}

function headerJson(enc: ContentEncryption, kid: string): string {
  return JSON.stringify({ alg: "dir", enc, kid });
}

function contentKeyWithNode(node: NodeRuntime, enc: ContentEncryption, secret: string, salt: string): ContentKey {
  const { Buffer } = node.buffer;
  const key = new Uint8Array(node.crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.from(salt, "utf8"), Buffer.from(keyInfo(salt), "utf8"), KEY_BYTES[enc]));
  const k = Buffer.from(key).toString("base64url");
  const kid = node.crypto.createHash(key.length === 64 ? "sha512" : "sha256").update(thumbprintInput(k)).digest("base64url");
  return { enc, key, kid, header: Buffer.from(headerJson(enc, kid), "utf8").toString("base64url") };
}

async function contentKeyWithWebCrypto(enc: ContentEncryption, secret: string, salt: string): Promise<ContentKey> {
  const utf8 = new TextEncoder();
  const ikm = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: utf8.encode(salt), info: utf8.encode(keyInfo(salt)) }, ikm, KEY_BYTES[enc] * 8);
  const key = new Uint8Array(bits);
  const kid = await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, key.length === 64 ? "sha512" : "sha256");
  return { enc, key, kid, header: base64url.encode(headerJson(enc, kid)) };
}

/**
 * The keys `secret` yields for `salt` (the cookie name), cached. Synchronous when node:crypto is
 * there, a promise otherwise. Throws `MissingSecret` for an empty secret.
 *
 * @example
 * ```ts
 * const keys = await deriveSecretKeys(process.env.AUTH_SECRET!, "authjs.session-token");
 * keys.cbc.kid; // the `kid` of every token this secret writes
 * ```
 */
export function deriveSecretKeys(secret: string, salt: string): SecretKeys | Promise<SecretKeys> {
  assertInputs(secret, salt);
  const id = `${salt.length}:${salt}:${secret}`;
  const cached = cache.get(id);
  if (cached) return cached;
  if (nodeRuntime) {
    const keys: SecretKeys = {
      cbc: contentKeyWithNode(nodeRuntime, "A256CBC-HS512", secret, salt),
      gcm: contentKeyWithNode(nodeRuntime, "A256GCM", secret, salt),
    };
    remember(id, keys);
    return keys;
  }
  const pending = Promise.all([contentKeyWithWebCrypto("A256CBC-HS512", secret, salt), contentKeyWithWebCrypto("A256GCM", secret, salt)]).then(
    ([cbc, gcm]): SecretKeys => {
      const keys: SecretKeys = { cbc, gcm };
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
