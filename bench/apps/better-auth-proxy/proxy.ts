import { NextResponse, type NextRequest } from "next/server.js";
import { auth } from "#auth";

/**
 * Better Auth's check for a Node.js proxy: the full session read (`auth.api.getSession`, which
 * decrypts and validates the cookie cache), not the cookie-presence check its docs suggest for
 * Edge middleware — latch and next-auth decrypt the session in their proxy too.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const session = await auth.api.getSession({ headers: request.headers });
  if (!session) return NextResponse.redirect(new URL("/sign-in", request.url));
  return NextResponse.next();
}

export const config = { matcher: ["/dashboard"] };
