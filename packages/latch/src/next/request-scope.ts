/**
 * `cookies()` and `headers()` of the request being served, with next/headers loaded on first
 * use rather than imported: the Pages Router refuses to bundle any module that imports
 * next/headers, and latch/next serves both routers (`auth(req, res)`, `auth(ctx)`).
 */
import type * as NextHeadersModule from "next/headers";

type NextHeaders = typeof NextHeadersModule;

let loaded: Promise<NextHeaders> | undefined;

function nextHeaders(): Promise<NextHeaders> {
  loaded ??= import("next/headers");
  return loaded;
}

/** The request's cookie store (App Router: server components, route handlers, server actions). */
export async function requestCookies(): Promise<Awaited<ReturnType<NextHeaders["cookies"]>>> {
  return (await nextHeaders()).cookies();
}

/** The request's headers (App Router). */
export async function requestHeaders(): Promise<Awaited<ReturnType<NextHeaders["headers"]>>> {
  return (await nextHeaders()).headers();
}
