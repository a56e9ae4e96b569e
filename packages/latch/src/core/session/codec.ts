/**
 * The session-token codec behind `latch/jwt`: byte-compatible with Auth.js (`next-auth/jwt`),
 * so cookies next-auth issued stay valid. A JWE (`alg: "dir"`, `enc: "A256CBC-HS512"`) whose key
 * is derived from the secret and the cookie name; see keys.ts.
 *
 * With node:crypto the codec runs synchronously on it (an order of magnitude faster than
 * WebCrypto for tokens this small); elsewhere (Edge) it uses jose.
 */
import { EncryptJWT, base64url, jwtDecrypt } from "jose";
import { JWTSessionError } from "../../errors.js";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "../../types.js";
import { CLOCK_TOLERANCE, checkHeader, nodeJwe, nodeRuntime, selectKeys, splitCompact, type RejectReason, type SecretKeys, type SessionJwe } from "./jwe-fast.js";
import { webCryptoKeys } from "./jwe-web.js";
import { deriveKeysWith } from "./key-derivation.js";
import { codecCache, type SessionCodec } from "./session-codec.js";

export type { SessionCodec } from "./session-codec.js";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;

const REJECTED: Record<RejectReason, string> = {
  malformed: "The session token is malformed: expected a compact JWE of five base64url parts.",
  unsupported: 'The session token\'s header is not supported: expected alg "dir", enc "A256CBC-HS512" or "A256GCM", no "zip" and no "crit".',
  "no-key": "No secret matches the session token's key id: it was issued with another secret or salt (cookie name).",
  "decryption-failed": "The session token could not be decrypted: it was altered, or issued with another secret or salt (cookie name).",
  "invalid-claims": "The session token's payload is not a valid JWT claims set.",
  expired: "The session token has expired.",
  "not-yet-valid": 'The session token is not valid yet: its "nbf" is in the future.',
};

function joseReason(error: unknown): RejectReason {
  if (typeof error !== "object" || error === null || !("code" in error)) return "decryption-failed";
  switch (error.code) {
    case "ERR_JWT_EXPIRED":
      return "expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      return "claim" in error && error.claim === "nbf" ? "not-yet-valid" : "invalid-claims";
    case "ERR_JWT_INVALID":
      return "invalid-claims";
    default:
      return "decryption-failed";
  }
}

async function openWithJose(token: string, secrets: readonly SecretKeys[], now: number): Promise<JWT | RejectReason> {
  // Same shape and header checks as the node:crypto path, so both refuse the same tokens.
  const parts = splitCompact(token);
  if (typeof parts === "string") return parts;
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(base64url.decode(parts.header));
  } catch {
    return "malformed";
  }
  const header = checkHeader(json);
  if (typeof header === "string") return header;
  const candidates = selectKeys(secrets, header);
  if (candidates.length === 0) return "no-key";
  for (const candidate of candidates) {
    try {
      const { payload } = await jwtDecrypt<JWT>(token, candidate.key, {
        clockTolerance: CLOCK_TOLERANCE,
        keyManagementAlgorithms: ["dir"],
        contentEncryptionAlgorithms: [candidate.enc],
        currentDate: new Date(now * 1000),
      });
      return payload;
    } catch (error) {
      const reason = joseReason(error);
      if (reason !== "decryption-failed") return reason;
    }
  }
  return "decryption-failed";
}

/** Edge (no node:crypto): keys from WebCrypto, jose opens and seals. */
const joseJwe: SessionJwe = {
  keys: (secret, salt) => deriveKeysWith(webCryptoKeys, secret, salt),
  open: openWithJose,
  seal: (key, claims) => new EncryptJWT(claims).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: key.kid }).encrypt(key.key),
  uuid: () => crypto.randomUUID(),
};

const codecFor = codecCache(nodeRuntime ? nodeJwe(nodeRuntime) : joseJwe);

const currentSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * A cached codec for `secret` (the first encrypts, any decrypts) and `salt` (the cookie name).
 * Throws `MissingSecret` when no usable secret is given.
 *
 * @internal The engine's hot path; apps use `encode` / `decode` / `getToken`.
 * @example
 * ```ts
 * const codec = createSessionCodec([newSecret, oldSecret], "__Secure-authjs.session-token");
 * const token = await codec.encode({ sub: user.id }, 30 * 24 * 60 * 60);
 * ```
 */
export function createSessionCodec(secret: string | string[], salt: string): SessionCodec {
  return codecFor(secret, salt);
}

/**
 * Issues a session token as Auth.js does: the payload plus `iat`, `exp = iat + maxAge`
 * (default 30 days) and a fresh `jti`, encrypted with the first secret.
 *
 * @example
 * ```ts
 * import { encode } from "latch/jwt";
 * const token = await encode({ token: { sub: "42" }, secret: process.env.AUTH_SECRET!, salt: "authjs.session-token" });
 * ```
 */
export async function encode(params: JWTEncodeParams): Promise<string> {
  const { token = {}, secret, salt, maxAge = DEFAULT_MAX_AGE } = params;
  return codecFor(secret, salt).encode(token, maxAge);
}

/**
 * Decodes a session token issued by latch or Auth.js. Resolves to `null` without a token and
 * rejects with `JWTSessionError` for an invalid one (the message never contains the token).
 *
 * @example
 * ```ts
 * import { decode } from "latch/jwt";
 * const claims = await decode({ token, secret: [current, previous], salt: "authjs.session-token" });
 * ```
 */
export async function decode(params: JWTDecodeParams): Promise<JWT | null> {
  const { token, secret, salt } = params;
  if (!token) return null;
  const result = await codecFor(secret, salt).open(token, currentSeconds());
  if (typeof result === "string") throw new JWTSessionError(REJECTED[result]);
  return result;
}
