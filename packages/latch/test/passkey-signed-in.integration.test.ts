/**
 * Passkey ceremonies on a browser where a user is already signed in, as Auth.js handles them
 * (@auth/core's handle-login, the "webauthn" branch): a passkey of the same user signs in as
 * usual; a passkey of another user is refused (AccountNotLinked, as in Auth.js) and the current
 * session stays — signing in never silently switches
 * users. A new account whose registration ends after someone signed in is refused the same way.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { passkeyOptions, passkeySignIn, postPasskeyCredential, registerPasskey } from "./helpers/sign-in-flows.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";

const ORIGIN = "https://app.test";
const SECRET = "passkey-signed-in-test-secret-of-enough-length-0123456789";
const SESSION_COOKIE = "__Secure-authjs.session-token";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

function setup(strategy: "database" | "jwt") {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const config: AuthConfig = { secret: SECRET, adapter: SQLiteAdapter(db), providers: [Passkey({})], session: { strategy }, logger: { error: () => undefined, warn: () => undefined } };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { count, client: () => new EngineClient(ORIGIN, config) };
}

const signedInAs = async (browser: EngineClient) => ((await browser.session()) as { user?: { email?: string } } | null)?.user?.email;

describe.each(["database", "jwt"] as const)("with %s sessions, signed in as A", (strategy) => {
  it("a passkey of B is refused with AccountNotLinked, and A stays signed in with the same session", async () => {
    const { client } = setup(strategy);
    const bDevice = new StandinAuthenticator(ORIGIN);
    await registerPasskey(client(), bDevice, "b@example.com");
    const browser = client();
    await registerPasskey(browser, new StandinAuthenticator(ORIGIN), "a@example.com");
    const session = browser.jar.get(SESSION_COOKIE);

    const { response } = await passkeySignIn(browser, bDevice);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=AccountNotLinked`);
    expect(browser.jar.get(SESSION_COOKIE)).toBe(session);
    expect(await signedInAs(browser)).toBe("a@example.com");
  });

  it("a passkey of A signs in as usual", async () => {
    const { client } = setup(strategy);
    const aDevice = new StandinAuthenticator(ORIGIN);
    const browser = client();
    await registerPasskey(browser, aDevice, "a@example.com");
    const { response } = await passkeySignIn(browser, aDevice);
    expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(await signedInAs(browser)).toBe("a@example.com");
  });

  it("a new account started before A signed in on this browser is refused, and nothing is stored for it", async () => {
    const { client, count } = setup(strategy);
    const browser = client();
    const options = (await passkeyOptions(browser, "register", { email: "late@example.com" })).options!;
    // A signs in (in another tab) before the new account's passkey is made.
    const aTab = client();
    await registerPasskey(aTab, new StandinAuthenticator(ORIGIN), "a@example.com");
    browser.jar.set(SESSION_COOKIE, aTab.jar.get(SESSION_COOKIE)!);

    const { response } = await postPasskeyCredential(browser, "register", new StandinAuthenticator(ORIGIN).register(options));
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`);
    expect(await signedInAs(browser)).toBe("a@example.com");
    expect([count("users"), count("authenticators")]).toEqual([1, 1]);
  });
});
