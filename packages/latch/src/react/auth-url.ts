/** The route prefix when an app sets none, as on the server. */
export const DEFAULT_BASE_PATH = "/api/auth";

/**
 * The base path without a trailing slash; `"/api/auth"` when none is given.
 *
 * @example
 * ```ts
 * resolveBasePath("/auth/"); // "/auth"
 * ```
 */
export function resolveBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === "") return DEFAULT_BASE_PATH;
  return basePath.replace(/\/+$/, "");
}

/**
 * The URL of one of latch's routes, relative to the page's origin, with an optional query.
 *
 * @example
 * ```ts
 * authUrl("/api/auth", "signin", { callbackUrl: "/" }); // "/api/auth/signin?callbackUrl=%2F"
 * ```
 */
export function authUrl(basePath: string, action: string, query?: ConstructorParameters<typeof URLSearchParams>[0]): string {
  const search = query === undefined ? "" : new URLSearchParams(query).toString();
  return `${basePath}/${action}${search === "" ? "" : `?${search}`}`;
}
