import { csrfVerified, type ActionContext } from "../action-context.js";
import type { ResponseInternal } from "../response.js";
import { readSession } from "../session/read-session.js";

/**
 * `GET /session` returns the session (or `null`) and renews the cookie; `POST /session` updates
 * it through the `jwt` callback with `trigger: "update"` and requires the CSRF token.
 */
export async function sessionAction(action: ActionContext): Promise<ResponseInternal> {
  if (action.method === "POST") {
    if (!csrfVerified(action)) return { status: 400, body: null, cookies: action.baseCookies };
    const result = await readSession(action.ctx, action.cookies, { renew: true, update: { data: action.body.data } });
    return { body: result.session, cookies: [...action.baseCookies, ...result.cookies] };
  }
  const result = await readSession(action.ctx, action.cookies, { renew: true });
  return { body: result.session, cookies: [...action.baseCookies, ...result.cookies] };
}
