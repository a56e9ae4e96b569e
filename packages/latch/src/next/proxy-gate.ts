/**
 * What the proxy does once the session is read: runs `callbacks.authorized`, then lets the
 * request through (handing the renewed cookie and the URL to what renders next), calls a
 * wrapped handler with `req.auth`, or denies. Shared by `auth` from `latch/next` and from the
 * lean `latch/proxy`, so both answer alike; it imports nothing of the engine.
 */
import { NextResponse, type NextRequest } from "next/server";
import { parseCookieHeader, type OutgoingCookie } from "../core/cookies.js";
import type { SessionResult } from "../core/session/read-jwt-cookie.js";
import { NO_STORE, unauthorizedResponse, withCookies } from "./responses.js";
import type { NextAuthConfig, NextAuthRequest, WrappedHandler } from "./types.js";

/**
 * The header the proxy sets with the URL it saw, so page-level checks can send the user back to
 * it. server-session.ts, which reads it, re-exports it from here (this module loads no
 * next/navigation, so the lean proxy can import it).
 */
export const CURRENT_URL_HEADER = "x-latch-url";

/** `callbacks.authorized`. */
export type AuthorizedCallback = NonNullable<NonNullable<NextAuthConfig["callbacks"]>["authorized"]>;

/** What the gate knows about one request. */
export interface GateInput {
  /** The app's settings; `undefined` when the config could not be built: all but latch's own routes are denied. */
  app: { basePath: string; signInPage: string | undefined; authorized: AuthorizedCallback | undefined } | undefined;
  /** Where the app lives, when the request's origin could be resolved. */
  site: { origin: string; authUrl: string } | undefined;
  result: SessionResult;
  /** Logs a failure through the app's logger (or the console); never a token. */
  logError: (message: string, cause: unknown) => void;
}

/** True for requests that want data, not a page: they get 401 JSON instead of a redirect. */
function wantsJson(request: NextRequest): boolean {
  if (request.headers.has("rsc") || request.headers.has("next-action") || request.headers.has("next-router-prefetch")) return false;
  if (request.nextUrl.pathname.startsWith("/api/")) return true;
  const accept = request.headers.get("accept") ?? "";
  return !accept.includes("text/html");
}

/**
 * The path and query the browser asked for. Next.js strips its own `basePath` (and an i18n
 * locale) from `nextUrl.pathname`; its href puts them back, and latch's routes, `pages.signIn`
 * and the callbackUrl all live on the full path.
 */
function askedPath(request: NextRequest): string {
  const { href, origin } = request.nextUrl;
  return href.slice(origin.length) || "/";
}

/** The path alone of {@link askedPath}. */
function askedPathname(request: NextRequest): string {
  const path = askedPath(request);
  const query = path.indexOf("?");
  return query === -1 ? path : path.slice(0, query);
}

/** A path without its trailing slash (next.config `trailingSlash: true` adds one), "/" excepted. */
const trimSlash = (path: string): string => (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path);

/**
 * The spellings a page path may be written in for this request: as asked (with basePath and a
 * non-default locale), with the default locale Next leaves out of the URL, and without basePath
 * or locale (`nextUrl.pathname`, as an i18n app may write `pages.signIn: "/login"`).
 */
function pathSpellings(request: NextRequest): string[] {
  const { basePath, pathname, locale } = request.nextUrl;
  const spellings = [askedPathname(request), `${basePath}${pathname}`, pathname];
  if (locale) spellings.push(`${basePath}/${locale}${pathname}`);
  return spellings.map(trimSlash);
}

/** latch's routes when the app's settings are unknown: the default, under Next.js's own basePath. */
const defaultAuthPath = (request: NextRequest): string => `${request.nextUrl.basePath}/api/auth`;

/**
 * The URL the browser asked for, on the configured origin (Next.js may have rewritten the host);
 * a path alone when that origin is unknown (an untrusted Host), so no Host header ends up in it.
 */
function currentUrl(request: NextRequest, input: GateInput): string {
  return `${input.site?.origin ?? ""}${askedPath(request)}`;
}

/**
 * A denied request: 401 JSON for APIs, otherwise a redirect to the sign-in page and back. The
 * redirect depends on the cookie, so no cache may keep it and hand it to a signed-in visitor.
 */
function deny(request: NextRequest, input: GateInput): Response {
  if (wantsJson(request)) return unauthorizedResponse(input.result.status === "invalid");
  // Next.js wants an absolute Location from a proxy; it makes a same-host one relative itself.
  const base = input.site?.origin ?? request.nextUrl.origin;
  const target = new URL(input.app?.signInPage ?? `${input.site?.authUrl ?? `${base}${defaultAuthPath(request)}`}/signin`, base);
  target.searchParams.set("callbackUrl", currentUrl(request, input));
  // 303 after a POST (a server action) so the browser does not replay it at the sign-in page (RFC 9700 §4.12).
  const status = request.method === "GET" || request.method === "HEAD" ? 307 : 303;
  return withCookies(NextResponse.redirect(target, { status, headers: { "cache-control": NO_STORE } }), input.result.cookies);
}

/**
 * Request headers for what renders after the proxy: the renewed session cookie in place of the
 * old one, so server components of this same request see the renewed session (next-auth
 * #11853), and the URL the user asked for, for page-level redirects to sign-in.
 */
function downstreamHeaders(request: NextRequest, input: GateInput, renewed: OutgoingCookie[]): Headers {
  const headers = new Headers(request.headers);
  if (renewed.length > 0) {
    const jar = parseCookieHeader(request.headers.get("cookie"));
    for (const cookie of renewed) {
      if (cookie.options.maxAge === 0) jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    headers.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
  }
  headers.set(CURRENT_URL_HEADER, currentUrl(request, input));
  return headers;
}

/**
 * The actions of latch's routes (the engine's ROUTES; a test keeps the two lists equal): only
 * these go through unjudged, not every path under basePath — an app's own route beside the
 * handler (`/api/auth/me`) is judged, and with basePath "/" the app's pages are.
 */
export const LATCH_ACTIONS: ReadonlySet<string> = new Set(["providers", "csrf", "session", "signin", "callback", "signout", "error", "verify-request", "webauthn-options", "token", "jwks", "revoke"]);

/** latch's routes and the custom sign-in page always go through: no redirect loop. */
function isOwnRoute(request: NextRequest, input: GateInput): boolean {
  const pathname = askedPathname(request);
  const basePath = input.app?.basePath ?? defaultAuthPath(request);
  const prefix = basePath === "/" ? "/" : `${basePath}/`;
  if (pathname.startsWith(prefix)) {
    const [action = "", , ...rest] = pathname.slice(prefix.length).split("/");
    if (LATCH_ACTIONS.has(action) && rest.join("") === "") return true;
  }
  const signInPage = input.app?.signInPage;
  if (!signInPage) return false;
  try {
    return pathSpellings(request).includes(trimSlash(new URL(signInPage, request.nextUrl.origin).pathname));
  } catch {
    return false;
  }
}

/** No session: what a request whose session could not be read counts as. */
export const NO_SESSION: GateInput["result"] = { session: null, status: "none", token: null, cookies: [] };

/**
 * Where the app lives by AUTH_URL alone, for a request whose session could not be read: its
 * sign-in redirect must not be built from the Host header either. Undefined without AUTH_URL.
 *
 * @example
 * ```ts
 * configuredSite({ envOrigin: "https://app.example", basePath: "/api/auth" }); // { origin, authUrl: "https://app.example/api/auth" }
 * ```
 */
export function configuredSite(settings: { envOrigin: string | undefined; basePath: string } | undefined): GateInput["site"] {
  const origin = settings?.envOrigin;
  return origin && settings ? { origin, authUrl: origin + (settings.basePath === "/" ? "" : settings.basePath) } : undefined;
}

/**
 * runGate for a proxy: it never throws for latch's own failure (an unusable `pages.signIn`, a
 * cookie name Set-Cookie cannot carry) but logs it and denies, as without a config. The app's
 * wrapped handler may still throw to Next.js, as it would without latch.
 *
 * @example
 * ```ts
 * return runGuardedGate(request, context, handler, { app, site, result, logError });
 * ```
 */
export async function runGuardedGate(request: NextRequest, context: unknown, handler: WrappedHandler<unknown> | undefined, input: GateInput): Promise<Response> {
  let handlerThrew = false;
  const guarded: WrappedHandler<unknown> | undefined =
    handler &&
    (async (authRequest, handlerContext) => {
      try {
        return await handler(authRequest, handlerContext);
      } catch (error) {
        handlerThrew = true;
        throw error;
      }
    });
  try {
    return await runGate(request, context, guarded, input);
  } catch (error) {
    if (handlerThrew) throw error;
    input.logError("The proxy could not answer as configured (pages.signIn, cookies); the request is denied.", error);
    return runGate(request, context, undefined, { ...input, app: undefined, result: NO_SESSION });
  }
}

/**
 * Runs `callbacks.authorized` (also when a handler is wrapped, unlike Auth.js), then continues,
 * calls the handler with `req.auth`, or denies. Every response that carries a renewed (or
 * cleared) session cookie is `private, no-store`.
 *
 * @example
 * ```ts
 * return runGate(request, context, handler, { app, site, result, logError });
 * ```
 */
export async function runGate(request: NextRequest, context: unknown, handler: WrappedHandler<unknown> | undefined, input: GateInput): Promise<Response> {
  const renewed = input.result.cookies;
  if (!input.app) {
    // Without a config nobody can say what is protected: deny everything (fail closed).
    if (!isOwnRoute(request, input)) return deny(request, input);
  } else if (!isOwnRoute(request, input)) {
    const { authorized } = input.app;
    if (authorized) {
      let decision: boolean | Response | undefined | void;
      try {
        decision = await authorized({ request, auth: input.result.session });
      } catch (error) {
        input.logError("callbacks.authorized threw; the request is denied.", error);
        decision = false;
      }
      if (decision instanceof Response) return withCookies(decision, renewed);
      // Any falsy answer denies, as in next-auth: `if (auth) return true;` with nothing after it
      // must not let everyone else through (fail closed).
      if (!decision) return deny(request, input);
    }
  }
  if (handler) {
    const authRequest: NextAuthRequest = Object.assign<NextRequest, { auth: NextAuthRequest["auth"] }>(request, { auth: input.result.session });
    const response = await handler(authRequest, context);
    if (response instanceof Response) return withCookies(response, renewed);
  }
  const next = NextResponse.next({ request: { headers: downstreamHeaders(request, input, renewed) } });
  return withCookies(next, renewed);
}
