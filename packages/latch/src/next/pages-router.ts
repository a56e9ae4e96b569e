import type { ResolvedConfig } from "../core/config.js";
import { serializeCookie, type OutgoingCookie } from "../core/cookies.js";
import { readRequestSession } from "./proxy.js";
import { logError, type Instance } from "./instance.js";
import { NO_STORE, notSetBy } from "./responses.js";
import type { PagesRequestLike, PagesResponseLike } from "./types.js";
import type { Session } from "../types.js";

function toHeaders(raw: PagesRequestLike["headers"]): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    try {
      headers.set(name, Array.isArray(value) ? value.join(name === "cookie" ? "; " : ", ") : value);
    } catch {
      // A header value fetch's Headers refuses (bad characters) is dropped, not thrown.
    }
  }
  return headers;
}

/**
 * Adds the renewed cookies the response does not set already (as `withCookies` does: the app's
 * own cookie wins, and a second `auth(ctx)` for the same response adds nothing), and makes the
 * response `private, no-store` (GHSA-f3fg-mf2q-fj3f). Once the headers are sent, nothing can be
 * added: the session is still returned, and the cookie is renewed on a later request.
 */
function appendSetCookie(res: PagesResponseLike, cookies: OutgoingCookie[], resolved: ResolvedConfig | undefined): void {
  if (cookies.length === 0) return;
  if (res.headersSent === true) {
    resolved?.logger.warn("pages-headers-sent: auth(req, res) was called after the response's headers were sent; the session cookie is not renewed on this response");
    return;
  }
  try {
    const existing = res.getHeader("set-cookie");
    const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
    const added = notSetBy(list, cookies);
    if (added.length === 0) return;
    res.setHeader("set-cookie", [...list, ...added.map(serializeCookie)]);
    res.setHeader("cache-control", NO_STORE);
  } catch (error) {
    logError(resolved, "The renewed session cookie could not be set on the response; the session is returned without it.", error);
  }
}

/**
 * `auth(req, res)` in a Pages Router API route and `auth(ctx)` in `getServerSideProps`: the
 * session, with the renewed cookie written to `res`. `null` on any failure.
 */
export async function pagesRouterSession(instance: Instance, req: PagesRequestLike, res: PagesResponseLike): Promise<Session | null> {
  const headers = toHeaders(req.headers);
  const host = headers.get("host") ?? "localhost";
  const path = typeof req.url === "string" && req.url.startsWith("/") ? req.url : "/";
  let request: Request;
  try {
    request = new Request(`http://${host}${path}`, { headers });
  } catch {
    request = new Request("http://localhost/", { headers });
  }
  const { resolved, result } = await readRequestSession(instance, request);
  appendSetCookie(res, result.cookies, resolved);
  return result.session;
}
