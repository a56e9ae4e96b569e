import { serializeCookie, type OutgoingCookie } from "../core/cookies.js";

/** What a response that sets a cookie says to caches: only the browser may keep it, and only to show it again. */
export const NO_STORE = "private, no-cache, no-store";

/**
 * The answer an API route gives without a valid session: 401 JSON with a `WWW-Authenticate`
 * challenge (RFC 6750 shape), never a redirect to an HTML page.
 */
export function unauthorizedResponse(invalid: boolean): Response {
  const challenge = invalid ? 'Bearer realm="latch", error="invalid_token", error_description="The session expired or is invalid"' : 'Bearer realm="latch"';
  const message = invalid ? "The session expired or is invalid: sign in again." : "Sign in to use this API.";
  return Response.json({ error: "Unauthorized", message }, { status: 401, headers: { "www-authenticate": challenge, "cache-control": NO_STORE } });
}

/**
 * Adds Set-Cookie headers to a response, copying it first when its headers are immutable, and
 * makes it `private, no-store` whatever it said: a shared cache that kept a renewed session
 * cookie would hand it to the next visitor (GHSA-f3fg-mf2q-fj3f). Next.js keeps the
 * Cache-Control the proxy sets on the page it then renders, prerendered pages included.
 */
export function withCookies(response: Response, cookies: OutgoingCookie[]): Response {
  if (cookies.length === 0) return response;
  let target = response;
  try {
    target.headers.set("cache-control", NO_STORE);
  } catch {
    // Response.redirect() and fetch() responses have immutable headers.
    target = new Response(response.body, response);
    target.headers.set("cache-control", NO_STORE);
  }
  for (const cookie of notSetBy(response.headers.getSetCookie(), cookies)) target.headers.append("set-cookie", serializeCookie(cookie));
  return target;
}

/**
 * The cookies an answer's own `Set-Cookie` headers leave alone. The app's answer wins: a cookie
 * it sets or deletes (a ban deletes the session cookie) is not undone by a renewed one appended
 * after it, and one renewal per answer is enough. Chunks count as their cookie's.
 *
 * @example
 * ```ts
 * notSetBy(["authjs.session-token=; Max-Age=0"], renewed); // renewed, minus the session cookie
 * ```
 */
export function notSetBy(setCookieHeaders: readonly string[], cookies: OutgoingCookie[]): OutgoingCookie[] {
  const chunkless = (name: string) => name.trim().replace(/\.\d+$/, "");
  const own = setCookieHeaders.map((header) => chunkless(header.split("=", 1)[0] ?? ""));
  return cookies.filter((cookie) => !own.includes(chunkless(cookie.name)));
}
