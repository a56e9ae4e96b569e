/**
 * The session token's JWE (RFC 7516 compact form, `alg: "dir"`) done with node:crypto's
 * synchronous primitives: AES-256-CBC + HMAC-SHA-512 (RFC 7518 §5.2.5) to seal and open,
 * AES-256-GCM to open, HKDF to derive the keys. The checks every path shares are jwe-checks.ts's
 * (re-exported here), so the node:crypto, WebCrypto and jose paths accept exactly the same tokens.
 *
 * node:crypto is looked up at run time, never imported, so this module still loads where it
 * does not exist (Edge); there `nodeRuntime` is `undefined` and callers use jose (the engine) or
 * jwe-web.ts (the lean proxy) instead.
 */
import type * as NodeCrypto from "node:crypto";
import type * as NodeBuffer from "node:buffer";
import type { JWT } from "../../types.js";
import { candidateKeys, checkClaims, splitCompact, type ContentEncryption, type ContentKey, type RejectReason, type SecretKeys, type SessionJwe } from "./jwe-checks.js";
import { KEY_BYTES, deriveKeysWith, headerJson, keyInfo, thumbprintInput, type KeyDerivation } from "./key-derivation.js";

export * from "./jwe-checks.js";

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
// Pure: a bundle that never reads `nodeRuntime` (the lean proxy) drops the probe with it.
export const nodeRuntime: NodeRuntime | undefined = /* @__PURE__ */ loadNodeRuntime();

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
  const candidates = candidateKeys(parts.header, secrets, (header) => decodeUtf8(node, Buffer.from(header, "base64url")));
  if (typeof candidates === "string") return candidates;

  const aad = Buffer.from(parts.header, "latin1");
  const iv = Buffer.from(parts.iv, "base64url");
  const ciphertext = Buffer.from(parts.ciphertext, "base64url");
  const tag = Buffer.from(parts.tag, "base64url");
  let plaintext: Uint8Array | undefined;
  for (const candidate of candidates.keys) {
    const open = candidate.enc === "A256GCM" ? openA256Gcm : openCbcHs512;
    plaintext = open(node, candidate.key, aad, iv, ciphertext, tag);
    if (plaintext) break;
  }
  if (!plaintext) return "decryption-failed";
  const json = decodeUtf8(node, plaintext);
  if (json === undefined) return "invalid-claims";
  return checkClaims(json, candidates.header?.fields, nowSeconds);
}

const nodeDerivations = new WeakMap<NodeRuntime, KeyDerivation>();

/**
 * HKDF with node:crypto, synchronously (see key-derivation.ts).
 *
 * @example
 * ```ts
 * const keys = deriveKeysWith(nodeKeys(nodeRuntime), secret, "authjs.session-token"); // SecretKeys, not a promise
 * ```
 */
export function nodeKeys(node: NodeRuntime): KeyDerivation {
  let derivation = nodeDerivations.get(node);
  if (!derivation) {
    derivation = {
      id: "node",
      derive(enc: ContentEncryption, secret: string, salt: string): ContentKey {
        const { Buffer } = node.buffer;
        const key = new Uint8Array(node.crypto.hkdfSync("sha256", Buffer.from(secret, "utf8"), Buffer.from(salt, "utf8"), Buffer.from(keyInfo(salt), "utf8"), KEY_BYTES[enc]));
        const k = Buffer.from(key).toString("base64url");
        const kid = node.crypto.createHash(key.length === 64 ? "sha512" : "sha256").update(thumbprintInput(k)).digest("base64url");
        return { enc, key, kid, header: Buffer.from(headerJson(enc, kid), "utf8").toString("base64url") };
      },
    };
    nodeDerivations.set(node, derivation);
  }
  return derivation;
}

/**
 * The session-token cryptography on node:crypto: synchronous, and an order of magnitude faster
 * than WebCrypto for tokens this small.
 *
 * @example
 * ```ts
 * const jwe = nodeRuntime ? nodeJwe(nodeRuntime) : webJwe;
 * ```
 */
export function nodeJwe(node: NodeRuntime): SessionJwe {
  const derivation = nodeKeys(node);
  return {
    keys: (secret, salt) => deriveKeysWith(derivation, secret, salt),
    open: (token, secrets, nowSeconds) => openCompact(node, token, secrets, nowSeconds),
    seal: (key, claims) => sealCbcHs512(node, key, JSON.stringify(claims)),
    uuid: () => node.crypto.randomUUID(),
  };
}
