import { auth } from "../../../auth";

/**
 * The session as the server sees it, for tests and for curious developers:
 * `curl -b 'authjs.session-token=…' http://127.0.0.1:3000/api/me`.
 */
export async function GET(): Promise<Response> {
  return Response.json({ session: await auth() });
}
