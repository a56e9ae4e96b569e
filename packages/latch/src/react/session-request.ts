import type { Session } from "../types.js";
import { authUrl } from "./auth-url.js";
import { serverClockOffset } from "./expiry.js";
import { fetchJson } from "./fetch-json.js";
import { getCsrfToken } from "./get-csrf-token.js";
import { duringSessionRead } from "./session-lock.js";

/**
 * The outcome of asking for the session. Only a 2xx answer of `null` (or `{}`) means "signed
 * out"; a network error, a non-2xx status or an unreadable body is a failure, after which the
 * caller keeps what it had.
 */
export type SessionAnswer =
  | { ok: true; session: Session | null; serverOffset: number | undefined }
  | { ok: false; status: number | undefined; cause: unknown };

function isSessionObject(value: unknown): value is Session {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}

/**
 * `GET {basePath}/session`, or with `update` `POST {basePath}/session` with the CSRF token and
 * `update.data` (the `jwt` callback runs with `trigger: "update"`). Never throws.
 *
 * @example
 * ```ts
 * const answer = await requestSession("/api/auth");
 * if (answer.ok) setSession(answer.session);
 * ```
 */
export async function requestSession(basePath: string, update?: { data: unknown }): Promise<SessionAnswer> {
  try {
    const url = authUrl(basePath, "session");
    // Its answer may renew the cookie: never while a sign-out is under way (session-lock.ts).
    const answer = await duringSessionRead(basePath, async () =>
      update === undefined
        ? fetchJson(url, { headers: { accept: "application/json" } })
        : fetchJson(url, {
            method: "POST",
            headers: { accept: "application/json", "content-type": "application/json" },
            body: JSON.stringify({ csrfToken: await getCsrfToken({ basePath }), data: update.data }),
          }),
    );
    if (!answer.ok) return { ok: false, status: answer.status, cause: answer.body };
    const { body } = answer;
    const serverOffset = serverClockOffset(answer.headers.get("date"), answer.receivedAt);
    if (body === null || (typeof body === "object" && !Array.isArray(body) && !isSessionObject(body))) return { ok: true, session: null, serverOffset };
    if (isSessionObject(body)) return { ok: true, session: body, serverOffset };
    return { ok: false, status: answer.status, cause: body };
  } catch (error) {
    return { ok: false, status: undefined, cause: error };
  }
}
