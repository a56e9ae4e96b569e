import { authUrl, clientBasePath } from "./auth-url.js";
import { ClientFetchError } from "./client-fetch-error.js";
import { fetchJson } from "./fetch-json.js";
import type { ClientOptions } from "./types.js";

/**
 * The CSRF token latch's state-changing routes require (double-submit cookie): fetches
 * `GET {basePath}/csrf`, which also sets the cookie it pairs with. Rejects with
 * `ClientFetchError` when the server cannot be reached (next-auth resolved `""`, which every
 * POST then refused).
 *
 * @example
 * ```ts
 * const csrfToken = await getCsrfToken();
 * await fetch("/api/auth/signout", { method: "POST", body: new URLSearchParams({ csrfToken }) });
 * ```
 */
export async function getCsrfToken(options: ClientOptions = {}): Promise<string> {
  const url = authUrl(clientBasePath(options.basePath), "csrf");
  const answer = await fetchJson(url);
  const body = answer.body;
  if (!answer.ok || typeof body !== "object" || body === null || !("csrfToken" in body) || typeof body.csrfToken !== "string") {
    throw new ClientFetchError(`latch: GET ${url} answered ${answer.status} without a CSRF token.`, { status: answer.status });
  }
  return body.csrfToken;
}
