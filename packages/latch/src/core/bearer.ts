/**
 * Bearer tokens: short-lived access tokens signed with an asymmetric key, so other services can
 * verify them offline against `{basePath}/jwks`.
 *
 * A bearer token is a JWS (`typ: "at+jwt"`, RFC 9068), never a JWE: a session cookie, a check
 * cookie or an ID token presented as a bearer token fails here (wrong shape, type or key), and a
 * bearer token presented as a session cookie fails the JWE decoder. Its key is its own: derived
 * from the secret with its own HKDF salt, or configured. Tokens issued to a browser carry
 * `fgp`, the SHA-256 of an HttpOnly cookie, and are refused without that cookie.
 */
import { calculateJwkThumbprint, jwtVerify, SignJWT, type JWK, type JWTPayload } from "jose";
import type { BearerOptions, JWT, SessionCallbackParams, SigningJwk } from "../types.js";
import type { RequestContext, ResolvedConfig } from "./config.js";
import { constantTimeEqual, randomHex, sha256Hex } from "./digest.js";
import type { SessionResult } from "./session/jwt-session.js";
import { markProviderTokenError } from "./provider-token-status.js";
import { isStrictBase64url } from "./session/jwe-fast.js";
import { sessionEnd } from "./session/lifetime.js";
import type { RefreshTokenStore } from "../refresh-tokens/types.js";
import { limitRefreshTokens } from "./time-limit.js";

/** Bearer settings after defaults. */
export interface ResolvedBearer {
  maxAge: number;
  bindToBrowser: boolean;
  signingKeys: SigningJwk[] | undefined;
  audience: string | undefined;
  claims: BearerOptions["claims"];
  /** Refresh tokens, when a store is configured; the store's calls are bounded in time. */
  refresh: { store: RefreshTokenStore; maxAge: number; absoluteMaxAge: number; retryWindow: number } | undefined;
}

/** The longest retry window latch takes: the time a client's own retry takes, not a grace period for thieves. */
const MAX_RETRY_WINDOW = 60;

function retryWindowOf(value: number | undefined): number {
  const seconds = value ?? 0;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0 || seconds > MAX_RETRY_WINDOW) {
    throw new TypeError(`latch: bearer.refreshTokens.retryWindow must be a number of seconds from 0 (off) to ${MAX_RETRY_WINDOW}.`);
  }
  return seconds;
}

function positiveSeconds(value: number | undefined, fallback: number, name: string): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds <= 0) throw new TypeError(`latch: ${name} must be a positive number of seconds.`);
  return seconds;
}

/** Applies defaults; `undefined` when bearer tokens are off. Throws a TypeError for invalid settings. */
export function resolveBearer(option: BearerOptions | boolean | undefined, sessionMaxAge: number, storeTimeout: number | false): ResolvedBearer | undefined {
  if (!option) return undefined;
  const options = option === true ? {} : option;
  const refresh = options.refreshTokens;
  if (refresh && typeof refresh.store?.rotate !== "function") throw new TypeError("latch: bearer.refreshTokens needs a store (e.g. RedisRefreshTokenStore).");
  return {
    maxAge: positiveSeconds(options.maxAge, 600, "bearer.maxAge"),
    bindToBrowser: options.bindToBrowser ?? true,
    signingKeys: options.signingKeys,
    audience: options.audience,
    claims: options.claims,
    refresh: refresh
      ? {
          store: limitRefreshTokens(refresh.store, storeTimeout),
          maxAge: positiveSeconds(refresh.maxAge, sessionMaxAge, "bearer.refreshTokens.maxAge"),
          absoluteMaxAge: positiveSeconds(refresh.absoluteMaxAge, 90 * 24 * 60 * 60, "bearer.refreshTokens.absoluteMaxAge"),
          retryWindow: retryWindowOf(refresh.retryWindow),
        }
      : undefined,
  };
}

type Algorithm = "EdDSA" | "ES256";

interface KeyEntry {
  kid: string;
  alg: Algorithm;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

interface BearerKeys {
  signing: { kid: string; alg: Algorithm; privateKey: CryptoKey };
  byKid: Map<string, KeyEntry>;
  jwks: JWK[];
}

// PKCS #8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410 §7).
const ED25519_PKCS8_PREFIX = new Uint8Array([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const HKDF_SALT = "latch.bearer-token";
const HKDF_INFO = "latch bearer-token signing key (Ed25519)";

async function derivedKey(secret: string): Promise<{ privateKey: CryptoKey; publicJwk: JWK }> {
  const utf8 = new TextEncoder();
  const ikm = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveBits"]);
  const seed = new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: utf8.encode(HKDF_SALT), info: utf8.encode(HKDF_INFO) }, ikm, 256));
  const pkcs8 = new Uint8Array(ED25519_PKCS8_PREFIX.length + seed.length);
  pkcs8.set(ED25519_PKCS8_PREFIX);
  pkcs8.set(seed, ED25519_PKCS8_PREFIX.length);
  const extractable = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, true, ["sign"]);
  const jwk = (await crypto.subtle.exportKey("jwk", extractable));
  const privateKey = await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["sign"]);
  return { privateKey, publicJwk: { kty: "OKP", crv: "Ed25519", x: String(jwk.x) } };
}

async function configuredKey(jwk: SigningJwk): Promise<{ privateKey: CryptoKey; publicJwk: JWK; alg: Algorithm }> {
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
    const privateKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x }, { name: "Ed25519" }, false, ["sign"]);
    return { privateKey, publicJwk: { kty: "OKP", crv: "Ed25519", x: jwk.x }, alg: "EdDSA" };
  }
  if (jwk.kty === "EC" && jwk.crv === "P-256" && jwk.y) {
    const privateKey = await crypto.subtle.importKey("jwk", { kty: "EC", crv: "P-256", d: jwk.d, x: jwk.x, y: jwk.y }, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
    return { privateKey, publicJwk: { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y }, alg: "ES256" };
  }
  throw new TypeError('latch: bearer.signingKeys takes private JWKs of kty "OKP"/crv "Ed25519" or kty "EC"/crv "P-256" (with d, x and, for EC, y).');
}

async function buildKeys(resolved: ResolvedConfig, bearer: ResolvedBearer): Promise<BearerKeys> {
  const entries: Array<KeyEntry & { privateKey: CryptoKey }> = [];
  const sources = bearer.signingKeys?.length ? bearer.signingKeys.map((jwk) => ({ jwk })) : resolved.secrets.map((secret) => ({ secret }));
  for (const source of sources) {
    const made = "jwk" in source ? await configuredKey(source.jwk) : { ...(await derivedKey(source.secret)), alg: "EdDSA" as const };
    const kid = ("jwk" in source ? source.jwk.kid : undefined) ?? (await calculateJwkThumbprint(made.publicJwk, "sha256"));
    const publicKey = await crypto.subtle.importKey(
      "jwk",
      made.publicJwk as JsonWebKey,
      made.alg === "EdDSA" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256" },
      true,
      ["verify"],
    );
    entries.push({ kid, alg: made.alg, publicKey, privateKey: made.privateKey, publicJwk: { ...made.publicJwk, kid, alg: made.alg, use: "sig" } });
  }
  const first = entries[0];
  if (!first) throw new TypeError("latch: bearer tokens need a secret (AUTH_SECRET) or bearer.signingKeys.");
  return {
    signing: { kid: first.kid, alg: first.alg, privateKey: first.privateKey },
    byKid: new Map(entries.map((entry) => [entry.kid, entry])),
    jwks: entries.map((entry) => entry.publicJwk),
  };
}

const keyCache = new WeakMap<ResolvedConfig, Promise<BearerKeys>>();

function keysOf(resolved: ResolvedConfig, bearer: ResolvedBearer): Promise<BearerKeys> {
  let keys = keyCache.get(resolved);
  if (!keys) {
    keys = buildKeys(resolved, bearer);
    keys.catch(() => keyCache.delete(resolved));
    keyCache.set(resolved, keys);
  }
  return keys;
}

/** The public keys other services verify bearer tokens with. */
export async function bearerJwks(resolved: ResolvedConfig, bearer: ResolvedBearer): Promise<{ keys: JWK[] }> {
  return { keys: (await keysOf(resolved, bearer)).jwks };
}

function audienceOf(ctx: RequestContext, bearer: ResolvedBearer): string {
  return bearer.audience ?? ctx.origin;
}

/** What a bearer token says. */
export interface BearerClaims extends JWTPayload {
  sub: string;
  sid?: string | undefined;
  auth_time?: number | undefined;
  /** SHA-256 (hex) of the fingerprint cookie, when the token is bound to a browser. */
  fgp?: string | undefined;
  name?: string | null | undefined;
  email?: string | null | undefined;
  picture?: string | null | undefined;
}

/**
 * Seconds a bearer token is still accepted past its `exp`, for clocks a little apart. Whatever
 * ends tokens before they expire (a revocation) must last this much longer than they do.
 */
export const BEARER_CLOCK_TOLERANCE = 5;

/**
 * Signs a bearer token for a session; it expires after `bearer.maxAge`, or at the session's
 * absolute end if sooner, or at `notAfter` (seconds since the epoch: a refresh family's end).
 */
export async function issueBearerToken(
  ctx: RequestContext,
  bearer: ResolvedBearer,
  claims: Record<string, unknown> & { sub: string },
  notAfter = Infinity,
): Promise<{ token: string; expiresAt: number }> {
  const keys = await keysOf(ctx.resolved, bearer);
  const now = Math.floor(Date.now() / 1000);
  const end = sessionEnd(claims.auth_time, ctx.resolved.absoluteMaxAge) ?? Infinity;
  const expiresAt = Math.floor(Math.min(now + bearer.maxAge, end, notAfter));
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: keys.signing.alg, typ: "at+jwt", kid: keys.signing.kid })
    .setIssuer(ctx.authUrl)
    .setAudience(audienceOf(ctx, bearer))
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .setJti(randomHex(16))
    .sign(keys.signing.privateKey);
  return { token, expiresAt };
}

// Verified tokens, so that a client sending the same token again costs a map lookup instead of
// a signature check. Bounded; each entry is dropped once its token expires.
const VERIFIED_LIMIT = 1000;
const verifiedCache = new WeakMap<ResolvedConfig, Map<string, BearerClaims>>();

function rememberVerified(resolved: ResolvedConfig, token: string, claims: BearerClaims): void {
  let cache = verifiedCache.get(resolved);
  if (!cache) {
    cache = new Map();
    verifiedCache.set(resolved, cache);
  }
  if (cache.size >= VERIFIED_LIMIT) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(token, claims);
}

/**
 * Verifies a bearer token: signature by one of our keys (the header's `alg` must be that key's),
 * `typ: at+jwt`, our issuer and audience, not expired. `null` for anything else, never a throw.
 */
export async function verifyBearerToken(ctx: RequestContext, bearer: ResolvedBearer, token: string): Promise<BearerClaims | null> {
  const cached = verifiedCache.get(ctx.resolved)?.get(token);
  const now = Date.now() / 1000;
  if (cached) {
    if (typeof cached.exp === "number" && cached.exp > now && cached.iss === ctx.authUrl && cached.aud === audienceOf(ctx, bearer)) return cached;
    verifiedCache.get(ctx.resolved)?.delete(token);
  }
  // One spelling per token: jose decodes base64url leniently (padding, unused trailing bits), which
  // would let a token be respelled past anything keyed on its string (the cache, deny-lists).
  const segments = token.split(".");
  if (segments.length !== 3 || !segments.every(isStrictBase64url)) return null;
  try {
    const keys = await keysOf(ctx.resolved, bearer);
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const entry = typeof header.kid === "string" ? keys.byKid.get(header.kid) : undefined;
        if (!entry || header.alg !== entry.alg) throw new Error("unknown key or algorithm");
        return entry.publicKey;
      },
      { algorithms: ["EdDSA", "ES256"], typ: "at+jwt", issuer: ctx.authUrl, audience: audienceOf(ctx, bearer), requiredClaims: ["exp", "iat", "jti", "sub"], clockTolerance: BEARER_CLOCK_TOLERANCE },
    );
    if (typeof payload.sub !== "string" || payload.sub === "") return null;
    const claims = payload as BearerClaims;
    rememberVerified(ctx.resolved, token, claims);
    return claims;
  } catch {
    return null;
  }
}

/** What an `Authorization` header holds, read strictly (RFC 6750 §2.1: one `Bearer <token68>`). */
export type AuthorizationHeader = { kind: "none" } | { kind: "invalid" } | { kind: "token"; token: string };

const MAX_AUTHORIZATION_LENGTH = 8192;
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Parses the `Authorization` header. Another scheme than Bearer (`Basic` from a reverse proxy
 * guarding a staging site, an app's own scheme) is not latch's: `none`. A Bearer header that is
 * anything but exactly one token is `invalid`.
 */
export function parseAuthorization(value: string | null): AuthorizationHeader {
  if (value === null || !/^bearer(?:[ \t]|$)/i.test(value)) return { kind: "none" };
  if (value.length > MAX_AUTHORIZATION_LENGTH) return { kind: "invalid" };
  const match = BEARER.exec(value);
  return match?.[1] ? { kind: "token", token: match[1] } : { kind: "invalid" };
}

/** The fingerprint cookie's value and its hash for a browser-bound token (a new value when the browser has none). */
export async function bearerFingerprint(existing: string | undefined): Promise<{ value: string; hash: string; isNew: boolean }> {
  const valid = existing !== undefined && /^[0-9a-f]{64}$/.test(existing);
  const value = valid ? existing : randomHex(32);
  return { value, hash: await sha256Hex(value), isNew: !valid };
}

/** The session id a database session's bearer tokens carry: a hash of its token, never the token. */
export async function databaseSessionId(sessionToken: string): Promise<string> {
  return (await sha256Hex(`latch.sid:${sessionToken}`)).slice(0, 32);
}

const INVALID: SessionResult = { session: null, status: "invalid", token: null, cookies: [] };

/**
 * The session behind a bearer token: verified, bound to this browser when it says so, not
 * revoked, its user still stored (database strategy); shaped by the `session` callback with the
 * token's claims as `token`. Never renews anything and never writes cookies.
 */
export async function readBearerSession(ctx: RequestContext, token: string, cookies: Map<string, string>): Promise<SessionResult> {
  const { resolved } = ctx;
  const bearer = resolved.bearer;
  if (!bearer) return INVALID;
  const claims = await verifyBearerToken(ctx, bearer, token);
  if (!claims) return INVALID;
  // Issued before session.absoluteMaxAge was set or shortened: its session is over all the same.
  const end = sessionEnd(claims.auth_time, resolved.absoluteMaxAge);
  if (end !== undefined && !(end > Date.now() / 1000)) return INVALID;
  if (claims.fgp !== undefined) {
    const cookie = cookies.get(ctx.cookies.bearerFingerprint.name);
    if (!cookie || typeof claims.fgp !== "string" || !constantTimeEqual(await sha256Hex(cookie), claims.fgp)) return INVALID;
  }
  try {
    if (resolved.revocation && (await resolved.revocation.isRevoked({ sid: claims.sid, userId: claims.sub, authTime: claims.auth_time }))) return INVALID;
    const user = resolved.strategy === "database" ? await resolved.adapter?.getUser?.(claims.sub) : undefined;
    if (resolved.strategy === "database" && !user) return INVALID;
    const { iss: _iss, aud: _aud, jti: _jti, nbf: _nbf, fgp: _fgp, ...rest } = claims;
    const jwt: JWT = { ...rest };
    const defaultSession: SessionCallbackParams["session"] = {
      user: { name: claims.name ?? null, email: claims.email ?? null, image: claims.picture ?? null },
      expires: new Date((claims.exp ?? 0) * 1000).toISOString(),
    };
    await markProviderTokenError(resolved, claims.sub, defaultSession);
    const callback = resolved.config.callbacks?.session;
    const session = callback ? await callback({ session: defaultSession, token: jwt, ...(user ? { user } : {}) }) : defaultSession;
    return { session, status: "valid", token: jwt, cookies: [] };
  } catch (error) {
    resolved.logger.error(error instanceof Error ? error : new Error(String(error)));
    return { session: null, status: "error", token: null, cookies: [] };
  }
}
