/**
 * getSession() and the providers: as next-auth's getSession() makes every provider refetch, a
 * getSession() that finds another state than a provider holds (signed out, revoked on the server,
 * another user) brings that provider along; a provider already holding the session is not asked
 * to refetch, only told the new expiry.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Session } from "../types.js";
import { EXPIRY_MARGIN_MS } from "./expiry.js";
import { getSession } from "./get-session.js";
import { mountProvider, urlOf } from "../../test/helpers/react-provider.js";

const expires = new Date(Date.now() + 86_400_000).toISOString();
const alice: Session = { user: { name: "Alice" }, expires };

/** The session route answers `session`; returns the paths asked. */
function serve(session: Session | null): string[] {
  const requests: string[] = [];
  vi.stubGlobal("window", { location: { href: "http://app.test/" } });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
    requests.push(new URL(urlOf(input), "http://app.test").pathname);
    return new Response(JSON.stringify(session), { status: 200, headers: { "content-type": "application/json", date: new Date().toUTCString() } });
  });
  return requests;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("getSession", () => {
  it("finding the session gone (revoked on the server) brings the providers along", async () => {
    serve(null);
    const provider = mountProvider(alice);
    try {
      expect(await getSession()).toBeNull();
      await vi.waitFor(() => expect(provider.store.getSnapshot().status).toBe("unauthenticated"));
    } finally {
      provider.unmount();
    }
  });

  it("finding a session a signed-out provider does not hold brings it along", async () => {
    serve(alice);
    const provider = mountProvider(null);
    try {
      expect(await getSession()).toEqual(alice);
      await vi.waitFor(() => expect(provider.store.getSnapshot()).toMatchObject({ status: "authenticated", data: alice }));
    } finally {
      provider.unmount();
    }
  });

  it("finding the session a provider holds only moves its expiry check", async () => {
    const requests = serve(alice);
    const provider = mountProvider({ ...alice, expires: new Date(Date.now() + 60_000).toISOString() });
    try {
      await getSession();
      await new Promise((resolve) => setTimeout(resolve, 30));
      // getSession's own request only: the provider holds this session and did not refetch.
      expect(requests).toEqual(["/api/auth/session"]);
      // Told the new expiry (later still by up to a second: the Date header is truncated).
      expect(provider.store.nextCheckAt()).toBeGreaterThanOrEqual(Date.parse(expires) + EXPIRY_MARGIN_MS);
    } finally {
      provider.unmount();
    }
  });

  it("broadcast: false tells no provider what it found (next-auth's option)", async () => {
    const requests = serve(null);
    const provider = mountProvider(alice);
    try {
      expect(await getSession({ broadcast: false })).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(requests).toEqual(["/api/auth/session"]);
      expect(provider.store.getSnapshot().status).toBe("authenticated");
    } finally {
      provider.unmount();
    }
  });
});
