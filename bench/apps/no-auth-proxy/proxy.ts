import { NextResponse } from "next/server.js";

/** The ceiling: a proxy that does nothing, so the figure is Next's own cost of running one. */
export function proxy(): NextResponse {
  return NextResponse.next();
}

export const config = { matcher: ["/dashboard"] };
