import { protect } from "../../../auth";
import { MARKERS } from "../../../markers";

/** Outside the proxy's matcher: `protect` is the only check, so it alone must answer 401. */
export const GET = protect((request) => Response.json({ marker: MARKERS.guarded, name: request.auth.user?.name ?? null }));
