/**
 * `signIn(…, { redirect: false })` and `signOut({ redirect: false })` resolve only once the
 * providers of this tab hold the new session, as next-auth's do (they await a refetch of every
 * provider): code such as
 *   const r = await signIn("credentials", { …, redirect: false }); if (!r.error) router.push("/dashboard")
 * must not land on a `useSession({ required: true })` page that still sees "unauthenticated".
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Session } from "../types.js";
import { signIn } from "./sign-in.js";
import { signOut } from "./sign-out.js";
import { mountProvider, urlOf } from "../../test/helpers/react-provider.js";

const alice: Session = { user: { name: "Alice", email: "alice@example.com", image: null }, expires: new Date(Date.now() + 86_400_000).toISOString() };

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", date: new Date().toUTCString() } });
}

/** latch's routes, a few milliseconds away, with one password and one session. */
function fakeServer(initiallySignedIn: boolean) {
  let signedIn = initiallySignedIn;
  const requests: string[] = [];
  vi.stubGlobal("window", { location: { href: "http://app.test/login" } });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(urlOf(input), "http://app.test");
    requests.push(`${init?.method ?? "GET"} ${url.pathname}`);
    // A little latency, as on a real network.
    await new Promise((resolve) => setTimeout(resolve, 5));
    switch (url.pathname) {
      case "/api/auth/providers":
        return json({ credentials: { id: "credentials", name: "Credentials", type: "credentials", signinUrl: "", callbackUrl: "" } });
      case "/api/auth/csrf":
        return json({ csrfToken: "csrf" });
      case "/api/auth/callback/credentials": {
        const fields = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams();
        if (fields.get("password") !== "pw") return json({ url: "http://app.test/api/auth/signin?error=CredentialsSignin&code=credentials" });
        signedIn = true;
        return json({ url: "http://app.test/" });
      }
      case "/api/auth/signout":
        signedIn = false;
        return json({ url: "http://app.test/" });
      case "/api/auth/session":
        return json(signedIn ? alice : null);
      default:
        return json({}, 404);
    }
  });
  return { requests };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("signIn and signOut with redirect: false", () => {
  it("signIn resolves once the providers of this tab are authenticated", async () => {
    const server = fakeServer(false);
    const provider = mountProvider(null);
    try {
      const result = await signIn("credentials", { username: "alice", password: "pw", redirect: false });
      expect(result).toMatchObject({ ok: true, error: undefined, url: "http://app.test/" });
      expect(provider.store.getSnapshot()).toMatchObject({ status: "authenticated", data: { user: { name: "Alice" } } });
      // The provider's own refetch, once.
      expect(server.requests.filter((request) => request === "GET /api/auth/session")).toHaveLength(1);
    } finally {
      provider.unmount();
    }
  });

  it("signOut resolves once the providers of this tab are unauthenticated", async () => {
    fakeServer(true);
    const provider = mountProvider(alice);
    try {
      expect(await signOut({ redirect: false })).toEqual({ url: "http://app.test/" });
      expect(provider.store.getSnapshot().status).toBe("unauthenticated");
    } finally {
      provider.unmount();
    }
  });

  it("a refused password resolves with the error and sets off no refetch", async () => {
    const server = fakeServer(false);
    const provider = mountProvider(null);
    try {
      const result = await signIn("credentials", { username: "alice", password: "wrong", redirect: false });
      expect(result).toMatchObject({ ok: true, error: "CredentialsSignin", url: null });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(server.requests).not.toContain("GET /api/auth/session");
      expect(provider.store.getSnapshot().status).toBe("unauthenticated");
    } finally {
      provider.unmount();
    }
  });
});
