import { serializeCookie } from "../core/cookies.js";
import { readRequestSession } from "./proxy.js";
import type { Instance } from "./instance.js";
import { NO_STORE } from "./responses.js";
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

/** Adds Set-Cookie values, and makes the response `private, no-store` as `withCookies` does (GHSA-f3fg-mf2q-fj3f). */
function appendSetCookie(res: PagesResponseLike, values: string[]): void {
  if (values.length === 0) return;
  const existing = res.getHeader("set-cookie");
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  res.setHeader("set-cookie", [...list, ...values]);
  res.setHeader("cache-control", NO_STORE);
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
  const { result } = await readRequestSession(instance, request);
  appendSetCookie(res, result.cookies.map(serializeCookie));
  return result.session;
}
