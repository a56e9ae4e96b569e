import { headers } from "next/headers";
import { auth } from "../../../auth";

/**
 * The session `auth()` finds for this request, and how it came: a bearer token in the
 * Authorization header, or the cookie.
 */
export async function GET(): Promise<Response> {
  const session = await auth();
  const via = (await headers()).has("authorization") ? "bearer" : "cookie";
  if (!session) return Response.json({ error: "Unauthorized", via }, { status: 401 });
  return Response.json({ user: session.user?.name ?? null, via });
}
