import { authUrl, clientBasePath } from "./auth-url.js";
import { fetchJson } from "./fetch-json.js";
import { getCsrfToken } from "./get-csrf-token.js";
import { navigate } from "./navigate.js";
import { announce, senderId } from "./session-channel.js";
import { sessionKey } from "./session-key.js";
import type { SignOutOptions, SignOutResponse } from "./types.js";

/**
 * Signs out from the browser: `POST {basePath}/signout` with the CSRF token, then every
 * `<SessionProvider>` of the origin (this tab and the others) shows the user signed out. With
 * `redirect: false` nothing navigates and the promise resolves to `{ url }` once the providers of
 * this tab show the user signed out.
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
  const answer = await fetchJson(authUrl(basePath, "signout"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-auth-return-redirect": "1" },
    body: new URLSearchParams({ csrfToken, callbackUrl: redirectTo }),
  });
  const signedOut = announce(basePath, { kind: "changed", from: senderId(), key: sessionKey(null) });
  const body = answer.body;
  const url = typeof body === "object" && body !== null && "url" in body && typeof body.url === "string" ? body.url : redirectTo;
  if (options.redirect !== false) {
    navigate(url);
    return undefined;
  }
  // As next-auth: resolve once this tab's providers show the sign-out.
  await signedOut;
  return { url };
}
