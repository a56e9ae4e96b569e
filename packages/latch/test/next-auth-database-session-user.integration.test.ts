/**
 * database sessions next-auth created with @auth/pg-adapter (tables as its docs define
 * them), read by latch — "the callbacks get the same arguments" (docs/migrating-from-next-auth.md).
 *
 * The rows and cookies carry over (checked: the session is found and re-keyed). But next-auth
 * gives the `session` callback, with database sessions, `session.user` = the stored user
 * (`AdapterUser`: `id`, `emailVerified`, every column) — its types say so
 * (`session: { user: AdapterUser } & AdapterSession`) — and apps return it as is and read
 * `session.user.id`. latch passes `session.user` = `{ name, email, image }` only, so the same
 * callback yields a session without the user's id: the user is "signed in" as nobody in
 * particular.
 */
import AuthPostgresAdapter from "@auth/pg-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import { Auth } from "../src/index.js";
import type { AuthConfig, EmailConfig } from "../src/types.js";
import { AUTHJS_PG_DOCUMENTED_SCHEMA } from "./fixtures/authjs-pg-documented-schema.js";
import { absorbCookies, cookieHeaderOf, type CookieJar } from "./helpers/engine-client.js";
import { nextAuthEngine } from "./helpers/next-auth-engine.js";
import { requirePostgres, type PostgresNamespace } from "./helpers/services.js";


const ORIGIN = "https://app.test";
const SECRET = "migration-db-secret-of-enough-length-0123456789";
const COOKIE = "__Secure-authjs.session-token";


// The callback as next-auth apps write it with database sessions: session.user is the stored user.
const callbacks = { session: ({ session }: { session: unknown }) => session };

let ns: PostgresNamespace | undefined;
beforeAll(async () => {
  ns = await requirePostgres();
  await ns.pool.query(AUTHJS_PG_DOCUMENTED_SCHEMA);
});
afterAll(async () => ns?.drop());

/** A real next-auth email sign-in: next-auth creates the user and the session row through @auth/pg-adapter. */
async function nextAuthDatabaseSession(): Promise<{ jar: CookieJar; nextAuthSession: { user: { id: unknown; email: string } } }> {
  let link = "";
  const config = {
    secret: SECRET,
    trustHost: true,
    basePath: "/api/auth",
    adapter: AuthPostgresAdapter(ns!.pool),
    providers: [{ id: "email", type: "email", name: "Email", from: "app@app.test", maxAge: 86400, options: {}, sendVerificationRequest: ({ url }: { url: string }) => void (link = url) }],
    callbacks,
    logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
  };
  const jar: CookieJar = new Map();
  const csrf = await nextAuthEngine(new Request(`${ORIGIN}/api/auth/csrf`), config as never);
  absorbCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  absorbCookies(
    jar,
    await nextAuthEngine(
      new Request(`${ORIGIN}/api/auth/signin/email`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeaderOf(jar) }, body: new URLSearchParams({ csrfToken, email: "bob@example.com" }) }),
      config as never,
    ),
  );
  absorbCookies(jar, await nextAuthEngine(new Request(link, { headers: { cookie: cookieHeaderOf(jar) } }), config as never));
  expect(jar.get(COOKIE)).toMatch(/^[0-9a-f-]{36}$/);
  const nextAuthSession = (await (await nextAuthEngine(new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie: cookieHeaderOf(jar) } }), config as never)).json()) as {
    user: { id: unknown; email: string };
  };
  expect(nextAuthSession.user.email).toBe("bob@example.com");
  expect(nextAuthSession.user.id).toBeDefined();
  return { jar, nextAuthSession };
}

describe("a next-auth database session read by latch, with the app's session callback unchanged", () => {
  it("gives the same session.user (with the user's id) as next-auth did", async () => {
    const { jar, nextAuthSession } = await nextAuthDatabaseSession();
    await migratePostgres(ns!.pool);
    const email: EmailConfig = { id: "email", type: "email", name: "Email", sendVerificationRequest: () => undefined } as unknown as EmailConfig;
    const latchConfig: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      adapter: PostgresAdapter(ns!.pool),
      providers: [email],
      callbacks: callbacks as AuthConfig["callbacks"],
      logger: { error: () => undefined, warn: () => undefined },
    };
    const response = await Auth(new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie: cookieHeaderOf(jar), host: "app.test" } }), latchConfig);
    const session = (await response.json()) as { user?: { id?: unknown; email?: string } } | null;
    // Signed in: the row next-auth wrote is found (this part works).
    expect(session?.user?.email).toBe("bob@example.com");
    // …as the same user: next-auth's session.user.id is "1"; latch's is undefined.
    expect(session?.user?.id).toEqual(String(nextAuthSession.user.id));
  });
});
