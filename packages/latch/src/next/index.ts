/**
 * latch for Next.js: `NextAuth(config)` → `{ handlers, auth, signIn, signOut, unstable_update }`,
 * the same surface as next-auth v5, plus `requireSession` and `protect` for page- and
 * route-level checks.
 */
import type { NextRequest } from "next/server";
import { handleToResponse } from "../core/handle-request.js";
import type { Awaitable, Provider, Session } from "../types.js";
import { createActions } from "./actions.js";
import { createInstance } from "./instance.js";
import { pagesRouterSession } from "./pages-router.js";
import { createGetAccessToken } from "./access-token.js";
import { createProtect } from "./protect.js";
import { runProxy } from "./proxy.js";
import { createRequireSession, createServerSessionReader } from "./server-session.js";
import type { AuthFunction, NextAuthConfig, NextAuthResult, PagesRequestLike, PagesResponseLike, ServerSidePropsContextLike, WrappedHandler } from "./types.js";

export type * from "../types.js";
export type * from "./types.js";
export type { AccessTokenError, AccessTokenResult } from "../core/provider-tokens.js";
export { AuthError, CredentialsSignin, EmailSignInError, RateLimited, SessionRequired } from "../errors.js";

function isServerSidePropsContext(value: unknown): value is ServerSidePropsContextLike {
  return typeof value === "object" && value !== null && "req" in value && "res" in value;
}

function isPagesResponse(value: unknown): value is PagesResponseLike {
  return typeof value === "object" && value !== null && "setHeader" in value && "getHeader" in value;
}

/**
 * Creates latch for a Next.js app. With the config written in the call (or typed by
 * `satisfies NextAuthConfig`), `signIn()` accepts only the ids of its providers, and
 * `getAccessToken()` those of its OAuth/OIDC providers; with a config typed `NextAuthConfig`, or
 * the lazy form `NextAuth((request) => config)`, any string.
 *
 * @example
 * ```ts
 * // auth.ts
 * import NextAuth from "latch/next";
 * import GitHub from "latch/providers/github";
 * export const { handlers, auth, signIn, signOut } = NextAuth({ providers: [GitHub] });
 * // proxy.ts (Next 16) — or middleware.ts with `export { auth as middleware }` (Next 15)
 * export { auth as proxy } from "./auth";
 * ```
 */
export default function NextAuth<Providers extends Provider[] = Provider[]>(
  input: (NextAuthConfig & { providers: Providers }) | ((request: Request | undefined) => Awaitable<NextAuthConfig>),
): NextAuthResult<Providers[number]> {
  const instance = createInstance(input);
  const readServerSession = createServerSessionReader(instance);

  // The forms are told apart by what the first argument is, not by how many there are.
  function auth(...args: unknown[]): Promise<Session | null> | Promise<Response> | ((request: NextRequest, context: unknown) => Promise<Response>) {
    const [first, second] = args;
    if (first === undefined) return readServerSession();
    if (typeof first === "function") {
      const handler = first as WrappedHandler<unknown>;
      return (request: NextRequest, context: unknown) => runProxy(instance, request, context, handler);
    }
    if (first instanceof Request) return runProxy(instance, first as NextRequest, second);
    if (isServerSidePropsContext(first)) return pagesRouterSession(instance, first.req, first.res);
    if (isPagesResponse(second)) return pagesRouterSession(instance, first as PagesRequestLike, second);
    throw new TypeError("latch: auth() was called with arguments it does not know. Call auth() with none, with a request (proxy), with a handler to wrap, or with (req, res) / a getServerSideProps context.");
  }

  return {
    handlers: {
      // mounted: Next.js hands a route handler its URL without next.config's basePath.
      GET: async (request) => handleToResponse(request, await instance.getConfig(request), { mounted: true }),
      POST: async (request) => handleToResponse(request, await instance.getConfig(request), { mounted: true }),
    },
    auth: auth as AuthFunction,
    ...createActions(instance),
    requireSession: createRequireSession(instance, readServerSession),
    getAccessToken: createGetAccessToken(instance),
    protect: createProtect(instance),
  };
}
