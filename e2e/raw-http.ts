/**
 * HTTP the way an attacker sends it, for the protected-routes tests: paths exactly as written
 * (no client-side normalization), and readers for what came back.
 */
import { request as httpRequest } from "node:http";

const sessionCookieName = "authjs.session-token";

/** An answer to a raw HTTP request. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends a request with the path exactly as given. `fetch` (and `new URL`) would normalize
 * `/./`, `/../` and `//` away before the server sees them, which is the point of these tests.
 *
 * @example
 * ```ts
 * const { status, body } = await rawRequest(app.url, { path: "/api/private/../private/data" });
 * ```
 */
export function rawRequest(base: string, options: { path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, path: options.path, method: options.method ?? "GET", headers: options.headers ?? {}, timeout: 30_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`e2e: ${options.method ?? "GET"} ${options.path} timed out`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The Set-Cookie lines a response carried. */
function setCookies(response: RawResponse | Response): string[] {
  if (response instanceof Response) return response.headers.getSetCookie();
  const value = response.headers["set-cookie"];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * The Set-Cookie line that issues the session cookie (not one that deletes it), if any.
 *
 * @example
 * ```ts
 * expect(issuedSessionCookie(response)).toMatch(/^authjs\.session-token=/);
 * ```
 */
export function issuedSessionCookie(response: RawResponse | Response): string | undefined {
  for (const line of setCookies(response)) {
    if (!line.startsWith(`${sessionCookieName}=`) || /max-age=0\b|expires=thu, 01 jan 1970/i.test(line)) continue;
    return line;
  }
  return undefined;
}

/**
 * The text a server component rendered into the element with this `data-testid`.
 *
 * @example
 * ```ts
 * renderedText(html, "token-expires"); // "1798379761"
 * ```
 */
export function renderedText(html: string, testId: string): string | undefined {
  const match = new RegExp(`data-testid="${testId}"[^>]*>([^<]*)<`).exec(html);
  return match?.[1];
}
