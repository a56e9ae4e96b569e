/**
 * An owner who proved a passkey-created account by email (which unlinks the squatter's passkey
 * accounts) can put a passkey on a device again: registration options leave out passkeys whose
 * account is gone, so the device's dead credential does not make it refuse a new one, and the
 * squatter's credential ids are not shown to the owner.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { StandinAuthenticator } from "./helpers/standin-authenticator.js";
import { emailSignIn, passkeyOptions, passkeySignIn, registerPasskey } from "./helpers/sign-in-flows.js";

const ORIGIN = "https://app.test";
const SECRET = "passkey-after-proof-secret-of-enough-length-0123456789abcdef";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

describe("the owner after proving a passkey-created account by email", () => {
  it("can put a passkey on the same device again", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const links: string[] = [];
    const config: AuthConfig = {
      secret: SECRET,
      adapter: SQLiteAdapter(db),
      providers: [Passkey({}), Email({ sendVerificationRequest: ({ url }) => void links.push(url) })],
      logger: { error: () => undefined, warn: () => undefined },
    };
    const phone = new StandinAuthenticator(ORIGIN);
    const owner = new EngineClient(ORIGIN, config);
    await registerPasskey(owner, phone, "owner@example.com");

    // Later, the owner signs in with an email link (the address is proven; passkeys unlinked).
    await emailSignIn(owner, links, "owner@example.com");
    expect(((await owner.session()) as { user?: { email?: string } }).user?.email).toBe("owner@example.com");

    // The old passkey no longer signs in…
    const elsewhere = new EngineClient(ORIGIN, config);
    await passkeySignIn(elsewhere, phone);
    expect(await elsewhere.session()).toBeNull();

    // …and the owner, signed in, adds a passkey with the same phone, as the docs say.
    const creation = (await passkeyOptions(owner, "register")).options!;
    expect(creation.excludeCredentials ?? []).toEqual([]);
    expect(() => phone.register(creation)).not.toThrow();
  });
});
