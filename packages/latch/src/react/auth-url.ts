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

/** The base path of the last `<SessionProvider>` rendered with one, for the standalone functions. */
let providedBasePath: string | undefined;

/**
 * Remembers a `<SessionProvider basePath>` for the standalone functions (`signIn`, `getSession`, …),
 * which take no provider, as next-auth's provider sets its module-wide base path while rendering.
 * A provider without a base path changes nothing.
 */
export function provideBasePath(basePath: string | undefined): void {
  if (basePath !== undefined && basePath !== "") providedBasePath = resolveBasePath(basePath);
}

/**
 * The base path a standalone function uses: its own `basePath` option, else the one a
 * `<SessionProvider>` was rendered with, else `"/api/auth"`.
 *
 * @example
 * ```ts
 * clientBasePath(options.basePath); // "/custom/auth" under <SessionProvider basePath="/custom/auth">
 * ```
 */
export function clientBasePath(basePath: string | undefined): string {
  if (basePath !== undefined && basePath !== "") return resolveBasePath(basePath);
  return providedBasePath ?? DEFAULT_BASE_PATH;
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
