/**
 * `latch/proxy`: a lean proxy (Next 16 `proxy.ts`) or middleware (Next 15 `middleware.ts`) for
 * JWT sessions. It reads and renews the session cookie, runs `callbacks.jwt`, `session` and
 * `authorized`, and answers as `auth` from `latch/next` does — in a few kilobytes, because it
 * leaves out everything a proxy does not need: providers, OAuth, pages, adapters, jose. Give it
 * the part of the config auth.ts and proxy.ts share (the split-config pattern).
 *
 * The proxy is the fast first gate; `auth()`, `requireSession()` and `protect()` from
 * `latch/next`, where the data is read, remain the real check.
 *
 * This module is the entry for every runtime but Node.js (the Edge runtime of a Next 15
 * middleware): its cryptography is WebCrypto. Node.js resolves `latch/proxy` to node.ts (the
 * `node` export condition), whose node:crypto is seven times faster per request, so each bundle
 * carries one of the two.
 */
import { webJwe } from "../core/session/jwe-web.js";
import { createProxyAuth } from "./create-proxy-auth.js";
import type { ProxyAuthResult, ProxyConfig } from "./types.js";

export type { ProxyAuth, ProxyAuthResult, ProxyConfig } from "./types.js";
export type { AuthorizedParams, NextAuthConfig, NextAuthRequest, WrappedHandler } from "../next/types.js";

/**
 * Creates the lean proxy from the config `latch/next`'s `NextAuth()` also gets (or its shared
 * part). `session.strategy: "database"`, `adapter`, `revocation`, `bearer` and `providerTokens`
 * are refused: the error is logged and every request is treated as signed out — use `auth` from
 * `latch/next` as the proxy for those.
 *
 * @example
 * ```ts
 * // auth.config.ts — what auth.ts and proxy.ts share
 * import type { NextAuthConfig } from "latch/next";
 * export default {
 *   providers: [],
 *   callbacks: { authorized: ({ auth }) => !!auth },
 * } satisfies NextAuthConfig;
 *
 * // proxy.ts (Next 16) — in Next 15: middleware.ts and `auth as middleware`
 * import NextAuth from "latch/proxy";
 * import authConfig from "./auth.config";
 * const { auth } = NextAuth(authConfig);
 * export { auth as proxy }; // by name: Next 16 does not see `export const { auth: proxy } = …`
 * export const config = { matcher: ["/dashboard/:path*"] };
 * ```
 */
export default function NextAuth(config: ProxyConfig): ProxyAuthResult {
  return createProxyAuth(config, { jwe: webJwe });
}
