/** Which requests a wrapper applies to. */
export type UrlMatcher = (url: URL) => boolean;

function urlOf(input: RequestInfo | URL): URL {
  return new URL(input instanceof Request ? input.url : input);
}

/**
 * A fetch that adds headers to the requests `match` selects (Reddit refuses requests without a
 * descriptive `User-Agent`). `base` is read at call time, so a fetch the app passes still wins.
 *
 * @example
 * ```ts
 * fetch: withHeaders(options.fetch, (url) => url.hostname.endsWith("reddit.com"), { "user-agent": "web:my-app:1.0" })
 * ```
 */
export function withHeaders(base: typeof fetch | undefined, match: UrlMatcher, headers: Record<string, string>): typeof fetch {
  return (input, init) => {
    const fetcher = base ?? globalThis.fetch;
    if (!match(urlOf(input))) return fetcher(input, init);
    const merged = new Headers(input instanceof Request ? input.headers : undefined);
    for (const [name, value] of new Headers(init?.headers)) merged.set(name, value);
    for (const [name, value] of Object.entries(headers)) merged.set(name, value);
    return fetcher(input, { ...init, headers: merged });
  };
}

/**
 * A fetch that rewrites the JSON body of the successful responses `match` selects, for services
 * whose token response breaks the standard (Twitch sends `scope` as an array).
 *
 * @example
 * ```ts
 * fetch: conformJson(options.fetch, (url) => url.pathname === "/oauth2/token", (body) => body)
 * ```
 */
export function conformJson(base: typeof fetch | undefined, match: UrlMatcher, transform: (body: Record<string, unknown>) => Record<string, unknown>): typeof fetch {
  return async (input, init) => {
    const response = await (base ?? globalThis.fetch)(input, init);
    if (!response.ok || !match(urlOf(input)) || !(response.headers.get("content-type") ?? "").includes("json")) return response;
    const body: unknown = await response.json();
    const conformed = typeof body === "object" && body !== null && !Array.isArray(body) ? transform(body as Record<string, unknown>) : body;
    const headers = new Headers(response.headers);
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(JSON.stringify(conformed), { status: response.status, statusText: response.statusText, headers });
  };
}
