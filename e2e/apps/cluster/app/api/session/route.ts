import { auth } from "../../../auth";

/** `auth()` as a route handler sees it; `{ session: null }` with a 200 when there is none. */
export async function GET(): Promise<Response> {
  return Response.json({ session: await auth() });
}
