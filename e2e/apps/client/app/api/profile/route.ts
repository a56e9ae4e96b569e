import { fixtureState } from "../../../fixture-state";

/**
 * Changes a user's display name "in the database", behind the session's back, as an admin
 * would: `POST { "id": "user-dave", "name": "Dave Fresh" }`. The session shows it from its next
 * read (a refetch, or `update()` without data).
 */
export async function POST(request: Request): Promise<Response> {
  const body: unknown = await request.json();
  if (typeof body !== "object" || body === null || !("id" in body) || !("name" in body) || typeof body.id !== "string" || typeof body.name !== "string") {
    return Response.json({ error: "expected { id, name }" }, { status: 400 });
  }
  fixtureState().profiles.set(body.id, body.name);
  return Response.json({ ok: true });
}
