import { NextResponse, type NextRequest } from "next/server";
import { createRequestContext, type RequestContext, type ResolvedConfig } from "../core/config.js";
import { parseCookieHeader, type OutgoingCookie } from "../core/cookies.js";
import type { SessionResult } from "../core/session/jwt-session.js";
import { readRequestAuth } from "../core/session/read-session.js";
import { authorizedCallback, logError, type Instance } from "./instance.js";
import { unauthorizedResponse, withCookies } from "./responses.js";
import { CURRENT_URL_HEADER } from "./server-session.js";
import type { NextAuthRequest, WrappedHandler } from "./types.js";

/** The session a request carries, read the way the proxy and route wrappers read it. */
export interface RequestSession {
  resolved: ResolvedConfig | undefined;
  ctx: RequestContext | undefined;
  result: SessionResult;
}

const NO_SESSION: SessionResult = { session: null, status: "none", token: null, cookies: [] };

/**
 * Reads the session of a request and renews it (rolling session). Never throws: a
 * misconfiguration is logged and gives no session, so every check that follows denies.
 */
export async function readRequestSession(instance: Instance, request: Request): Promise<RequestSession> {
  let resolved: ResolvedConfig | undefined;
  try {
    resolved = await instance.getConfig(request);
    const ctx = createRequestContext(resolved, request.headers, request.url);
    const result = await readRequestAuth(ctx, request.headers.get("authorization"), parseCookieHeader(request.headers.get("cookie")), { renew: true });
    return { resolved, ctx, result };
  } catch (error) {
    logError(resolved, "The session could not be read; the request is treated as signed out.", error);
    return { resolved, ctx: undefined, result: NO_SESSION };
  }
}

/** True for requests that want data, not a page: they get 401 JSON instead of a redirect. */
function wantsJson(request: NextRequest): boolean {
  if (request.headers.has("rsc") || request.headers.has("next-action") || request.headers.has("next-router-prefetch")) return false;
  if (request.nextUrl.pathname.startsWith("/api/")) return true;
  const accept = request.headers.get("accept") ?? "";
  return !accept.includes("text/html");
}

/** The URL the browser asked for, on the configured origin (Next.js may have rewritten the host). */
function currentUrl(request: NextRequest, ctx: RequestContext | undefined): string {
  const origin = ctx?.origin ?? request.nextUrl.origin;
  return `${origin}${request.nextUrl.pathname}${request.nextUrl.search}`;
}

/** A denied request: 401 JSON for APIs, otherwise a redirect to the sign-in page and back. */
function deny(request: NextRequest, session: RequestSession): Response {
  if (wantsJson(request)) return unauthorizedResponse(session.result.status === "invalid");
  const { resolved, ctx } = session;
  const base = ctx?.origin ?? request.nextUrl.origin;
  const target = new URL(resolved?.pages.signIn ?? `${ctx?.authUrl ?? `${base}/api/auth`}/signin`, base);
  target.searchParams.set("callbackUrl", currentUrl(request, ctx));
  // 303 after a POST (a server action) so the browser does not replay it at the sign-in page (RFC 9700 §4.12).
  const status = request.method === "GET" || request.method === "HEAD" ? 307 : 303;
  return withCookies(NextResponse.redirect(target, status), session.result.cookies);
}

/**
 * Request headers for what renders after the proxy: the renewed session cookie in place of the
 * old one, so server components of this same request see the renewed session (next-auth
 * #11853), and the URL the user asked for, for page-level redirects to sign-in.
 */
function downstreamHeaders(request: NextRequest, ctx: RequestContext | undefined, renewed: OutgoingCookie[]): Headers {
  const headers = new Headers(request.headers);
  if (renewed.length > 0) {
    const jar = parseCookieHeader(request.headers.get("cookie"));
    for (const cookie of renewed) {
      if (cookie.options.maxAge === 0) jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    headers.set("cookie", [...jar].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join("; "));
  }
  headers.set(CURRENT_URL_HEADER, currentUrl(request, ctx));
  return headers;
}

function isOwnRoute(request: NextRequest, session: RequestSession): boolean {
  const { pathname } = request.nextUrl;
  const basePath = session.resolved?.basePath ?? "/api/auth";
  if (pathname === basePath || pathname.startsWith(`${basePath}/`)) return true;
  const signInPage = session.resolved?.pages.signIn;
  if (!signInPage) return false;
  try {
    return new URL(signInPage, request.nextUrl.origin).pathname === pathname;
  } catch {
    return false;
  }
}

/**
 * The proxy (Next 16) / middleware (Next 15), and the `auth(handler)` wrapper: reads and renews
 * the session, runs `callbacks.authorized` (also when a handler is wrapped, unlike Auth.js),
 * then continues, calls the handler with `req.auth`, or denies.
 */
export async function runProxy(instance: Instance, request: NextRequest, context: unknown, handler?: WrappedHandler<unknown>): Promise<Response> {
  const session = await readRequestSession(instance, request);
  const renewed = session.result.cookies;
  if (!session.resolved) {
    // Without a config nobody can say what is protected: deny everything (fail closed).
    if (!isOwnRoute(request, session)) return deny(request, session);
  } else if (!isOwnRoute(request, session)) {
    const authorized = authorizedCallback(session.resolved);
    if (authorized) {
      let decision: boolean | Response | undefined | void;
      try {
        decision = await authorized({ request, auth: session.result.session });
      } catch (error) {
        logError(session.resolved, "callbacks.authorized threw; the request is denied.", error);
        decision = false;
      }
      if (decision instanceof Response) return withCookies(decision, renewed);
      if (decision === false) return deny(request, session);
    }
  }
  if (handler) {
    const authRequest: NextAuthRequest = Object.assign<NextRequest, { auth: NextAuthRequest["auth"] }>(request, { auth: session.result.session });
    const response = await handler(authRequest, context);
    if (response instanceof Response) return withCookies(response, renewed);
  }
  const next = NextResponse.next({ request: { headers: downstreamHeaders(request, session.ctx, renewed) } });
  return withCookies(next, renewed);
}
