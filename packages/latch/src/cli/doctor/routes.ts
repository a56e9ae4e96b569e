import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

/** A catch-all App Router route that serves latch (or next-auth) handlers. */
export interface AuthRoute {
  /** Relative to the project directory, e.g. `app/api/auth/[...nextauth]/route.ts`. */
  file: string;
  /** The URL path the catch-all sits under, e.g. `/api/auth`. */
  basePath: string;
}

const ROUTE_FILE = /^route\.(ts|tsx|js|jsx|mjs)$/;
const CATCH_ALL = /^\[\[?\.\.\.[^\]]+\]\]?$/;
// The Pages Router's catch-all is a file: pages/api/auth/[...nextauth].ts.
const PAGES_CATCH_ALL = /^\[\[?\.\.\.[^\]]+\]\]?\.(ts|tsx|js|jsx|mjs)$/;
const SKIP = new Set(["node_modules", ".next", ".git", "dist", "out", "public"]);
const MAX_DEPTH = 8;

// A route that hands requests to auth handlers, not a docs page's catch-all.
const SERVES_AUTH = /\bhandlers\b|from\s+["'](latch|next-auth)|\bAuth\s*\(/;

function urlPath(segments: readonly string[]): string {
  // Route groups "(name)" and parallel slots "@name" are not part of the URL.
  const parts = segments.filter((s) => !/^\(.*\)$/.test(s) && !s.startsWith("@"));
  return `/${parts.join("/")}`;
}

function serves(file: string): boolean {
  try {
    return SERVES_AUTH.test(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
}

function walk(dir: string, segments: string[], found: AuthRoute[], project: string, pages: boolean): void {
  if (segments.length > MAX_DEPTH) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = join(dir, entry.name);
    if (pages && entry.isFile() && PAGES_CATCH_ALL.test(entry.name)) {
      if (serves(child)) found.push({ file: relative(project, child), basePath: urlPath(segments) });
      continue;
    }
    if (!entry.isDirectory() || SKIP.has(entry.name)) continue;
    if (!pages && CATCH_ALL.test(entry.name)) {
      const route = readdirSync(child).find((name) => ROUTE_FILE.test(name));
      if (route && serves(join(child, route))) found.push({ file: relative(project, join(child, route)), basePath: urlPath(segments) });
      continue;
    }
    walk(child, [...segments, entry.name], found, project, pages);
  }
}

/**
 * Finds the routes that serve auth handlers: a catch-all folder (`[...nextauth]`) under `app/` or
 * `src/app/` whose `route.ts` uses `handlers`, latch or next-auth, or a Pages Router catch-all
 * file (`pages/api/auth/[...nextauth].ts`).
 *
 * @example
 * ```ts
 * findAuthRoutes("/my-app"); // [{ file: "app/api/auth/[...nextauth]/route.ts", basePath: "/api/auth" }]
 * ```
 */
export function findAuthRoutes(project: string): AuthRoute[] {
  const found: AuthRoute[] = [];
  for (const appDir of ["app", "src/app"]) walk(join(project, appDir), [], found, project, false);
  for (const pagesDir of ["pages", "src/pages"]) walk(join(project, pagesDir), [], found, project, true);
  return found;
}
