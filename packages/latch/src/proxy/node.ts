/**
 * `latch/proxy` on Node.js (the `node` export condition): a Next 16 proxy, or a Next 15
 * middleware with `runtime: "nodejs"`. The same proxy as index.ts, on node:crypto — about 40 µs
 * to read and renew a session where WebCrypto takes about 300 — and without the WebCrypto code.
 */
import * as buffer from "node:buffer";
import * as crypto from "node:crypto";
import { nodeJwe } from "../core/session/jwe-fast.js";
import { createProxyAuth } from "./create-proxy-auth.js";
import type { ProxyAuthResult, ProxyConfig } from "./types.js";

export type { ProxyAuth, ProxyAuthResult, ProxyConfig } from "./types.js";
export type { AuthorizedParams, NextAuthConfig, NextAuthRequest, WrappedHandler } from "../next/types.js";

const jwe = nodeJwe({ crypto, buffer });

/**
 * Creates the lean proxy; see `NextAuth` in index.ts, which this is on node:crypto.
 *
 * @example
 * ```ts
 * import NextAuth from "latch/proxy"; // resolves here on Node.js
 * import authConfig from "./auth.config";
 * const { auth } = NextAuth(authConfig);
 * export { auth as proxy };
 * ```
 */
export default function NextAuth(config: ProxyConfig): ProxyAuthResult {
  return createProxyAuth(config, { jwe });
}
