import type { NextRequest } from "next/server.js";
import { SEALED_COOKIE, unseal } from "#seal";

/** The baseline's session route: the sealed cookie's claims as JSON, `null` without a valid one. */
export function GET(request: NextRequest): Response {
  const value = request.cookies.get(SEALED_COOKIE)?.value;
  const claims = value === undefined ? null : unseal(value, process.env.AUTH_SECRET ?? "");
  return Response.json(claims, { headers: { "cache-control": "no-store" } });
}
