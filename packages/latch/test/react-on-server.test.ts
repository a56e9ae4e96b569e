/**
 * `getProviders()` of latch/react, as next-auth/react's, also works where there is no
 * `window` — a Pages Router `getServerSideProps` of a custom sign-in page, the v4/v5 pattern
 * `return { props: { providers: await getProviders() } }`. next-auth's fetchData then uses an
 * absolute URL, `__NEXTAUTH.baseUrlServer + basePathServer` (NEXTAUTH_URL_INTERNAL ??
 * NEXTAUTH_URL ?? VERCEL_URL, default http://localhost:3000/api/auth; next-auth/lib/client.js
 * `apiBaseUrl`, react.js `__NEXTAUTH`). A relative "/api/auth/providers", which fetch on the
 * server cannot resolve, answered null: the page rendered no provider.
 */
import { afterEach, describe, expect, it, vi } from "vitest";

const providers = { github: { id: "github", name: "GitHub", type: "oauth", signinUrl: "http://localhost:3000/api/auth/signin/github", callbackUrl: "http://localhost:3000/api/auth/callback/github" } };

/** A server-side fetch: like Node's, it rejects a relative URL. Records what it was asked for. */
function serverFetch(): string[] {
  const seen: string[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    seen.push(url.href);
    if (url.pathname === "/api/auth/providers") return Response.json(providers);
    return Response.json(null, { status: 404 });
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("getProviders() without a window (getServerSideProps)", () => {
  it("next-auth/react (oracle) fetches the providers from the server's own URL", async () => {
    expect(typeof window).toBe("undefined");
    const seen = serverFetch();
    const { getProviders } = await import("next-auth/react");
    expect(await getProviders()).toEqual(providers);
    expect(seen).toEqual(["http://localhost:3000/api/auth/providers"]);
  });

  it("latch/react returns the providers too", async () => {
    expect(typeof window).toBe("undefined");
    const seen = serverFetch();
    const { getProviders } = await import("../src/react/index.js");
    expect(await getProviders()).toEqual(providers);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^https?:\/\/[^/]+\/api\/auth\/providers$/);
  });

  it("latch/react asks the origin of AUTH_URL (its path is the server's base path, not the client's)", async () => {
    vi.stubEnv("NEXTAUTH_URL_INTERNAL", undefined);
    vi.stubEnv("AUTH_URL", "https://app.example/api/auth");
    try {
      const seen = serverFetch();
      const { getProviders } = await import("../src/react/index.js");
      expect(await getProviders()).toEqual(providers);
      expect(seen).toEqual(["https://app.example/api/auth/providers"]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
