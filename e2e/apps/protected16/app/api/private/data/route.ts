import { MARKERS } from "../../../../markers";

/**
 * Protected by the proxy alone, like /dashboard/settings: the route handler trusts that
 * the proxy ran, so a proxy bypass would serve the marker.
 */
export function GET(): Response {
  return Response.json({ marker: MARKERS.privateData });
}
