/**
 * A session-token codec bound to one secret list and salt, with its keys derived once, on the
 * cryptography its creator picks (a `SessionJwe`): node:crypto or jose for the engine (codec.ts),
 * WebCrypto for the lean proxy (`latch/proxy`, which must not bundle jose). Everything else —
 * claims issued, time checks, the cache — is this one module.
 */
import { MissingSecret } from "../../errors.js";
import type { JWT, JWTOptions } from "../../types.js";
import { sha256Hex } from "../digest.js";
import { isPlainObject, type RejectReason, type SecretKeys, type SessionJwe } from "./jwe-checks.js";

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

/**
 * A codec that also says why it refused a token.
 *
 * @example
 * ```ts
 * const result = await codec.open(token, Math.floor(Date.now() / 1000));
 * if (typeof result === "string") console.log(result); // "expired", "decryption-failed", …
 * ```
 */
export interface OpeningCodec extends SessionCodec {
  /** Decodes, telling why a token was refused. Rejects only when key derivation failed. */
  open(token: string, nowSeconds: number): Promise<JWT | RejectReason>;
}

const CODEC_CACHE_LIMIT = 64;

const currentSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * The claims a session token carries, as Auth.js issues them: the payload plus `iat`,
 * `exp = iat + maxAge` and a fresh `jti`. Throws `TypeError` for a payload that is not a plain
 * object, non-finite times, or a non-finite `nbf`.
 *
 * @example
 * ```ts
 * const claims = issueClaims({ sub: "1" }, 3600, Math.floor(Date.now() / 1000), webJwe);
 * ```
 */
export function issueClaims(payload: JWT, maxAge: number, now: number, jwe: Pick<SessionJwe, "uuid">): JWT {
  if (!isPlainObject(payload)) throw new TypeError("The session token payload must be a plain object.");
  if (!Number.isFinite(maxAge) || !Number.isFinite(now)) throw new TypeError("The session token maxAge and time must be finite numbers of seconds.");
  const claims: JWT = { ...payload, iat: now, exp: now + maxAge, jti: jwe.uuid() };
  // A non-finite nbf would serialize as null and silently stop meaning anything.
  if (typeof claims.nbf === "number" && !Number.isFinite(claims.nbf)) throw new TypeError('The session token "nbf" claim must be a finite number.');
  return claims;
}

class Codec implements OpeningCodec {
  #keys: readonly SecretKeys[] | Promise<readonly SecretKeys[]>;
  readonly #jwe: SessionJwe;

  /** `onKeyFailure` evicts the codec, so a failed WebCrypto derivation is retried, not cached. */
  constructor(secrets: readonly string[], salt: string, jwe: SessionJwe, onKeyFailure: () => void) {
    this.#jwe = jwe;
    const derived = secrets.map((secret) => jwe.keys(secret, salt));
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
    const claims: Record<string, unknown> = issueClaims(payload, maxAgeSeconds, nowSeconds, this.#jwe);
    return this.#jwe.seal(first.cbc, claims);
  }

  async decode(token: string, nowSeconds?: number): Promise<JWT | null> {
    try {
      const result = await this.open(token, nowSeconds ?? currentSeconds());
      return typeof result === "string" ? null : result;
    } catch {
      return null;
    }
  }

  async open(token: string, nowSeconds: number): Promise<JWT | RejectReason> {
    if (typeof token !== "string" || token === "") return "malformed";
    const keys = this.#keys instanceof Promise ? await this.#keys : this.#keys;
    // NaN would compare false against exp and nbf and so let every token through: fail closed.
    if (!Number.isFinite(nowSeconds)) throw new TypeError("The current time must be a finite number of seconds.");
    const now = Math.floor(nowSeconds);
    return this.#jwe.open(token, keys, now);
  }
}

/**
 * A cache of codecs, one per secret list and salt, on `jwe`. The returned function throws
 * `MissingSecret` when no usable secret is given.
 *
 * @example
 * ```ts
 * const codecFor = codecCache(nodeRuntime ? nodeJwe(nodeRuntime) : webJwe);
 * const token = await codecFor([newSecret, oldSecret], "authjs.session-token").encode({ sub: "1" }, 3600);
 * ```
 */
export function codecCache(jwe: SessionJwe): (secret: string | readonly string[], salt: string) => OpeningCodec {
  const codecs = new Map<string, Codec>();
  return function codecFor(secret, salt) {
    const secrets: readonly unknown[] = typeof secret === "string" ? [secret] : Array.isArray(secret) ? secret : [];
    if (secrets.length === 0) throw new MissingSecret("No session secret is configured: set AUTH_SECRET (generate one with `npx auth secret`).");
    let id = `${typeof salt === "string" ? salt.length : -1}:${String(salt)}`;
    for (const s of secrets) {
      if (typeof s !== "string" || s === "") throw new MissingSecret("A session secret is empty or not a string: set AUTH_SECRET to a random value of at least 32 bytes.");
      id += `|${s.length}:${s}`;
    }
    const cached = codecs.get(id);
    if (cached) return cached;
    const codec = new Codec(secrets as readonly string[], salt, jwe, () => {
      if (codecs.get(id) === codec) codecs.delete(id);
    });
    if (codecs.size >= CODEC_CACHE_LIMIT) {
      const oldest = codecs.keys().next();
      if (!oldest.done) codecs.delete(oldest.value);
    }
    codecs.set(id, codec);
    return codec;
  };
}

/**
 * A codec for one secret list and salt that asks `jwe` for the keys on every call (`jwe.keys`
 * caches them), with no sync fast path and no codec cache: for the lean proxy, which encodes
 * and decodes once per request and counts every byte. `secrets` must not be empty. Unlike
 * `SessionCodec` elsewhere, its `encode` keeps the payload's `iat` (the proxy does not vouch for
 * a token it renews) and its `decode` rejects when the cryptography itself fails.
 *
 * @example
 * ```ts
 * const codec = lightCodec(webJwe, [process.env.AUTH_SECRET!], "authjs.session-token");
 * ```
 */
export function lightCodec(jwe: SessionJwe, secrets: readonly string[], salt: string): SessionCodec {
  const keys = () => Promise.all(secrets.map(async (secret) => jwe.keys(secret, salt)));
  return {
    async encode(payload, maxAgeSeconds, nowSeconds = currentSeconds()) {
      const [first] = await keys();
      if (!first) throw new MissingSecret("No session secret is configured: set AUTH_SECRET.");
      const claims = issueClaims(payload, maxAgeSeconds, nowSeconds, jwe);
      // The proxy renews without asking a revocation store, so it does not vouch for the token:
      // `iat` stays the time latch's engine (which asks) issued it (jwt-session.ts).
      if (typeof payload.iat === "number" && Number.isFinite(payload.iat) && payload.iat <= nowSeconds) claims.iat = payload.iat;
      return jwe.seal(first.cbc, claims);
    },
    // A token that does not open is null. A cryptography that fails (keys that cannot be derived,
    // a runtime without what it needs) rejects: the proxy logs why and keeps the cookie, rather
    // than clearing every user's cookie in silence.
    async decode(token, nowSeconds = currentSeconds()) {
      const result = await jwe.open(token, await keys(), nowSeconds);
      return typeof result === "string" ? null : result;
    },
  };
}

/** Encodes and decodes session tokens as the config says, for one salt. */
export interface TokenCodec {
  /** `until`: the latest `exp` (seconds since the epoch), cutting `maxAge` short (session.absoluteMaxAge). */
  encode(token: JWT, until?: number): Promise<string>;
  /** `null` for any invalid token, never a rejection for one; only a failing cryptography rejects (see `lightCodec`). */
  decode(raw: string): Promise<JWT | null>;
}

/**
 * The app's `jwt.encode` / `jwt.decode` when it set them, else latch's codec from `codecFor`:
 * one rule for the engine and the lean proxy, so a custom codec is honoured by both.
 *
 * @example
 * ```ts
 * const codec = configuredTokenCodec(config.jwt, secrets, "authjs.session-token", 2592000, createSessionCodec);
 * const token = await codec.decode(cookieValue);
 * ```
 */
export function configuredTokenCodec(
  jwt: JWTOptions | undefined,
  secrets: string[],
  salt: string,
  maxAge: number,
  codecFor: (secret: string[], salt: string) => SessionCodec,
): TokenCodec {
  // An app's codec gets the secret as next-auth gave it: a string when one is set (a codec that
  // HMACs with it works unchanged), the list, encrypting one first, when several are.
  const secret = secrets.length === 1 ? secrets[0]! : secrets;
  return {
    async encode(token, until) {
      const now = currentSeconds();
      const lifetime = until === undefined ? maxAge : Math.max(0, Math.min(maxAge, Math.floor(until) - now));
      if (jwt?.encode) return jwt.encode({ token, secret, salt, maxAge: lifetime });
      return codecFor(secrets, salt).encode(token, lifetime, now);
    },
    async decode(raw) {
      let token: JWT | null;
      if (jwt?.decode) {
        try {
          token = await jwt.decode({ token: raw, secret, salt });
        } catch {
          return null;
        }
      } else token = await codecFor(secrets, salt).decode(raw);
      return withSessionId(token, raw);
    },
  };
}

/**
 * A decoded session token, with a `sid` when it carries none (next-auth wrote it, or a `jwt`
 * callback dropped it at sign-in). Derived from the cookie, not random, and the same in the
 * engine and the lean proxy: every copy of that cookie, and requests renewing it at the same
 * moment, name one session, so the `sid` renewal writes, sign-out revokes and bearer tokens and
 * refresh families carry is one and the same.
 */
async function withSessionId(token: JWT | null, raw: string): Promise<JWT | null> {
  if (!token || typeof token.sid === "string") return token;
  return { ...token, sid: (await sha256Hex(`latch.session-sid:${raw}`)).slice(0, 32) };
}
