/**
 * The session-token codec behind `latch/jwt`: byte-compatible with Auth.js (`next-auth/jwt`),
 * so cookies next-auth issued stay valid. A JWE (`alg: "dir"`, `enc: "A256CBC-HS512"`) whose key
 * is derived from the secret and the cookie name; see keys.ts.
 *
 * With node:crypto the codec runs synchronously on it (an order of magnitude faster than
 * WebCrypto for tokens this small); elsewhere (Edge) it uses jose.
 */
import { EncryptJWT, base64url, jwtDecrypt } from "jose";
import { JWTSessionError, MissingSecret } from "../../errors.js";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "../../types.js";
import {
  CLOCK_TOLERANCE,
  checkHeader,
  isPlainObject,
  nodeRuntime,
  openCompact,
  sealCbcHs512,
  selectKeys,
  splitCompact,
  type RejectReason,
  type SecretKeys,
} from "./jwe-fast.js";
import { deriveSecretKeys } from "./keys.js";

const DEFAULT_MAX_AGE = 30 * 24 * 60 * 60;
const CODEC_CACHE_LIMIT = 64;

const REJECTED: Record<RejectReason, string> = {
  malformed: "The session token is malformed: expected a compact JWE of five base64url parts.",
  unsupported: 'The session token\'s header is not supported: expected alg "dir", enc "A256CBC-HS512" or "A256GCM", no "zip" and no "crit".',
  "no-key": "No secret matches the session token's key id: it was issued with another secret or salt (cookie name).",
  "decryption-failed": "The session token could not be decrypted: it was altered, or issued with another secret or salt (cookie name).",
  "invalid-claims": "The session token's payload is not a valid JWT claims set.",
  expired: "The session token has expired.",
  "not-yet-valid": 'The session token is not valid yet: its "nbf" is in the future.',
};

/**
 * An encoder/decoder bound to one secret list and salt, with its keys derived once.
 * `decode` resolves to `null` for any bad token and never rejects.
 *
 * @internal The engine's hot path; apps use `encode` / `decode` / `getToken`.
 * @example
 * ```ts
 * const codec = createSessionCodec(process.env.AUTH_SECRET!, "authjs.session-token");
 * const claims = await codec.decode(await codec.encode({ sub: "1" }, 3600));
 * ```
 */
export interface SessionCodec {
  encode(payload: JWT, maxAgeSeconds: number, nowSeconds?: number): Promise<string>;
  decode(token: string, nowSeconds?: number): Promise<JWT | null>;
}

const currentSeconds = (): number => Math.floor(Date.now() / 1000);

function randomUUID(): string {
  return nodeRuntime ? nodeRuntime.crypto.randomUUID() : crypto.randomUUID();
}

function claimsFor(payload: JWT, maxAge: number, now: number): JWT {
  if (!isPlainObject(payload)) throw new TypeError("The session token payload must be a plain object.");
  if (!Number.isFinite(maxAge) || !Number.isFinite(now)) throw new TypeError("The session token maxAge and time must be finite numbers of seconds.");
  const claims: JWT = { ...payload, iat: now, exp: now + maxAge, jti: randomUUID() };
  // A non-finite nbf would serialize as null and silently stop meaning anything.
  if (typeof claims.nbf === "number" && !Number.isFinite(claims.nbf)) throw new TypeError('The session token "nbf" claim must be a finite number.');
  return claims;
}

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

class Codec implements SessionCodec {
  #keys: readonly SecretKeys[] | Promise<readonly SecretKeys[]>;

  /** `onKeyFailure` evicts the codec, so a failed WebCrypto derivation is retried, not cached. */
  constructor(secrets: readonly string[], salt: string, onKeyFailure: () => void) {
    const derived = secrets.map((secret) => deriveSecretKeys(secret, salt));
    const ready = derived.filter((keys): keys is SecretKeys => !(keys instanceof Promise));
    if (ready.length === derived.length) {
      this.#keys = ready;
    } else {
      const pending = Promise.all(derived.map(async (keys) => keys));
      // Callers awaiting `pending` see a failure themselves; this only keeps the cache honest.
      pending.then((keys) => void (this.#keys = keys), onKeyFailure);
      this.#keys = pending;
    }
  }

  async encode(payload: JWT, maxAgeSeconds: number, nowSeconds: number = currentSeconds()): Promise<string> {
    const keys = this.#keys instanceof Promise ? await this.#keys : this.#keys;
    const first = keys[0];
    if (!first) throw new MissingSecret("No session secret is configured: set AUTH_SECRET.");
    const claims: Record<string, unknown> = claimsFor(payload, maxAgeSeconds, nowSeconds);
    if (nodeRuntime) return sealCbcHs512(nodeRuntime, first.cbc, JSON.stringify(claims));
    return new EncryptJWT(claims).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: first.cbc.kid }).encrypt(first.cbc.key);
  }

  async decode(token: string, nowSeconds?: number): Promise<JWT | null> {
    try {
      const result = await this.open(token, nowSeconds ?? currentSeconds());
      return typeof result === "string" ? null : result;
    } catch {
      return null;
    }
  }

  /** Decodes, telling why a token was refused. Rejects only when key derivation failed. */
  async open(token: string, nowSeconds: number): Promise<JWT | RejectReason> {
    if (typeof token !== "string" || token === "") return "malformed";
    const keys = this.#keys instanceof Promise ? await this.#keys : this.#keys;
    // NaN would compare false against exp and nbf and so let every token through: fail closed.
    if (!Number.isFinite(nowSeconds)) throw new TypeError("The current time must be a finite number of seconds.");
    const now = Math.floor(nowSeconds);
    return nodeRuntime ? openCompact(nodeRuntime, token, keys, now) : openWithJose(token, keys, now);
  }
}

const codecs = new Map<string, Codec>();

function codecFor(secret: string | readonly string[], salt: string): Codec {
  const secrets: readonly unknown[] = typeof secret === "string" ? [secret] : Array.isArray(secret) ? secret : [];
  if (secrets.length === 0) throw new MissingSecret("No session secret is configured: set AUTH_SECRET (generate one with `npx auth secret`).");
  let id = `${typeof salt === "string" ? salt.length : -1}:${String(salt)}`;
  for (const s of secrets) {
    if (typeof s !== "string" || s === "") throw new MissingSecret("A session secret is empty or not a string: set AUTH_SECRET to a random value of at least 32 bytes.");
    id += `|${s.length}:${s}`;
  }
  const cached = codecs.get(id);
  if (cached) return cached;
  const codec = new Codec(secrets as readonly string[], salt, () => {
    if (codecs.get(id) === codec) codecs.delete(id);
  });
  if (codecs.size >= CODEC_CACHE_LIMIT) {
    const oldest = codecs.keys().next();
    if (!oldest.done) codecs.delete(oldest.value);
  }
  codecs.set(id, codec);
  return codec;
}

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
