/**
 * The README's Next 15 middleware, verbatim: `auth` itself, no wrapper, and no
 * `runtime` setting, so it runs (and is built for) the Edge runtime, Next 15's default.
 */
export { auth as middleware } from "./auth";

export const config = { matcher: ["/dashboard/:path*", "/api/private/:path*"] };
