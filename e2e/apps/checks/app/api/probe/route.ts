import { probe } from "../../../probe";

/**
 * The probe, for the tests: `?id=` selects whose `jwt` calls to count. It reads
 * no session itself, so asking leaves the counts as they were.
 */
export function GET(request: Request): Response {
  const { configCalls, jwtCalls, signOuts } = probe();
  const id = new URL(request.url).searchParams.get("id");
  return Response.json({ configCalls, jwtCalls: id === null ? null : (jwtCalls.get(id) ?? 0), signOuts });
}
