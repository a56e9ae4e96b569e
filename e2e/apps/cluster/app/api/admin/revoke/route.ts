import { timingSafeEqual } from "node:crypto";
import { revokeUser } from "../../../../auth";
import { setting } from "../../../../services";

function isAdmin(request: Request): boolean {
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const expected = Buffer.from(`Bearer ${setting("CLUSTER_ADMIN_KEY")}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * An admin's "end this user's sessions" (a ban, a deleted account): `revokeUser()` from a route
 * handler, outside any session of the user. The admin proves itself with a key from the
 * environment; the user is named by id in the JSON body.
 */
export async function POST(request: Request): Promise<Response> {
  if (!isAdmin(request)) return Response.json({ error: "Unauthorized" }, { status: 401 });
  const body: unknown = await request.json().catch(() => null);
  const userId = typeof body === "object" && body !== null && "userId" in body ? body.userId : undefined;
  if (typeof userId !== "string" || userId === "") return Response.json({ error: "Send { userId }." }, { status: 400 });
  await revokeUser(userId);
  return new Response(null, { status: 204 });
}
