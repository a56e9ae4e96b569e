import { authUrl, clientBasePath } from "./auth-url.js";
import { ClientFetchError } from "./client-fetch-error.js";
import { fetchJson } from "./fetch-json.js";
import { getCsrfToken } from "./get-csrf-token.js";
import { navigate } from "./navigate.js";
import { announce, senderId } from "./session-channel.js";
import { sessionKey } from "./session-key.js";
import { afterSessionReads } from "./session-lock.js";
import type { SignOutOptions, SignOutResponse } from "./types.js";

/**
 * Signs out from the browser: `POST {basePath}/signout` with the CSRF token, then every
 * `<SessionProvider>` of the origin (this tab and the others) shows the user signed out. With
 * `redirect: false` nothing navigates and the promise resolves to `{ url }` once the providers of
 * this tab show the user signed out.
 *
 * The POST waits for the session requests already under way in every tab (at most 5 s): a
 * renewal answered after the sign-out would otherwise write the session cookie back.
 *
 * A sign-out the server refuses (a missing CSRF cookie) leaves the session as it was: with
 * `redirect: false` the promise rejects with a `ClientFetchError` that says why (next-auth
 * resolved as if signed out), otherwise the browser goes to the error page. Nothing is announced.
 *
 * @example
 * ```ts
 * await signOut({ redirectTo: "/" });
 * ```
 */
export async function signOut(options?: SignOutOptions<true>): Promise<void>;
export async function signOut(options: SignOutOptions<false>): Promise<SignOutResponse>;
export async function signOut(options?: SignOutOptions): Promise<SignOutResponse | undefined>;
export async function signOut(options: SignOutOptions = {}): Promise<SignOutResponse | void> {
  const basePath = clientBasePath(options.basePath);
  const redirectTo = options.redirectTo ?? options.callbackUrl ?? window.location.href;
  const csrfToken = await getCsrfToken({ basePath });
  const url = authUrl(basePath, "signout");
  const answer = await afterSessionReads(basePath, () =>
    fetchJson(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
      body: new URLSearchParams({ csrfToken, callbackUrl: redirectTo }),
    }),
  );
  const body: unknown = answer.body;
  const next = isRecord(body) && typeof body.url === "string" ? body.url : undefined;
  const refused = !answer.ok || (isRecord(body) && typeof body.error === "string");
  if (refused) {
    const reason = isRecord(body) && typeof body.error === "string" ? body.error : `status ${answer.status}`;
    if (options.redirect !== false && next !== undefined) {
      navigate(next);
      return undefined;
    }
    throw new ClientFetchError(`latch: POST ${url} refused the sign-out (${reason}); the session is unchanged.`, { status: answer.status });
  }
  const signedOut = announce(basePath, { kind: "changed", from: senderId(), key: sessionKey(null) });
  if (options.redirect !== false) {
    navigate(next ?? redirectTo);
    return undefined;
  }
  // As next-auth: resolve once this tab's providers show the sign-out.
  await signedOut;
  return { url: next ?? redirectTo };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
