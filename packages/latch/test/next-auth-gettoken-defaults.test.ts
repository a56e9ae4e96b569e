/**
 * `getToken` from latch/jwt with a next-auth app's environment: `NEXTAUTH_URL=https://…` (the
 * AUTH_ name unset) makes it read the `__Secure-` cookie, as the engine does — also in a Pages
 * Router API route, whose `req.url` is a path.
 */
import { encode as nextAuthEncode } from "next-auth/jwt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getToken } from "../src/jwt.js";
import { Auth } from "../src/index.js";

const SECRET = "migration-gettoken-secret-of-enough-length-012345";
const claims = { sub: "u1", name: "Alice", email: "alice@example.com" };

afterEach(() => vi.unstubAllEnvs());

describe("getToken with a next-auth app's environment", () => {
  it("NEXTAUTH_URL=https://…: reads the __Secure- cookie the engine reads, from a Pages Router request", async () => {
    vi.stubEnv("AUTH_URL", undefined);
    vi.stubEnv("NEXTAUTH_URL", "https://app.test");
    const cookie = `__Secure-authjs.session-token=${await nextAuthEncode({ token: claims, secret: SECRET, salt: "__Secure-authjs.session-token" })}`;
    // The engine, with the same environment, reads it: the user is signed in.
    const session = await Auth(new Request("https://app.test/api/auth/session", { headers: { cookie } }), { secret: SECRET, providers: [] });
    expect(((await session.json()) as { user?: { email?: string } } | null)?.user?.email).toBe(claims.email);
    // A Pages Router API route: `req` is Node's IncomingMessage, its `url` a path.
    const req = { url: "/api/whoami", headers: { cookie, host: "app.test" } };
    expect(await getToken({ req, secret: SECRET })).toMatchObject(claims);
  });
});
