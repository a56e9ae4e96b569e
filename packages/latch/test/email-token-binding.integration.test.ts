/**
 * A used verification token must belong to the address that signs in, as Auth.js checks
 * (`invite.identifier !== paramIdentifier` → Verification): adapters may look a token up by the
 * token alone (EdgeDB- and Hasura-style ones do), and a link mailed to an attacker's own address
 * must not sign them in as anyone else. Real SQLite; latch's adapter with a useVerificationToken
 * that matches the token only, the shape Auth.js tolerates.
 */
import Database from "better-sqlite3";
import { Auth as AuthJsCore } from "@auth/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Adapter, VerificationToken } from "../src/adapters/types.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { landingForm } from "./helpers/landing-page.js";

/** Auth.js's `Auth(request, config)`, answering a Response. */
const AuthJs = AuthJsCore as unknown as (request: Request, config: object) => Promise<Response>;
const ORIGIN = "https://app.test";
const SECRET = "email-token-binding-secret-0123456789abcdef0123456";
const ATTACKER = "attacker@evil.example";
const VICTIM = "victim@example.com";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

const location = (r: Response) => r.headers.get("location");

/** latch's SQLite adapter with a user-land useVerificationToken that finds the row by token alone. */
function tokenOnlyAdapter(db: Database.Database): Adapter {
  const inner = SQLiteAdapter(db);
  return {
    ...inner,
    async useVerificationToken({ token }) {
      const row = db.prepare("DELETE FROM verification_token WHERE token = ? RETURNING identifier, token, expires").get(token) as { identifier: string; token: string; expires: number } | undefined;
      return row ? ({ identifier: row.identifier, token: row.token, expires: new Date(row.expires) } satisfies VerificationToken) : null;
    },
  };
}

describe("a used token must belong to the address that signs in", () => {
  it("Auth.js (ground truth) refuses the attacker's token with the victim's address", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const links: string[] = [];
    const config = {
      secret: SECRET,
      trustHost: true,
      basePath: "/api/auth",
      adapter: tokenOnlyAdapter(db),
      session: { strategy: "jwt" as const },
      logger: { error: () => undefined, warn: () => undefined },
      // Auth.js's email provider shape (what its Nodemailer() returns), with the app's own sender.
      providers: [{ id: "email", type: "email" as const, name: "Email", maxAge: 86400, options: {}, sendVerificationRequest: async ({ url }: { url: string }) => void links.push(url) }],
    };
    const csrf = await AuthJsctx(config);
    const send = await AuthJs(
      new Request(`${ORIGIN}/api/auth/signin/email`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie }, body: new URLSearchParams({ csrfToken: csrf.token, email: ATTACKER }) }),
      config
    );
    expect(send.status).toBe(302);
    expect(links).toHaveLength(1);
    const forged = new URL(links[0]!);
    forged.searchParams.set("email", VICTIM);
    const used = await AuthJs(new Request(forged), config);
    expect(used.headers.get("location")).toContain("error=Verification");
  });

  it("latch refuses the attacker's own link posted with the victim's address (no session as the victim)", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    // The victim already has an account.
    db.prepare(`INSERT INTO users (id, name, email, "emailVerified", image) VALUES ('victim-id', 'Victim', ?, ?, NULL)`).run(VICTIM, Date.now());
    const links: string[] = [];
    const config: AuthConfig = {
      secret: SECRET,
      adapter: tokenOnlyAdapter(db),
      providers: [Email({ sendVerificationRequest: ({ url }) => void links.push(url) })],
      session: { strategy: "jwt" },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const attacker = new EngineClient(ORIGIN, config);
    // The attacker asks for a link to their own inbox and receives it.
    await attacker.fetch("/api/auth/signin/email", { form: { csrfToken: await attacker.csrfToken(), email: ATTACKER } });
    expect(links).toHaveLength(1);
    const landing = landingForm(await (await attacker.fetch(links[0]!)).response.text());
    // ...and posts its token with the victim's address.
    const { response } = await attacker.fetch(landing.action, { form: { ...landing.fields, email: VICTIM } });
    const session = (await attacker.session()) as { user?: { email?: string } } | null;
    expect(session?.user?.email, "the attacker holds a session as the victim").not.toBe(VICTIM);
    expect(location(response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
  });
});

/** Auth.js's CSRF token and cookie. */
async function AuthJsctx(config: object): Promise<{ token: string; cookie: string }> {
  const response = await AuthJs(new Request(`${ORIGIN}/api/auth/csrf`), config);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return { token: csrfToken, cookie };
}
