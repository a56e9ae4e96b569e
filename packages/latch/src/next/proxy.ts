import type { NextRequest } from "next/server";
import { createRequestContext, type RequestContext, type ResolvedConfig } from "../core/config.js";
import { parseCookieHeader } from "../core/cookies.js";
import type { SessionResult } from "../core/session/jwt-session.js";
import { readRequestAuth } from "../core/session/read-session.js";
import { authorizedCallback, logError, type Instance } from "./instance.js";
import { configuredSite, runGuardedGate } from "./proxy-gate.js";
import type { WrappedHandler } from "./types.js";

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

/**
 * The proxy (Next 16) / middleware (Next 15), and the `auth(handler)` wrapper: reads and renews
 * the session, runs `callbacks.authorized` (also when a handler is wrapped, unlike Auth.js),
 * then continues, calls the handler with `req.auth`, or denies (proxy-gate.ts).
 */
export async function runProxy(instance: Instance, request: NextRequest, context: unknown, handler?: WrappedHandler<unknown>): Promise<Response> {
  const { resolved, ctx, result } = await readRequestSession(instance, request);
  return runGuardedGate(request, context, handler, {
    app: resolved ? { basePath: resolved.basePath, signInPage: resolved.pages.signIn, authorized: authorizedCallback(resolved) } : undefined,
    site: ctx ? { origin: ctx.origin, authUrl: ctx.authUrl } : configuredSite(resolved),
    result,
    logError: (message, cause) => logError(resolved, message, cause),
  });
}
