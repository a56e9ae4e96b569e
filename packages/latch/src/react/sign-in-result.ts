import type { SignInResponse } from "./types.js";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Reads the answer to a sign-in POST made with `X-Auth-Return-Redirect: 1`: the server answers
 * `{ url }` (200, or 429 when throttled), and an error travels as `?error=` (and `?code=`) on
 * that URL. Without a URL, a JSON error body (`{ error }`) or the status says what went wrong.
 *
 * @example
 * ```ts
 * signInResult(200, { url: "http://app/api/auth/signin?error=CredentialsSignin&code=credentials" }, location.href);
 * // { error: "CredentialsSignin", code: "credentials", status: 200, ok: true, url: null }
 * ```
 */
export function signInResult(status: number, body: unknown, base: string): SignInResponse {
  const ok = status >= 200 && status < 300;
  const rawUrl = isRecord(body) && typeof body.url === "string" ? body.url : undefined;
  let url: URL | undefined;
  if (rawUrl !== undefined) {
    try {
      url = new URL(rawUrl, base);
    } catch {
      url = undefined;
    }
  }
  if (url === undefined) {
    const error = isRecord(body) && typeof body.error === "string" ? body.error : ok ? undefined : "Configuration";
    return { error, code: undefined, status, ok, url: null };
  }
  const error = url.searchParams.get("error") ?? undefined;
  const code = url.searchParams.get("code") ?? undefined;
  return { error, code, status, ok, url: error === undefined ? url.href : null };
}
