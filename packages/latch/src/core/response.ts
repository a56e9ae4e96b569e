import { serializeCookie, type OutgoingCookie } from "./cookies.js";

/** What an action returns before it becomes a Web `Response`; server actions read it directly. */
export interface ResponseInternal {
  status?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** A string is sent as is (HTML or text), anything else as JSON. */
  body?: unknown;
  cookies?: OutgoingCookie[] | undefined;
  /**
   * An absolute URL to redirect to. With a non-3xx `status` (a 429) the response is the body,
   * and the URL only reaches clients that asked for JSON with `X-Auth-Return-Redirect`.
   */
  redirect?: string | undefined;
  /** The error behind this response, for server actions that rethrow it; never serialized. */
  error?: unknown;
  /**
   * The `?error=` type of a refused request, sent as `error` beside `url` to clients that asked
   * for JSON: `latch/react` tells a refused sign-out from one that happened by it.
   */
  refused?: string | undefined;
}

// Every auth response may carry Set-Cookie or a token: no shared cache may keep it (GHSA-f3fg-mf2q-fj3f).
const NO_STORE = "private, no-cache, no-store";

/**
 * Turns an internal response into a Web `Response`. With `X-Auth-Return-Redirect: 1` a redirect
 * becomes `200 {"url": …}`, as next-auth/react expects.
 */
export function toResponse(internal: ResponseInternal, returnRedirectAsJson: boolean): Response {
  const headers = new Headers(internal.headers);
  // Only a response that says how it may be cached (the public JWKS) escapes no-store.
  if (!headers.has("cache-control")) {
    headers.set("cache-control", NO_STORE);
    headers.set("expires", "0");
    headers.set("pragma", "no-cache");
  }
  // No response of ours is to be read as anything but its declared type (ASVS 3.4.4).
  headers.set("x-content-type-options", "nosniff");
  for (const cookie of internal.cookies ?? []) headers.append("set-cookie", serializeCookie(cookie));
  const status = internal.status ?? (internal.redirect !== undefined ? 302 : 200);
  const isRedirect = status >= 300 && status < 400;
  if (internal.redirect !== undefined && (isRedirect || returnRedirectAsJson)) {
    if (returnRedirectAsJson) {
      headers.set("content-type", "application/json");
      const answer = internal.refused === undefined ? { url: internal.redirect } : { url: internal.redirect, error: internal.refused };
      return new Response(JSON.stringify(answer), { status: isRedirect ? 200 : status, headers });
    }
    headers.set("location", internal.redirect);
    return new Response(null, { status, headers });
  }
  let body: string | null = null;
  if (typeof internal.body === "string") {
    body = internal.body;
    if (!headers.has("content-type")) headers.set("content-type", "text/plain; charset=utf-8");
  } else if (internal.body !== undefined) {
    body = JSON.stringify(internal.body);
    headers.set("content-type", "application/json");
  }
  return new Response(body, { status, headers });
}
