/**
 * latch for Next.js (App Router): `NextAuth(config)` → `{ handlers, auth, signIn, signOut, unstable_update }`,
 * the same surface as next-auth v5.
 */
import { cookies, headers } from "next/headers";
import { redirect, unstable_rethrow } from "next/navigation";
import { createRequestContext, getResolvedConfig, type ResolvedConfig } from "../core/config.js";
import type { OutgoingCookie } from "../core/cookies.js";
import { handleRequest, handleToResponse } from "../core/handle-request.js";
import { readJwtSession } from "../core/session/jwt-session.js";
import type { AuthConfig, Awaitable, Session } from "../types.js";

export type * from "../types.js";
export { AuthError, CredentialsSignin } from "../errors.js";

/** next-auth's config type name, kept for migrations. */
export type NextAuthConfig = AuthConfig;

/** Options of the server-side `signIn`. */
export interface SignInOptions {
  /** Where to go after signing in. Default: the page the action was called from. */
  redirectTo?: string | undefined;
  /** `false` returns the URL instead of redirecting. */
  redirect?: boolean | undefined;
  [field: string]: unknown;
}

/** Options of the server-side `signOut`. */
export interface SignOutOptions {
  redirectTo?: string | undefined;
  redirect?: boolean | undefined;
}

/** What `NextAuth()` returns. */
export interface NextAuthResult {
  /** The route handlers: `export const { GET, POST } = handlers` in `app/api/auth/[...nextauth]/route.ts`. */
  handlers: { GET: (request: Request) => Promise<Response>; POST: (request: Request) => Promise<Response> };
  /** The current session in a server component, route handler or server action; `null` on any failure. */
  auth: () => Promise<Session | null>;
  /** Starts a sign-in from a server action; redirects (throws `NEXT_REDIRECT`) unless `redirect: false`. */
  signIn: (provider?: string, options?: FormData | SignInOptions, authorizationParams?: string | URLSearchParams | Record<string, string> | string[][]) => Promise<string>;
  /** Signs out from a server action; redirects unless `redirect: false`. */
  signOut: (options?: SignOutOptions) => Promise<string>;
  /** Updates the session from a server action through the `jwt` callback (`trigger: "update"`). */
  unstable_update: (data: Record<string, unknown>) => Promise<Session | null>;
}

type ConfigInput = NextAuthConfig | ((request: Request | undefined) => Awaitable<NextAuthConfig>);

type CookieStore = Awaited<ReturnType<typeof cookies>>;

function toRecord(store: CookieStore): Map<string, string> {
  const map = new Map<string, string>();
  for (const cookie of store.getAll()) map.set(cookie.name, cookie.value);
  return map;
}

function applyCookies(store: CookieStore, list: OutgoingCookie[] | undefined): void {
  for (const { name, value, options } of list ?? []) {
    store.set(name, value, {
      path: options.path ?? "/",
      httpOnly: options.httpOnly ?? true,
      secure: options.secure ?? false,
      ...(options.sameSite ? { sameSite: options.sameSite } : {}),
      ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
      ...(options.expires ? { expires: options.expires } : {}),
      ...(options.domain ? { domain: options.domain } : {}),
    });
  }
}

/**
 * Creates latch for a Next.js app.
 *
 * @example
 * ```ts
 * // auth.ts
 * import NextAuth from "latch/next";
 * import GitHub from "latch/providers/github";
 * export const { handlers, auth, signIn, signOut } = NextAuth({ providers: [GitHub] });
 * ```
 */
export default function NextAuth(input: ConfigInput): NextAuthResult {
  const getConfig = async (request: Request | undefined): Promise<ResolvedConfig> =>
    getResolvedConfig(typeof input === "function" ? await input(request) : input);

  // One decode per request: server components calling auth() many times share the result.
  // Keyed by Next's per-request cookie store, and by the session cookie so that a cookie set
  // by a server action in the same request is seen.
  const memo = new WeakMap<object, { key: string; session: Promise<Session | null> }>();

  async function readSession(): Promise<Session | null> {
    try {
      const store = await cookies();
      const all = toRecord(store);
      const key = [...all].filter(([name]) => name.includes("session-token")).map(([n, v]) => `${n}=${v}`).join(";");
      const hit = memo.get(store);
      if (hit && hit.key === key) return await hit.session;
      const session = (async () => {
        const resolved = await getConfig(undefined);
        const ctx = createRequestContext(resolved, await headers());
        return (await readJwtSession(ctx, all, { renew: false })).session;
      })();
      memo.set(store, { key, session });
      return await session;
    } catch (error) {
      // Next.js signals "render this route per request" by throwing from cookies(); that is not a failure.
      unstable_rethrow(error);
      // Fail closed: a misconfiguration or any other failure is "no session", never a truthy object.
      console.error(`[latch][error] auth() could not read the session: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      return null;
    }
  }

  async function callEngine(path: string, init: { query?: URLSearchParams; body: string; contentType: string }): Promise<{ redirect: string | undefined; body: unknown }> {
    const resolved = await getConfig(undefined);
    const incoming = await headers();
    const ctx = createRequestContext(resolved, incoming);
    const url = new URL(`${ctx.authUrl}${path}`);
    if (init.query) url.search = init.query.toString();
    const forwarded = new Headers();
    for (const name of ["host", "x-forwarded-host", "x-forwarded-proto", "cookie", "user-agent"]) {
      const value = incoming.get(name);
      if (value !== null) forwarded.set(name, value);
    }
    forwarded.set("content-type", init.contentType);
    const response = await handleRequest(new Request(url, { method: "POST", headers: forwarded, body: init.body }), resolved, { skipCSRFCheck: true });
    applyCookies(await cookies(), response.cookies);
    return { redirect: response.redirect, body: response.body };
  }

  async function refererOr(fallback: string): Promise<string> {
    return (await headers()).get("referer") ?? fallback;
  }

  return {
    handlers: {
      GET: async (request) => handleToResponse(request, await getConfig(request)),
      POST: async (request) => handleToResponse(request, await getConfig(request)),
    },
    auth: readSession,
    async signIn(provider, options, authorizationParams) {
      const fields: Record<string, string> = {};
      let redirectTo: string | undefined;
      let shouldRedirect = true;
      if (options instanceof FormData) {
        for (const [key, value] of options) if (typeof value === "string") fields[key] = value;
        redirectTo = fields.redirectTo;
        delete fields.redirectTo;
      } else if (options) {
        for (const [key, value] of Object.entries(options)) if (typeof value === "string") fields[key] = value;
        redirectTo = options.redirectTo;
        shouldRedirect = options.redirect !== false;
        delete fields.redirectTo;
      }
      const callbackUrl = redirectTo ?? (await refererOr("/"));
      const resolved = await getConfig(undefined);
      let target: string;
      if (!provider || !resolved.providers.some((p) => p.id === provider)) {
        const ctx = createRequestContext(resolved, await headers());
        target = `${ctx.authUrl}/signin?${new URLSearchParams({ callbackUrl })}`;
      } else {
        const result = await callEngine(`/signin/${encodeURIComponent(provider)}`, {
          query: new URLSearchParams(authorizationParams),
          body: new URLSearchParams({ ...fields, callbackUrl }).toString(),
          contentType: "application/x-www-form-urlencoded",
        });
        target = result.redirect ?? callbackUrl;
      }
      if (shouldRedirect) redirect(target);
      return target;
    },
    async signOut(options) {
      const callbackUrl = options?.redirectTo ?? (await refererOr("/"));
      const result = await callEngine("/signout", {
        body: new URLSearchParams({ callbackUrl }).toString(),
        contentType: "application/x-www-form-urlencoded",
      });
      const target = result.redirect ?? callbackUrl;
      if (options?.redirect !== false) redirect(target);
      return target;
    },
    async unstable_update(data) {
      const result = await callEngine("/session", { body: JSON.stringify({ data }), contentType: "application/json" });
      return (result.body as Session | null | undefined) ?? null;
    },
  };
}
