/**
 * Stand-ins for `next/headers` and `next/navigation` in tests that call latch/next's server
 * actions outside a Next.js server. Each test file still writes its own `vi.mock` (they are
 * hoisted per file) and hands it these:
 *
 * ```ts
 * const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
 * vi.mock("next/headers", async () => (await import("./helpers/next-request-scope.js")).nextHeaders(() => next));
 * vi.mock("next/navigation", async (original) => ({ ...(await original<object>()), ...(await import("./helpers/next-request-scope.js")).navigation }));
 * ```
 */

/** What a request scope holds: its headers and its cookie jar (written by the action). */
export interface RequestScope {
  headers: Headers;
  cookies: Map<string, string>;
}

/** A `cookies()` store over a jar: `set` with `maxAge: 0` deletes, as a browser would. */
function cookieStore(jar: Map<string, string>) {
  return {
    get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) ?? "" } : undefined),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string, options?: { maxAge?: number }) => {
      if (options?.maxAge === 0) jar.delete(name);
      else jar.set(name, value);
    },
  };
}

/** `next/headers` reading the scope `current()` gives; `null` throws, as Next does outside a request. */
export function nextHeaders(current: () => RequestScope | null) {
  const scope = (what: string): RequestScope => {
    const found = current();
    if (!found) throw new Error(`\`${what}\` was called outside a request scope.`);
    return found;
  };
  return {
    headers: async () => scope("headers").headers,
    cookies: async () => cookieStore(scope("cookies").cookies),
  };
}

/** `redirect()` as Next's: it throws, here an Error whose message is `NEXT_REDIRECT <url>`. */
export const navigation = {
  redirect: (url: string): never => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
};
