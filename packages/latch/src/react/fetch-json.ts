import { ClientFetchError } from "./client-fetch-error.js";

/** A JSON answer of latch's routes, with what the caller may need of the response. */
export interface JsonAnswer {
  status: number;
  ok: boolean;
  body: unknown;
  headers: Headers;
  /** Browser-clock ms when the answer arrived. */
  receivedAt: number;
}

/**
 * Sends a request to one of latch's routes and reads the JSON answer, whatever its status.
 * Throws {@link ClientFetchError} when the network fails or the body is not JSON.
 */
export async function fetchJson(url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: "same-origin", cache: "no-store", ...init });
  } catch (error) {
    throw new ClientFetchError(`latch: ${init.method ?? "GET"} ${url} failed before an answer came back (offline, or the server is unreachable).`, { cause: error });
  }
  const receivedAt = Date.now();
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ClientFetchError(`latch: ${init.method ?? "GET"} ${url} answered ${response.status} without JSON; is basePath right?`, { status: response.status, cause: error });
  }
  return { status: response.status, ok: response.ok, body, headers: response.headers, receivedAt };
}
