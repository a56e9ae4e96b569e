/**
 * The docs' lean proxy (latch/proxy, "A lean proxy" in docs/protected-routes.md) with the config
 * auth.ts shares. The Next 15 fixture keeps `auth` from latch/next as its middleware, so both
 * proxies run in real builds.
 */
import NextAuth from "latch/proxy";
import authConfig from "./auth.config";

const { auth } = NextAuth(authConfig);

// Not `export const { auth: proxy } = …`: Next 16 finds the proxy by reading the file, and it
// does not see a name bound by destructuring ("must export a function … named proxy").
export { auth as proxy };

export const config = { matcher: ["/dashboard/:path*", "/api/private/:path*"] };
