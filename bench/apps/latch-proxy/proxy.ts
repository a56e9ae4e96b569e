import NextAuth, { type ProxyAuth } from "latch/proxy";
import authConfig from "#auth-config";

/** The lean proxy (latch/proxy) with the shared config: the recommended setup. */
export const proxy: ProxyAuth = NextAuth(authConfig).auth;

export const config = { matcher: ["/dashboard"] };
