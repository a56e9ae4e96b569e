/**
 * `update()` against the engine. Without data it is a plain GET /session, as in next-auth (the
 * `jwt` callback runs without a trigger: authjs.dev documents it, next-auth #11002 kept it). A
 * POST there would run the callback with trigger "update" and no data, and a callback written for
 * next-auth (`if (trigger === "update") token.name = session.name`) would throw: the session read
 * then answers `null` and clears the cookie, so `update()` to "just refresh" would sign out.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import Credentials from "../providers/credentials.js";
import type { AuthConfig, Session } from "../types.js";
import { EngineClient } from "../../test/helpers/engine-client.js";
import { SessionStore } from "./session-store.js";
import { urlOf } from "../../test/helpers/react-provider.js";

const ORIGIN = "http://127.0.0.1:3990";
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function config(): AuthConfig {
  return {
    secret: "update-session-secret-of-enough-length-0123456789abcdef",
    trustHost: true,
    logger: { error: () => undefined, warn: () => undefined },
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        authorize: ({ email, password }) => (email === alice.email && password === "pw" ? { ...alice } : null),
      }),
    ],
    callbacks: {
      // Written for next-auth, where trigger "update" always comes with the client's data.
      jwt: ({ token, trigger, session }) => {
        if (trigger === "update") token.name = (session as { name: string }).name;
        return token;
      },
    },
  };
}

/** The browser: latch/react's fetches go to the engine through a cookie jar. */
async function signedInBrowser(): Promise<EngineClient> {
  const client = new EngineClient(ORIGIN, config());
  const csrfToken = await client.csrfToken();
  await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "pw" } });
  vi.stubGlobal("window", { location: { href: `${ORIGIN}/` } });
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = urlOf(input);
    const method = init?.method ?? "GET";
    const { response } = await client.fetch(path, method === "POST" && typeof init?.body === "string" ? { method, json: JSON.parse(init.body) as unknown } : { method });
    return response;
  });
  return client;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("update() against the engine", () => {
  it("without data, refreshes the session and keeps the user signed in, as next-auth's update() does", async () => {
    const browser = await signedInBrowser();
    const current = (await browser.session()) as Session;
    expect(current.user?.name).toBe("Alice");
    const store = new SessionStore("/api/auth", current);
    const fresh = await store.update();
    expect(fresh?.user?.name).toBe("Alice");
    expect(store.getSnapshot().status).toBe("authenticated");
    expect(await browser.session()).not.toBeNull();
  });

  it("with data, runs the jwt callback with trigger \"update\" and that data", async () => {
    const browser = await signedInBrowser();
    const store = new SessionStore("/api/auth", (await browser.session()) as Session);
    const fresh = await store.update({ name: "Ada" });
    expect(fresh?.user?.name).toBe("Ada");
    expect(store.getSnapshot()).toMatchObject({ status: "authenticated", data: { user: { name: "Ada" } } });
  });
});
