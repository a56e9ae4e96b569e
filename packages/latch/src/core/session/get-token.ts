import { MissingSecret } from "../../errors.js";
import type { Awaitable, JWT, JWTDecodeParams } from "../../types.js";
import { parseCookieHeader, readChunkedCookie } from "../cookies.js";
import { readSecrets } from "../env-settings.js";
import { createSessionCodec } from "./codec.js";
import { absoluteMaxAgeOf, sessionStart } from "./lifetime.js";

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

/** What `getToken` reads the token from and how it decodes it. */
export interface GetTokenParams<R extends boolean = false> {
  /** A `Request`, or anything with its headers (Next.js `NextRequest`, Node's `IncomingMessage`). */
  req: Request | { headers: HeaderBag };
  /** Defaults to the secrets latch reads from the environment: `AUTH_SECRET_3`…`_1`, then `AUTH_SECRET` (or `NEXTAUTH_SECRET`). */
  secret?: string | string[] | undefined;
  /** Read the `__Secure-` cookie. Defaults to whether `AUTH_URL`, or else the request URL, is https. */
  secureCookie?: boolean | undefined;
  /** Defaults to `authjs.session-token`, with `__Secure-` when `secureCookie`. */
  cookieName?: string | undefined;
  /** Defaults to the cookie name. */
  salt?: string | undefined;
  /** Return the token itself, undecoded. */
  raw?: R | undefined;
  /** A decoder to use instead of latch's (match a custom `jwt.decode`). */
  decode?: ((params: JWTDecodeParams) => Awaitable<JWT | null>) | undefined;
  /**
   * The app's `session.absoluteMaxAge` (seconds): a token whose session began (`auth_time`, else
   * `iat`) longer ago reads as `null`. latch caps the tokens it writes at that end already; this
   * also ends those written before the setting, or by next-auth.
   */
  absoluteMaxAge?: number | undefined;
  /** Accepted for next-auth compatibility and not used: `getToken` logs nothing; a token it cannot read is `null`. */
  logger?: unknown;
}

function isHeaders(headers: HeaderBag): headers is Headers {
  return typeof (headers as { get?: unknown }).get === "function";
}

function readHeader(headers: HeaderBag, name: string, separator: string): string | undefined {
  if (isHeaders(headers)) return headers.get(name) ?? undefined;
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() !== name) continue;
    const value = headers[key];
    return Array.isArray(value) ? value.join(separator) : value;
  }
  return undefined;
}

function readBearer(headers: HeaderBag): string | null | undefined {
  const authorization = readHeader(headers, "authorization", ", ");
  if (!authorization) return undefined;
  const [scheme, value] = authorization.split(" ");
  if (scheme !== "Bearer" || !value) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return null; // GHSA-xmf8-cvqr-rfgj: a malformed escape must not throw
  }
}

function isSecureByDefault(req: GetTokenParams<boolean>["req"]): boolean {
  // As the engine reads it: AUTH_URL, else next-auth's NEXTAUTH_URL.
  const env = globalThis.process?.env;
  const authUrl = env?.AUTH_URL || env?.NEXTAUTH_URL;
  if (authUrl) return authUrl.startsWith("https://");
  if (!("url" in req) || typeof req.url !== "string") return false;
  try {
    return new URL(req.url).protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * Reads the session token of a request — the (chunked) session cookie, else an
 * `Authorization: Bearer` header — and decodes it. Resolves to `null` when there is none or it
 * is invalid; never rejects for a malformed request. Rejects with `MissingSecret` when no secret
 * is configured.
 *
 * @example
 * ```ts
 * import { getToken } from "latch/jwt";
 * export async function GET(req: Request) {
 *   const token = await getToken({ req });
 *   return Response.json({ signedIn: token !== null });
 * }
 * ```
 */
export async function getToken<R extends boolean = false>(params: GetTokenParams<R>): Promise<(R extends true ? string : JWT) | null>;
export async function getToken(params: GetTokenParams<boolean>): Promise<JWT | string | null> {
  const { req, raw } = params;
  const secureCookie = params.secureCookie ?? isSecureByDefault(req);
  const cookieName = params.cookieName ?? (secureCookie ? "__Secure-authjs.session-token" : "authjs.session-token");
  const salt = params.salt ?? cookieName;
  const headers = req.headers;

  let token = readChunkedCookie(parseCookieHeader(readHeader(headers, "cookie", "; ")), cookieName).value;
  if (!token) {
    const bearer = readBearer(headers);
    if (bearer === null) return null;
    token = bearer;
  }
  if (!token) return null;
  if (raw) return token;

  // Without `secret`, every secret the app's config reads from the environment (AUTH_SECRET_n, AUTH_SECRET, NEXTAUTH_SECRET).
  const secret = params.secret ?? readSecrets({}, globalThis.process?.env ?? {});
  if (secret.length === 0) throw new MissingSecret("getToken needs a secret: pass `secret` or set AUTH_SECRET.");
  const absoluteMaxAge = absoluteMaxAgeOf({ absoluteMaxAge: params.absoluteMaxAge });
  let decoded: JWT | null;
  if (params.decode) {
    try {
      // A string when one secret is set, as next-auth passes it (see configuredTokenCodec).
      decoded = await params.decode({ token, secret: Array.isArray(secret) && secret.length === 1 ? secret[0]! : secret, salt });
    } catch {
      return null;
    }
  } else {
    decoded = await createSessionCodec(secret, salt).decode(token);
  }
  if (decoded && absoluteMaxAge !== undefined && !(sessionStart(decoded) + absoluteMaxAge > Date.now() / 1000)) return null;
  return decoded;
}
