/**
 * A browser left holding both the whole session cookie and the chunks of a newer token (two
 * answers crossed the chunking size at the same moment) stays signed in: the chunks are read and
 * the whole one is deleted at the next write.
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3978";
const SECRET = "chunk-race-secret-of-enough-length-0123456789abcdef";
const SALT = "authjs.session-token";
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function config(): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    logger: { error: () => undefined, warn: () => undefined },
    providers: [Credentials({ credentials: { email: {} }, authorize: ({ email }) => (email === alice.email ? { ...alice } : null) })],
    callbacks: {
      // update() may carry a large preference blob into the token (a documented pattern).
      jwt: ({ token, trigger, session }) => (trigger === "update" && typeof session === "object" && session !== null && "blob" in session ? { ...token, blob: String(session.blob) } : token),
    },
  };
}

describe("chunked session cookies: a renewal racing an update across the 4 KB boundary", () => {
  it("a browser left holding both the unchunked cookie and the chunks of a newer token is still signed in", async () => {
    const cfg = config();
    const client = new EngineClient(ORIGIN, cfg);
    const csrfToken = await client.csrfToken();
    await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email } });
    const small = client.jar.get(SALT);
    expect(small).toBeTruthy();

    // Request A: update() grows the token into chunks, and deletes the unchunked cookie.
    await client.fetch("/api/auth/session", { json: { csrfToken, data: { blob: "x".repeat(6000) } } });
    const chunks = [...client.jar].filter(([name]) => name.startsWith(`${SALT}.`));
    expect(chunks.length).toBeGreaterThan(1);

    // Request B, sent in parallel with A (a navigation the proxy renews) and answered after it,
    // read the old unchunked cookie: it renews `authjs.session-token` and deletes no chunk, since
    // it saw none. The browser now holds both: the unchunked cookie and A's chunks.
    const b = new EngineClient(ORIGIN, cfg);
    b.jar.set(SALT, small ?? "");
    const renewed = await b.fetch("/api/auth/session");
    expect(renewed.cookies.filter((c) => c.name.startsWith(SALT)).map((c) => c.name)).toEqual([SALT]);
    client.jar.set(SALT, b.jar.get(SALT) ?? "");

    // Both halves are valid session tokens of the same session; joining them is not.
    const { response } = await client.fetch("/api/auth/session");
    expect(await response.json(), "the user was signed out by a stale cookie").not.toBeNull();
    // …and the answer leaves one consistent form behind: the unchunked cookie or chunks, not both.
    const names = [...client.jar.keys()];
    expect(names.includes(SALT) && names.some((name) => name.startsWith(`${SALT}.`)), names.join(", ")).toBe(false);
  });
});
