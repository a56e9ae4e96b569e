/**
 * The session token's JWE with WebCrypto, for runtimes without node:crypto (a Next 15
 * middleware on the Edge runtime) where jose is not wanted: the lean proxy (`latch/proxy`),
 * whose bundle must stay small. AES-256-CBC + HMAC-SHA-512 (RFC 7518 §5.2.5) to seal and
 * open, AES-256-GCM to open, HKDF to derive the keys. Shape, header and claims checks are
 * jwe-checks.ts's, so this path accepts exactly the tokens the node:crypto path accepts;
 * jwe-web.test.ts cross-checks both against jose.
 */
import type { JWT } from "../../types.js";
import { decodeBase64url, encodeBase64url } from "./base64url.js";
import { candidateKeys, checkClaims, splitCompact, type ContentEncryption, type ContentKey, type RejectReason, type SecretKeys, type SessionJwe } from "./jwe-checks.js";
import { KEY_BYTES, deriveKeysWith, headerJson, keyInfo, thumbprintInput, type KeyDerivation } from "./key-derivation.js";

type Bytes = Uint8Array<ArrayBuffer>;

// Imported CryptoKeys per content key: ContentKey objects are cached by key-derivation.ts, so
// these are too. An import that failed fails again (a bad key stays bad), so it is kept as is.
const cbcKeys = new WeakMap<ContentKey, Promise<[mac: CryptoKey, aes: CryptoKey]>>();
const gcmKeys = new WeakMap<ContentKey, Promise<CryptoKey>>();

function cbcKeysOf(key: ContentKey): Promise<[CryptoKey, CryptoKey]> {
  let keys = cbcKeys.get(key);
  if (!keys) {
    const raw: Bytes = new Uint8Array(key.key);
    keys = Promise.all([
      crypto.subtle.importKey("raw", raw.subarray(0, 32), { name: "HMAC", hash: "SHA-512" }, false, ["sign"]),
      crypto.subtle.importKey("raw", raw.subarray(32), "AES-CBC", false, ["encrypt", "decrypt"]),
    ]);
    cbcKeys.set(key, keys);
  }
  return keys;
}

function gcmKeyOf(key: ContentKey): Promise<CryptoKey> {
  let aes = gcmKeys.get(key);
  if (!aes) {
    aes = crypto.subtle.importKey("raw", new Uint8Array(key.key), "AES-GCM", false, ["decrypt"]);
    gcmKeys.set(key, aes);
  }
  return aes;
}

/** RFC 7518 §5.2.2.1: HMAC over AAD ‖ IV ‖ ciphertext ‖ AL (the AAD's bit length, 64-bit big-endian), cut to 32 bytes. */
async function macTag(mac: CryptoKey, aad: Bytes, iv: Bytes, ciphertext: Bytes): Promise<Bytes> {
  const data = new Uint8Array(aad.length + iv.length + ciphertext.length + 8);
  data.set(aad, 0);
  data.set(iv, aad.length);
  data.set(ciphertext, aad.length + iv.length);
  const bits = aad.length * 8;
  const al = new DataView(data.buffer, data.length - 8);
  al.setUint32(0, Math.floor(bits / 0x1_0000_0000));
  al.setUint32(4, bits >>> 0);
  return new Uint8Array(await crypto.subtle.sign("HMAC", mac, data), 0, 32);
}

/** Compares in time that depends only on the length, as `timingSafeEqual` does. */
function sameBytes(a: Bytes, b: Bytes): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

// `ignoreBOM` keeps a leading U+FEFF, which JSON.parse then refuses: as Buffer#toString on the
// node:crypto path does (jose strips it; latch never writes one).
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Bytes): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

async function openCbcHs512(key: ContentKey, aad: Bytes, iv: Bytes, ciphertext: Bytes, tag: Bytes): Promise<Bytes | undefined> {
  if (iv.length !== 16 || tag.length !== 32 || ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  const [mac, aes] = await cbcKeysOf(key);
  // Authenticate before touching the ciphertext: no padding oracle.
  if (!sameBytes(await macTag(mac, aad, iv, ciphertext), tag)) return undefined;
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-CBC", iv }, aes, ciphertext));
  } catch {
    return undefined;
  }
}

async function openA256Gcm(key: ContentKey, aad: Bytes, iv: Bytes, ciphertext: Bytes, tag: Bytes): Promise<Bytes | undefined> {
  if (iv.length !== 12 || tag.length !== 16) return undefined;
  const aes = await gcmKeyOf(key);
  const sealed = new Uint8Array(ciphertext.length + 16);
  sealed.set(ciphertext, 0);
  sealed.set(tag, ciphertext.length);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad, tagLength: 128 }, aes, sealed));
  } catch {
    return undefined;
  }
}


/**
 * Decrypts and validates a compact JWE with WebCrypto. Returns the claims or why the token was
 * refused; rejects only when WebCrypto itself fails (a key cannot be imported).
 *
 * @example
 * ```ts
 * const claims = await openCompactWeb(token, [keys], Math.floor(Date.now() / 1000));
 * if (typeof claims === "string") return null; // refused
 * ```
 */
export async function openCompactWeb(token: string, secrets: readonly SecretKeys[], nowSeconds: number): Promise<JWT | RejectReason> {
  const parts = splitCompact(token);
  if (typeof parts === "string") return parts;
  const candidates = candidateKeys(parts.header, secrets, (header) => decodeUtf8(decodeBase64url(header)));
  if (typeof candidates === "string") return candidates;

  // The header is strict base64url, so its characters are its ASCII bytes (the AAD).
  const aad = new TextEncoder().encode(parts.header);
  const iv = decodeBase64url(parts.iv);
  const ciphertext = decodeBase64url(parts.ciphertext);
  const tag = decodeBase64url(parts.tag);
  let plaintext: Bytes | undefined;
  for (const candidate of candidates.keys) {
    const open = candidate.enc === "A256GCM" ? openA256Gcm : openCbcHs512;
    plaintext = await open(candidate, aad, iv, ciphertext, tag);
    if (plaintext) break;
  }
  if (!plaintext) return "decryption-failed";
  const json = decodeUtf8(plaintext);
  if (json === undefined) return "invalid-claims";
  return checkClaims(json, candidates.header?.fields, nowSeconds);
}

/**
 * Encrypts `plaintext` (UTF-8) with A256CBC-HS512 under `key` and returns the compact JWE.
 * `iv` is random unless given (tests pass one to compare bytes with jose).
 *
 * @example
 * ```ts
 * const token = await sealCbcHs512Web(keys.cbc, JSON.stringify({ sub: "1" }));
 * ```
 */
export async function sealCbcHs512Web(key: ContentKey, plaintext: string, iv: Bytes = crypto.getRandomValues(new Uint8Array(16))): Promise<string> {
  const [mac, aes] = await cbcKeysOf(key);
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aes, new TextEncoder().encode(plaintext)));
  const tag = await macTag(mac, new TextEncoder().encode(key.header), iv, ciphertext);
  return `${key.header}..${encodeBase64url(iv)}.${encodeBase64url(ciphertext)}.${encodeBase64url(tag)}`;
}

/**
 * HKDF with WebCrypto (see key-derivation.ts); the `kid` is the SHA-512 (SHA-256 for the 32-byte
 * key) of the key's RFC 7638 thumbprint input.
 *
 * @example
 * ```ts
 * const keys = await deriveKeysWith(webCryptoKeys, secret, "authjs.session-token");
 * ```
 */
export const webCryptoKeys: KeyDerivation = {
  id: "web",
  async derive(enc: ContentEncryption, secret: string, salt: string): Promise<ContentKey> {
    const utf8 = new TextEncoder();
    const ikm = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: utf8.encode(salt), info: utf8.encode(keyInfo(salt)) }, ikm, KEY_BYTES[enc] * 8);
    const key = new Uint8Array(bits);
    const digest = await crypto.subtle.digest(key.length === 64 ? "SHA-512" : "SHA-256", utf8.encode(thumbprintInput(encodeBase64url(key))));
    const kid = encodeBase64url(new Uint8Array(digest));
    return { enc, key, kid, header: encodeBase64url(headerJson(enc, kid)) };
  },
};

/**
 * The session-token cryptography on WebCrypto: what runs where node:crypto does not (Edge).
 *
 * @example
 * ```ts
 * const codecFor = codecCache(webJwe);
 * ```
 */
export const webJwe: SessionJwe = {
  keys: (secret, salt) => deriveKeysWith(webCryptoKeys, secret, salt),
  open: openCompactWeb,
  seal: (key, claims) => sealCbcHs512Web(key, JSON.stringify(claims)),
  uuid: () => crypto.randomUUID(),
};
