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
 * The app's own origin where there is no page to resolve a path against (a Pages Router
 * `getServerSideProps` calling `getProviders()`), as next-auth/react finds it:
 * `NEXTAUTH_URL_INTERNAL`, `AUTH_URL`, `NEXTAUTH_URL`, then `VERCEL_URL`, else
 * `http://localhost:3000`. Only the origin of these is used; the base path is the client's.
 */
function serverOrigin(): string {
  const env = globalThis.process?.env ?? {};
  for (const value of [env.NEXTAUTH_URL_INTERNAL, env.AUTH_URL, env.NEXTAUTH_URL]) {
    if (value === undefined || value === "") continue;
    try {
      return new URL(value).origin;
    } catch {
      // Not a URL: the next candidate.
    }
  }
  return env.VERCEL_URL ? `https://${env.VERCEL_URL}` : "http://localhost:3000";
}

/**
 * The URL of one of latch's routes, with an optional query: relative to the page's origin in a
 * browser, absolute (the app's own origin, from the environment) on a server.
 *
 * @example
 * ```ts
 * authUrl("/api/auth", "signin", { callbackUrl: "/" }); // "/api/auth/signin?callbackUrl=%2F" in a browser
 * ```
 */
export function authUrl(basePath: string, action: string, query?: ConstructorParameters<typeof URLSearchParams>[0]): string {
  const search = query === undefined ? "" : new URLSearchParams(query).toString();
  const path = `${basePath}/${action}${search === "" ? "" : `?${search}`}`;
  return typeof window === "undefined" ? `${serverOrigin()}${path}` : path;
}
