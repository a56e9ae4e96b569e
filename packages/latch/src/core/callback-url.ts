/**
 * The one place that decides where latch may redirect. Every callbackUrl — query, body,
 * cookie, the `signIn` callback's string — goes through here.
 */

/**
 * Resolves `url` against `baseUrl` and keeps it only when it stays on the same origin;
 * anything else (other hosts, other schemes, unparsable input) becomes `baseUrl`.
 *
 * @example
 * ```ts
 * sameOriginUrl("/dashboard", "https://app.test") // "https://app.test/dashboard"
 * sameOriginUrl("//evil.test", "https://app.test") // "https://app.test"
 * ```
 */
export function sameOriginUrl(url: unknown, baseUrl: string): string {
  const base = new URL(baseUrl);
  if (typeof url !== "string" || url.length === 0 || url.length > 4096) return base.origin;
  let target: URL;
  try {
    target = new URL(url, base);
  } catch {
    return base.origin;
  }
  // blob: URLs report the origin of the URL they wrap, so the protocol is checked too.
  if (target.protocol !== base.protocol || target.origin !== base.origin || target.username || target.password) return base.origin;
  return target.href;
}

/** True when `url` parses as an absolute http(s) URL or a path, the only shapes latch redirects to. */
export function isHttpUrl(url: string, baseUrl: string): boolean {
  try {
    const parsed = new URL(url, baseUrl);
    return parsed.protocol === "http:" || parsed.protocol === "https:";
  } catch {
    return false;
  }
}
