/** The README's Next 16 proxy, verbatim: `auth` itself, no wrapper. */
export { auth as proxy } from "./auth";

export const config = { matcher: ["/dashboard/:path*", "/api/private/:path*"] };
