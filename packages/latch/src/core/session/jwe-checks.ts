/**
 * What every path that opens a session token shares, whatever does the cryptography — node:crypto
 * (jwe-fast.ts), WebCrypto (jwe-web.ts) or jose (codec.ts): the key types, strict base64url, and
 * the shape, header and claims checks, so that every path accepts exactly the same tokens.
 * No crypto and no runtime lookups here: the lean proxy bundles this module alone.
 */
import type { JWT } from "../../types.js";

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

/** The keys to try on a token, and its header when it had to be parsed. */
export interface Candidates {
  readonly keys: readonly ContentKey[];
  /** `undefined` when the header is byte-for-byte one a secret writes (nothing else to check). */
  readonly header: CheckedHeader | undefined;
}

/**
 * The keys to try on a token whose protected header is `header` (base64url). Tokens latch or
 * Auth.js wrote carry byte-for-byte the header a secret writes: that secret's key, unparsed.
 * Otherwise the header is decoded (`decodeUtf8` gives `undefined` for bytes that are not UTF-8),
 * checked, and its `kid` picks the keys. Shared by every runtime's path so they refuse alike.
 *
 * @example
 * ```ts
 * const candidates = candidateKeys(parts.header, secrets, decodeHeader);
 * if (typeof candidates === "string") return candidates; // "malformed", "unsupported", "no-key"
 * ```
 */
export function candidateKeys(header: string, secrets: readonly SecretKeys[], decodeUtf8: (header: string) => string | undefined): Candidates | RejectReason {
  for (const secret of secrets) {
    if (secret.cbc.header === header) return { keys: [secret.cbc], header: undefined };
  }
  const json = decodeUtf8(header);
  if (json === undefined) return "malformed";
  const checked = checkHeader(json);
  if (typeof checked === "string") return checked;
  const keys = selectKeys(secrets, checked);
  return keys.length === 0 ? "no-key" : { keys, header: checked };
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

/**
 * One runtime's session-token cryptography: node:crypto (`nodeJwe` in jwe-fast.ts), WebCrypto
 * (`webJwe` in jwe-web.ts) or jose (codec.ts). A codec is built on one, so a bundle carries only
 * the paths it uses.
 *
 * @example
 * ```ts
 * const keys = await webJwe.keys(secret, "authjs.session-token");
 * const claims = await webJwe.open(token, [keys], Math.floor(Date.now() / 1000));
 * ```
 */
export interface SessionJwe {
  /** The keys of one secret for one salt, cached. Throws `MissingSecret` for an empty secret. */
  keys(secret: string, salt: string): SecretKeys | Promise<SecretKeys>;
  /** The claims of a valid token, or why it was refused; rejects only when the runtime's crypto fails. */
  open(token: string, secrets: readonly SecretKeys[], nowSeconds: number): JWT | RejectReason | Promise<JWT | RejectReason>;
  /** Encrypts the claims with A256CBC-HS512 under `key`, writing `key.header`. */
  seal(key: ContentKey, claims: Record<string, unknown>): string | Promise<string>;
  /** A random UUID, for `jti`. */
  uuid(): string;
}
