import type { CookieAttributes, CookieOption, CookiesOptions, AuthConfig } from "../types.js";

/** A cookie to set (or clear, with `maxAge: 0`) on the response. */
export interface OutgoingCookie {
  name: string;
  value: string;
  options: CookieAttributes;
}

/** Check cookies (PKCE, state, nonce) live 15 minutes, as in Auth.js. */
export const CHECK_COOKIE_MAX_AGE = 60 * 15;

// A browser keeps at most 4096 bytes per cookie; Auth.js leaves 160 for name and attributes.
const CHUNK_SIZE = 4096 - 160;

/**
 * The session cookie as Auth.js names it and sets it, over https (`__Secure-`) or not, with the
 * app's override (`cookies.sessionToken`) merged in when given. The lean proxy needs this one
 * cookie only.
 *
 * @example
 * ```ts
 * sessionTokenCookie(true).name; // "__Secure-authjs.session-token"
 * ```
 */
export function sessionTokenCookie(secure: boolean, override?: Partial<CookieOption>): CookieOption {
  const cookie: CookieOption = { name: `${secure ? "__Secure-" : ""}authjs.session-token`, options: { httpOnly: true, sameSite: "lax", path: "/", secure } };
  return override ? mergeCookie(cookie, override) : cookie;
}

function mergeCookie(cookie: CookieOption, override: Partial<CookieOption>): CookieOption {
  return { name: override.name ?? cookie.name, options: { ...cookie.options, ...override.options } };
}

/**
 * The cookies latch uses, with Auth.js's names and attributes (`authjs.*`, `__Secure-` /
 * `__Host-` prefixes over https), so next-auth v5 cookies keep working after a migration.
 */
export function defaultCookies(secure: boolean): CookiesOptions {
  const prefix = secure ? "__Secure-" : "";
  const base = (): CookieAttributes => ({ httpOnly: true, sameSite: "lax", path: "/", secure });
  const check = (): CookieAttributes => ({ ...base(), maxAge: CHECK_COOKIE_MAX_AGE });
  return {
    sessionToken: sessionTokenCookie(secure),
    callbackUrl: { name: `${prefix}authjs.callback-url`, options: base() },
    csrfToken: { name: `${secure ? "__Host-" : ""}authjs.csrf-token`, options: base() },
    pkceCodeVerifier: { name: `${prefix}authjs.pkce.code_verifier`, options: check() },
    state: { name: `${prefix}authjs.state`, options: check() },
    nonce: { name: `${prefix}authjs.nonce`, options: check() },
    // Strict: only ever needed by requests the page itself makes.
    bearerFingerprint: { name: `${secure ? "__Host-" : ""}latch.bearer-fingerprint`, options: { ...base(), sameSite: "strict" } },
    // Lives as long as the passkey ceremony may take (the provider's timeout), set when sealed.
    webauthnChallenge: { name: `${prefix}authjs.challenge`, options: check() },
    // Only with `audit`: tells a new device at sign-in. 400 days, the longest browsers keep a cookie.
    device: { name: `${secure ? "__Host-" : ""}latch.device`, options: { ...base(), maxAge: 400 * 24 * 60 * 60 } },
    // Set by a password sign-in: guesses elsewhere cannot lock this browser's account out.
    trustedAccounts: { name: `${secure ? "__Host-" : ""}latch.trusted`, options: { ...base(), maxAge: 400 * 24 * 60 * 60 } },
  };
}

/** Merges the app's cookie overrides over the defaults. */
export function resolveCookies(secure: boolean, overrides: AuthConfig["cookies"]): CookiesOptions {
  const cookies = defaultCookies(secure);
  if (!overrides) return cookies;
  for (const key of Object.keys(cookies) as Array<keyof CookiesOptions>) {
    const override = overrides[key];
    if (!override) continue;
    cookies[key] = mergeCookie(cookies[key], override);
  }
  return cookies;
}

/**
 * Parses a `Cookie` header. Malformed pairs and undecodable values are skipped, never thrown:
 * a client controls this header completely.
 */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || cookies.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (value.includes("%")) {
      try {
        value = decodeURIComponent(value);
      } catch {
        continue;
      }
    }
    cookies.set(name, value);
  }
  return cookies;
}

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Serializes one `Set-Cookie` header value. */
export function serializeCookie(cookie: OutgoingCookie): string {
  if (!TOKEN_CHARS.test(cookie.name)) throw new TypeError(`latch: invalid cookie name ${JSON.stringify(cookie.name)}`);
  const { options } = cookie;
  let out = `${cookie.name}=${encodeURIComponent(cookie.value)}`;
  if (options.maxAge !== undefined) {
    out += `; Max-Age=${Math.floor(options.maxAge)}`;
    if (options.expires === undefined) out += `; Expires=${new Date(Date.now() + options.maxAge * 1000).toUTCString()}`;
  }
  if (options.expires !== undefined) out += `; Expires=${options.expires.toUTCString()}`;
  if (options.domain) out += `; Domain=${options.domain}`;
  out += `; Path=${options.path ?? "/"}`;
  if (options.httpOnly) out += "; HttpOnly";
  if (options.secure) out += "; Secure";
  if (options.sameSite) out += `; SameSite=${options.sameSite[0]!.toUpperCase()}${options.sameSite.slice(1)}`;
  return out;
}

/** A cookie that deletes `name` with the same path and domain it was set with. */
export function expireCookie(option: CookieOption, name = option.name): OutgoingCookie {
  const { expires: _expires, ...options } = option.options;
  return { name, value: "", options: { ...options, maxAge: 0 } };
}

function chunkIndex(name: string, base: string): number | null {
  if (name === base) return 0;
  if (!name.startsWith(`${base}.`)) return null;
  const suffix = name.slice(base.length + 1);
  return /^\d{1,3}$/.test(suffix) ? Number(suffix) : null;
}

/**
 * Reads a possibly chunked cookie: `name`, or `name.0 … name.n` joined in numeric order.
 * Returns the names found so a later write can delete stale chunks. A browser holding both forms
 * gets their join, which reads as no session: a chunk planted beside the real cookie (cookie
 * tossing) must not replace it.
 */
export function readChunkedCookie(cookies: Map<string, string>, base: string): { value: string | undefined; names: string[] } {
  const chunks: Array<[number, string, string]> = [];
  for (const [name, value] of cookies) {
    const index = chunkIndex(name, base);
    if (index !== null) chunks.push([index, name, value]);
  }
  if (chunks.length === 0) return { value: undefined, names: [] };
  chunks.sort((a, b) => a[0] - b[0]);
  return { value: chunks.map((c) => c[2]).join(""), names: chunks.map((c) => c[1]) };
}

/**
 * Writes a value into as many cookies as it needs (Auth.js's chunking: 3936 characters each,
 * `.0`, `.1`, …), deleting every chunk the browser holds that the new value does not use.
 */
export function writeChunkedCookie(option: CookieOption, value: string, existing: string[], maxAge: number): OutgoingCookie[] {
  const options: CookieAttributes = { ...option.options, expires: new Date(Date.now() + maxAge * 1000) };
  const out: OutgoingCookie[] = [];
  const written = new Set<string>();
  if (value.length <= CHUNK_SIZE) {
    out.push({ name: option.name, value, options });
    written.add(option.name);
  } else {
    for (let i = 0; i * CHUNK_SIZE < value.length; i++) {
      const name = `${option.name}.${i}`;
      out.push({ name, value: value.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE), options });
      written.add(name);
    }
  }
  for (const name of existing) if (!written.has(name)) out.unshift(expireCookie(option, name));
  return out;
}

/** Deletes every chunk of a chunked cookie. */
export function clearChunkedCookie(option: CookieOption, existing: string[]): OutgoingCookie[] {
  return existing.map((name) => expireCookie(option, name));
}
