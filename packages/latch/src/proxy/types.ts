import type { NextRequest } from "next/server";
import type { Awaitable } from "../types.js";
import type { NextAuthConfig, WrappedHandler } from "../next/types.js";

/**
 * The config `NextAuth()` from `latch/proxy` takes: the object, or a function of the request.
 * It is `latch/next`'s config type, so `auth.config.ts` serves both; the lean proxy reads its
 * edge-safe part (secrets, `basePath`, cookies, `session.maxAge`, `jwt`, `pages.signIn`,
 * `callbacks.jwt` / `session` / `authorized`, `events.session`, `logger`, `debug`) and ignores
 * `providers`. A database strategy, an `adapter`, `revocation`, `bearer` or `providerTokens`
 * is refused: every request is then treated as signed out and the error is logged.
 *
 * @example
 * ```ts
 * import type { ProxyConfig } from "latch/proxy";
 * const config: ProxyConfig = { providers: [], callbacks: { authorized: ({ auth }) => !!auth } };
 * ```
 */
export type ProxyConfig = NextAuthConfig | ((request: Request | undefined) => Awaitable<NextAuthConfig>);

/**
 * `auth` of `latch/proxy`, in the two forms a proxy uses:
 * - `export { auth as proxy }` (Next 16; `middleware` in Next 15): reads and renews the
 *   session, runs `callbacks.authorized`, and denies what it refuses;
 * - `auth((req) => …)` wraps a proxy function of your own, with the session in `req.auth`.
 *
 * It does not read sessions in server components: call `auth()` from `latch/next` there.
 *
 * @example
 * ```ts
 * // proxy.ts
 * import NextAuth from "latch/proxy";
 * import authConfig from "./auth.config";
 * const { auth } = NextAuth(authConfig);
 * export { auth as proxy };
 * ```
 */
export interface ProxyAuth {
  <C = unknown>(handler: WrappedHandler<C>): (request: NextRequest, context: C) => Promise<Response>;
  (request: NextRequest, context?: unknown): Promise<Response>;
}

/**
 * What `NextAuth()` from `latch/proxy` returns.
 *
 * @example
 * ```ts
 * const { auth }: ProxyAuthResult = NextAuth(authConfig);
 * ```
 */
export interface ProxyAuthResult {
  /** The proxy itself, or a wrapper for a proxy function of your own. */
  auth: ProxyAuth;
}
