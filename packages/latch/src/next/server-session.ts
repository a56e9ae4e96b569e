import { redirect, unstable_rethrow } from "next/navigation";
import { sameOriginUrl } from "../core/callback-url.js";
import { createRequestContext } from "../core/config.js";
import { readRequestAuth } from "../core/session/read-session.js";
import { SessionRequired } from "../errors.js";
import type { Session } from "../types.js";
import { requestCookies, requestHeaders } from "./request-scope.js";
import { logError, type Instance } from "./instance.js";
import type { RequireSessionOptions } from "./types.js";

// The header the proxy sets with the URL it saw, so page-level checks can send the user back to it.
import { CURRENT_URL_HEADER } from "./proxy-gate.js";
export { CURRENT_URL_HEADER };

type CookieStore = Awaited<ReturnType<typeof requestCookies>>;

function cookieMap(store: CookieStore): Map<string, string> {
  const map = new Map<string, string>();
  for (const cookie of store.getAll()) map.set(cookie.name, cookie.value);
  return map;
}

/**
 * `auth()` with no arguments: the session of the request being rendered, read from
 * `cookies()` directly — no internal HTTP round trip. One decode per request: server
 * components calling it many times share the result, keyed by Next's per-request cookie store
 * and by its cookies, so a cookie set or deleted by a server action is seen.
 */
export function createServerSessionReader(instance: Instance): () => Promise<Session | null> {
  const memo = new WeakMap<object, { key: string; session: Promise<Session | null> }>();
  return async function readServerSession() {
    try {
      const store = await requestCookies();
      const all = cookieMap(store);
      const authorization = (await requestHeaders()).get("authorization");
      let key = authorization === null ? "" : `authorization=${authorization};`;
      // Every cookie: an app may name its session cookie anything (cookies.sessionToken.name), and
      // one a server action deleted or set must be seen by the next auth() of the request.
      for (const [name, value] of all) key += `${name}=${value};`;
      const hit = memo.get(store);
      if (hit && hit.key === key) return await hit.session;
      const session = (async () => {
        const resolved = await instance.getConfig(undefined);
        try {
          const ctx = createRequestContext(resolved, await requestHeaders());
          return (await readRequestAuth(ctx, authorization, all, { renew: false })).session;
        } catch (error) {
          unstable_rethrow(error);
          logError(resolved, "auth() could not read the session; it returns null.", error);
          return null;
        }
      })();
      memo.set(store, { key, session });
      return await session;
    } catch (error) {
      // Next.js signals "render this route per request" by throwing from cookies(): not a failure.
      unstable_rethrow(error);
      // Fail closed: any failure is "no session", never a truthy object.
      logError(undefined, "auth() could not read the session; it returns null.", error);
      return null;
    }
  };
}

/** `requireSession()`: the session, or a redirect to sign-in (or a `SessionRequired` throw). */
export function createRequireSession(instance: Instance, readServerSession: () => Promise<Session | null>) {
  return async function requireSession(options: RequireSessionOptions = {}): Promise<Session> {
    const session = await readServerSession();
    if (session) return session;
    if (options.onMissing === "throw") throw new SessionRequired("This action needs a signed-in user: sign in and try again.");
    const resolved = await instance.getConfig(undefined);
    const incoming = await requestHeaders();
    let ctx;
    try {
      ctx = createRequestContext(resolved, incoming);
    } catch (error) {
      logError(resolved, "requireSession() cannot build the sign-in URL; it throws SessionRequired.", error);
      throw new SessionRequired("Sign-in is unavailable: the server's authentication is misconfigured.", { cause: error });
    }
    const callbackUrl = sameOriginUrl(options.callbackUrl ?? incoming.get(CURRENT_URL_HEADER) ?? "/", ctx.origin);
    const target = new URL(resolved.pages.signIn ?? `${ctx.authUrl}/signin`, ctx.origin);
    target.searchParams.set("callbackUrl", callbackUrl);
    redirect(target.href);
  };
}
