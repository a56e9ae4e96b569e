/**
 * `latch/proxy` on Node.js (the `node` export condition): a Next 16 proxy, or a Next 15
 * middleware with `runtime: "nodejs"`. The same proxy as index.ts, on node:crypto — about 40 µs
 * to read and renew a session where WebCrypto takes about 300 — and without the WebCrypto code.
 */
import * as buffer from "node:buffer";
import * as crypto from "node:crypto";
import { nodeJwe, type SessionJwe } from "../core/session/jwe-fast.js";
import { createProxyAuth } from "./create-proxy-auth.js";
import type { ProxyAuthResult, ProxyConfig } from "./types.js";

export type { ProxyAuth, ProxyAuthResult, ProxyConfig } from "./types.js";
export type { AuthorizedParams, NextAuthConfig, NextAuthRequest, WrappedHandler } from "../next/types.js";

/** What the node:crypto path calls: a runtime with a partial node:crypto (a worker's Node.js compatibility layer) may lack some. */
const NEEDED = ["createHmac", "createCipheriv", "createDecipheriv", "hkdfSync", "createHash", "randomFillSync", "randomUUID", "timingSafeEqual"] as const;
const missing = [...NEEDED.filter((name) => typeof crypto[name] !== "function"), ...(typeof buffer.isUtf8 === "function" ? [] : ["buffer.isUtf8"])];

/** Fails every session read with what is missing and what to do, rather than with a TypeError deep inside. */
function unavailable(): never {
  throw new Error(
    `latch/proxy: this runtime resolved latch/proxy's Node.js build (the "node" export condition), but its node:crypto lacks ${missing.join(", ")}. Build the proxy for the Edge runtime, or make the bundler resolve "worker" or "edge-light" before "node": latch/proxy then uses WebCrypto.`,
  );
}

const jwe: SessionJwe = missing.length === 0 ? nodeJwe({ crypto, buffer }) : { keys: unavailable, open: unavailable, seal: unavailable, uuid: unavailable };

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
