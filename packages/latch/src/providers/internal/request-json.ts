/** What {@link requestJson} needs besides the URL: whose API it is, and the access token. */
export interface JsonRequest {
  /** The service's name, for error messages. */
  service: string;
  accessToken: string;
  /** The `Authorization` scheme; Yandex wants `OAuth`. Default `Bearer`. */
  scheme?: string | undefined;
  method?: "GET" | "POST" | undefined;
  headers?: Record<string, string> | undefined;
}

/**
 * True for a plain JSON object.
 *
 * @example
 * ```ts
 * isRecord(JSON.parse('{"id":1}')) // true; arrays and null are not
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Calls a service's API with the access token and returns the JSON object it answered. Throws
 * (naming the service, the status and the path, never the token) on an error status or a body
 * that is not a JSON object.
 *
 * @example
 * ```ts
 * const me = await requestJson(provider.fetch, "https://discord.com/api/users/@me", { service: "Discord", accessToken });
 * ```
 */
export async function requestJson(fetcher: typeof fetch, url: string, request: JsonRequest): Promise<Record<string, unknown>> {
  const response = await fetcher(url, {
    method: request.method ?? "GET",
    headers: { accept: "application/json", ...request.headers, authorization: `${request.scheme ?? "Bearer"} ${request.accessToken}` },
  });
  const path = new URL(url).pathname;
  if (!response.ok) throw new Error(`${request.service} answered ${response.status} to ${request.method ?? "GET"} ${path}`);
  const body: unknown = await response.json();
  if (!isRecord(body)) throw new Error(`${request.service}'s answer to ${path} is not a JSON object`);
  return body;
}

/**
 * The access token of a token response; throws when the service sent none.
 *
 * @example
 * ```ts
 * const accessToken = accessTokenOf(tokens, "Discord");
 * ```
 */
export function accessTokenOf(tokens: { access_token?: string | undefined }, service: string): string {
  if (!tokens.access_token) throw new Error(`${service} returned no access token`);
  return tokens.access_token;
}
