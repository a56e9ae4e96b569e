/**
 * The session token's JWE (RFC 7516 compact form, `alg: "dir"`) done with node:crypto's
 * synchronous primitives: AES-256-CBC + HMAC-SHA-512 (RFC 7518 §5.2.5) to seal and open,
 * AES-256-GCM to open. Also the runtime-neutral parts every path shares — strict base64url,
 * header and claims checks — so the node:crypto path and the jose path accept exactly the same
 * tokens.
 *
 * node:crypto is looked up at run time, never imported, so this module still loads where it
 * does not exist (Edge); there `nodeRuntime` is `undefined` and callers use jose instead.
 */
import type * as NodeCrypto from "node:crypto";
import type * as NodeBuffer from "node:buffer";
import type { JWT } from "../../types.js";

/** The node:crypto and node:buffer modules, when the runtime has them. */
export interface NodeRuntime {
  readonly crypto: typeof NodeCrypto;
  readonly buffer: typeof NodeBuffer;
}

function loadNodeRuntime(): NodeRuntime | undefined {
  try {
    const crypto = globalThis.process?.getBuiltinModule?.("node:crypto");
    const buffer = globalThis.process?.getBuiltinModule?.("node:buffer");
    // Some runtimes stub node modules partially; use the fast path only when everything it needs is there.
    if (typeof crypto?.createHmac !== "function" || typeof crypto.createDecipheriv !== "function" || typeof buffer?.isUtf8 !== "function") return undefined;
    return { crypto, buffer };
  } catch {
    return undefined;
  }
}

/**
 * node:crypto and node:buffer, resolved once when this module loads; `undefined` on Edge.
 *
 * @example
 * ```ts
 * if (nodeRuntime) nodeRuntime.crypto.randomUUID();
 * ```
 */
export const nodeRuntime: NodeRuntime | undefined = loadNodeRuntime();

/** The content encryptions a session token may use; only the first is ever written. */
export type ContentEncryption = "A256CBC-HS512" | "A256GCM";

/** A content-encryption key derived from one secret, with everything about it that never changes. */
export interface ContentKey {
  readonly enc: ContentEncryption;
  /** 64 bytes for A256CBC-HS512 (MAC key ‖ ENC key), 32 for A256GCM. */
  readonly key: Uint8Array;
  /** RFC 7638 thumbprint of the key as an `oct` JWK. */
  readonly kid: string;
  /** The base64url protected header `{"alg":"dir","enc":…,"kid":…}` this key writes. */
  readonly header: string;
}

/** The keys one secret yields for one salt. */
export interface SecretKeys {
  readonly cbc: ContentKey;
  readonly gcm: ContentKey;
}

/** Why a token was refused; turned into a message by the public `decode`, into `null` elsewhere. */
export type RejectReason = "malformed" | "unsupported" | "no-key" | "decryption-failed" | "invalid-claims" | "expired" | "not-yet-valid";

/** Seconds of clock skew tolerated on `exp` and `nbf`, as Auth.js does. */
export const CLOCK_TOLERANCE = 15;

/**
 * Longest token looked at. Far above any cookie a browser sends (a session cookie is chunked
 * at 3936 characters and request headers are capped well below this) but bounds the work an
 * attacker can ask for.
 */
export const MAX_TOKEN_LENGTH = 1 << 20;

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function sextet(code: number): number {
  if (code >= 97) return code - 71; // a-z
  if (code >= 65) return code - 65; // A-Z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  return code === 45 ? 62 : 63; // "-" or "_"
}

/**
 * True for canonical unpadded base64url: only `[A-Za-z0-9_-]`, a length no encoder produces
 * ruled out, and zero unused bits in the last character — exactly the strings that survive a
 * decode/encode round trip. Decoders (atob, Buffer) are lenient about all three, which would
 * let one token have many spellings.
 *
 * @example
 * ```ts
 * isStrictBase64url("AQID"); // true
 * isStrictBase64url("AQJ"); // false: "J" carries bits "Q" would not
 * ```
 */
export function isStrictBase64url(value: string): boolean {
  const rest = value.length & 3;
  if (rest === 1 || !BASE64URL.test(value)) return false;
  if (rest === 0) return true;
  const last = sextet(value.charCodeAt(value.length - 1));
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
}

/**
 * True for what `JSON.parse` makes of `{…}` (and `Object.create(null)`), as jose tests objects.
 *
 * @example
 * ```ts
 * isPlainObject({ a: 1 }); // true
 * isPlainObject([1]); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A protected header that passed every check, with the parts the rest of decoding needs. */
export interface CheckedHeader {
  readonly enc: ContentEncryption;
  readonly kid: string | undefined;
  readonly fields: Record<string, unknown>;
}

/**
 * Checks a decoded protected header: a JSON object with `alg: "dir"`, a known `enc`, a string
 * `kid` if any, and neither `zip` (compression oracles) nor `crit` (no extension is understood).
 *
 * @example
 * ```ts
 * checkHeader('{"alg":"dir","enc":"A256GCM"}'); // { enc: "A256GCM", kid: undefined, … }
 * checkHeader('{"alg":"none"}'); // "unsupported"
 * ```
 */
export function checkHeader(json: string): CheckedHeader | RejectReason {
  let fields: unknown;
  try {
    fields = JSON.parse(json);
  } catch {
    return "malformed";
  }
  if (!isPlainObject(fields)) return "malformed";
  const { alg, enc, kid } = fields;
  if (alg !== "dir" || (enc !== "A256CBC-HS512" && enc !== "A256GCM")) return "unsupported";
  if (Object.hasOwn(fields, "zip") || Object.hasOwn(fields, "crit")) return "unsupported";
  if (kid !== undefined && typeof kid !== "string") return "no-key";
  return { enc, kid, fields };
}

/**
 * Picks the keys to try: the one whose thumbprint is the header's `kid`, or — without a `kid` —
 * every secret's, first to last.
 *
 * @example
 * ```ts
 * selectKeys(secrets, { enc: "A256CBC-HS512", kid, fields }); // [secrets[i].cbc] or []
 * ```
 */
export function selectKeys(secrets: readonly SecretKeys[], header: CheckedHeader): ContentKey[] {
  const pick = header.enc === "A256GCM" ? (s: SecretKeys) => s.gcm : (s: SecretKeys) => s.cbc;
  if (header.kid === undefined) return secrets.map(pick);
  for (const secret of secrets) {
    const key = pick(secret);
    if (key.kid === header.kid) return [key];
  }
  return [];
}

/**
 * Validates the decrypted claims as jose's `jwtDecrypt` does with `clockTolerance: 15`: a JSON
 * object; `iat`, `nbf`, `exp` numbers when present; `nbf` not after now + 15 s; `exp` after
 * now − 15 s; `iss`/`sub`/`aud` copied into the header equal to the claims.
 *
 * @example
 * ```ts
 * checkClaims('{"sub":"1","exp":2000000000}', undefined, 1700000000); // { sub: "1", exp: … }
 * ```
 */
export function checkClaims(json: string, header: Record<string, unknown> | undefined, nowSeconds: number): JWT | RejectReason {
  let claims: unknown;
  try {
    claims = JSON.parse(json);
  } catch {
    return "invalid-claims";
  }
  if (!isPlainObject(claims)) return "invalid-claims";
  const { iat, nbf, exp } = claims;
  if (iat !== undefined && typeof iat !== "number") return "invalid-claims";
  if (nbf !== undefined && typeof nbf !== "number") return "invalid-claims";
  if (exp !== undefined && typeof exp !== "number") return "invalid-claims";
  if (nbf !== undefined && nbf > nowSeconds + CLOCK_TOLERANCE) return "not-yet-valid";
  if (exp !== undefined && exp <= nowSeconds - CLOCK_TOLERANCE) return "expired";
  if (header) {
    if (header.iss !== undefined && header.iss !== claims.iss) return "invalid-claims";
    if (header.sub !== undefined && header.sub !== claims.sub) return "invalid-claims";
    if (header.aud !== undefined && JSON.stringify(header.aud) !== JSON.stringify(claims.aud)) return "invalid-claims";
  }
  return claims;
}

/** The five parts of a compact JWE, checked for shape only. */
export interface CompactParts {
  readonly header: string;
  readonly iv: string;
  readonly ciphertext: string;
  readonly tag: string;
}

/**
 * Splits a compact JWE and checks its shape: bounded length, five parts, an empty encrypted
 * key (`dir` has none), and strict base64url everywhere.
 *
 * @example
 * ```ts
 * splitCompact(token); // { header, iv, ciphertext, tag }, or a RejectReason such as "malformed"
 * ```
 */
export function splitCompact(token: string): CompactParts | RejectReason {
  if (token.length > MAX_TOKEN_LENGTH) return "malformed";
  const parts = token.split(".", 6);
  if (parts.length !== 5) return "malformed";
  const [header = "", encryptedKey, iv = "", ciphertext = "", tag = ""] = parts;
  if (encryptedKey !== "") return "unsupported";
  if (!header || !iv || !tag) return "malformed";
  if (!isStrictBase64url(header) || !isStrictBase64url(iv) || !isStrictBase64url(ciphertext) || !isStrictBase64url(tag)) return "malformed";
  return { header, iv, ciphertext, tag };
}

/** RFC 7518 §5.2.2.1 "AL": the AAD's length in bits as a 64-bit big-endian integer. */
function aadLengthBlock(node: NodeRuntime, aadBytes: number): Uint8Array {
  const al = node.buffer.Buffer.alloc(8);
  const bits = aadBytes * 8;
  al.writeUInt32BE(Math.floor(bits / 0x1_0000_0000), 0);
  al.writeUInt32BE(bits >>> 0, 4);
  return al;
}

function macTag(node: NodeRuntime, key: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return node.crypto.createHmac("sha512", key.subarray(0, 32)).update(aad).update(iv).update(ciphertext).update(aadLengthBlock(node, aad.length)).digest().subarray(0, 32);
}

const IV_POOL_BYTES = 16 * 256;
let ivPool: Uint8Array | undefined;
let ivOffset = IV_POOL_BYTES;

/**
 * A fresh random 16-byte IV. A synchronous `randomBytes(16)` costs more than the whole AES
 * encryption, so IVs are cut from a CSPRNG-filled pool (as Node pools `randomUUID`'s entropy);
 * every slice is handed out once, and used before the next call can refill the pool.
 */
function randomIv(node: NodeRuntime): Uint8Array {
  ivPool ??= new Uint8Array(IV_POOL_BYTES);
  if (ivOffset >= IV_POOL_BYTES) {
    node.crypto.randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + 16);
  ivOffset += 16;
  return iv;
}

/**
 * Encrypts `plaintext` (UTF-8) with A256CBC-HS512 under `key` and returns the compact JWE.
 * `iv` is random unless given (tests pass one to compare bytes with jose).
 *
 * @example
 * ```ts
 * const token = sealCbcHs512(nodeRuntime, keys.cbc, JSON.stringify({ sub: "1" }));
 * ```
 */
export function sealCbcHs512(node: NodeRuntime, key: ContentKey, plaintext: string, iv: Uint8Array = randomIv(node)): string {
  const { Buffer } = node.buffer;
  const cipher = node.crypto.createCipheriv("aes-256-cbc", key.key.subarray(32), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = macTag(node, key.key, Buffer.from(key.header, "latin1"), iv, ciphertext);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
  return `${key.header}..${b64(iv)}.${b64(ciphertext)}.${b64(tag)}`;
}

function openCbcHs512(node: NodeRuntime, key: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  if (iv.length !== 16 || tag.length !== 32 || ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
  // Authenticate before touching the ciphertext: no padding oracle.
  if (!node.crypto.timingSafeEqual(macTag(node, key, aad, iv, ciphertext), tag)) return undefined;
  try {
    const decipher = node.crypto.createDecipheriv("aes-256-cbc", key.subarray(32), iv);
    return node.buffer.Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function openA256Gcm(node: NodeRuntime, key: Uint8Array, aad: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array, tag: Uint8Array): Uint8Array | undefined {
  if (iv.length !== 12 || tag.length !== 16) return undefined;
  try {
    const decipher = node.crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return node.buffer.Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

function decodeUtf8(node: NodeRuntime, bytes: Uint8Array): string | undefined {
  if (!node.buffer.isUtf8(bytes)) return undefined;
  return node.buffer.Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/**
 * Decrypts and validates a compact JWE with node:crypto, synchronously. Returns the claims or
 * why the token was refused; never throws.
 *
 * @example
 * ```ts
 * const claims = openCompact(nodeRuntime, token, [keys], Math.floor(Date.now() / 1000));
 * if (typeof claims === "string") return null; // refused
 * ```
 */
export function openCompact(node: NodeRuntime, token: string, secrets: readonly SecretKeys[], nowSeconds: number): JWT | RejectReason {
  const parts = splitCompact(token);
  if (typeof parts === "string") return parts;
  const { Buffer } = node.buffer;

  // Tokens latch or Auth.js wrote carry byte-for-byte the header we would write: skip parsing it.
  let candidates: ContentKey[] | undefined;
  let header: CheckedHeader | undefined;
  for (const secret of secrets) {
    if (secret.cbc.header === parts.header) {
      candidates = [secret.cbc];
      break;
    }
  }
  if (!candidates) {
    const json = decodeUtf8(node, Buffer.from(parts.header, "base64url"));
    if (json === undefined) return "malformed";
    const checked = checkHeader(json);
    if (typeof checked === "string") return checked;
    header = checked;
    candidates = selectKeys(secrets, checked);
    if (candidates.length === 0) return "no-key";
  }

  const aad = Buffer.from(parts.header, "latin1");
  const iv = Buffer.from(parts.iv, "base64url");
  const ciphertext = Buffer.from(parts.ciphertext, "base64url");
  const tag = Buffer.from(parts.tag, "base64url");
  let plaintext: Uint8Array | undefined;
  for (const candidate of candidates) {
    const open = candidate.enc === "A256GCM" ? openA256Gcm : openCbcHs512;
    plaintext = open(node, candidate.key, aad, iv, ciphertext, tag);
    if (plaintext) break;
  }
  if (!plaintext) return "decryption-failed";
  const json = decodeUtf8(node, plaintext);
  if (json === undefined) return "invalid-claims";
  return checkClaims(json, header?.fields, nowSeconds);
}
