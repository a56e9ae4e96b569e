/**
 * The count of a sign-in token's tries cannot be dodged. A token is not bound to the email
 * provider that sent it: every email provider reads the adapter's one verification_token table,
 * and `useVerificationToken({ identifier, token })` matches any of them. So the per-address count
 * is shared by all of the app's email providers, under the strictest of their rules: an app that
 * mails six-digit codes with one provider and magic links with another cannot have the codes
 * guessed through the other's callback. Real engine and SQLite adapter.
 */
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "https://app.test";
const SECRET = "tries-email-secret-of-enough-length-0123456789abcdef";
const quiet = { error: () => undefined, warn: () => undefined };
const ALICE = "alice@example.com";
const CODE = "104729";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

function setup() {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const codes: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: SQLiteAdapter(db),
    session: { strategy: "database" },
    logger: quiet,
    providers: [
      // A six-digit code the user types: attempts are limited (default 5 per 15 minutes).
      Email({ id: "code", generateVerificationToken: () => CODE, sendVerificationRequest: ({ token }) => void codes.push(token) }),
      // Magic links with latch's own 256-bit tokens: no per-address attempts limit by default.
      Email({ id: "email", sendVerificationRequest: () => undefined }),
    ],
  };
  return { codes, client: () => new EngineClient(ORIGIN, config) };
}

const location = (response: Response) => response.headers.get("location");

/** One try of `token` for `email` at `provider`'s callback, from client address `ip`. */
async function attempt(client: EngineClient, provider: string, email: string, token: string, ip: string) {
  const csrfToken = await client.csrfToken();
  return client.fetch(`/api/auth/callback/${provider}`, { form: { csrfToken, email, token, callbackUrl: `${ORIGIN}/dashboard` }, headers: { "x-forwarded-for": ip } });
}

describe("the per-address limit of a code's tries", () => {
  it("an address locked at the code's provider is locked at every email provider's callback", async () => {
    const { codes, client } = setup();
    const owner = client();
    await owner.fetch("/api/auth/signin/code", { form: { csrfToken: await owner.csrfToken(), email: ALICE } });
    expect(codes).toEqual([CODE]);

    const attacker = client();
    // Five wrong codes at /callback/code: alice's address is locked there, as designed.
    for (let i = 0; i < 5; i++) expect(location((await attempt(attacker, "code", ALICE, String(200000 + i), `198.51.100.${i + 1}`)).response)).toContain("error=Verification");
    expect((await attempt(attacker, "code", ALICE, CODE, "198.51.100.50")).response.status).toBe(429);

    // The same guessing at /callback/email, whose own provider sets no per-address limit: refused too.
    for (let i = 0; i < 3; i++) expect((await attempt(attacker, "email", ALICE, String(300000 + i), `198.51.100.${100 + i}`)).response.status).toBe(429);
    const guessed = await attempt(attacker, "email", ALICE, CODE, "198.51.100.200");
    expect(location(guessed.response)).not.toBe(`${ORIGIN}/dashboard`);
    expect(guessed.response.status).toBe(429);
  });
});

/**
 * What the adapter matches an address against is up to the database: MySQL's default collations
 * (utf8mb4_0900_ai_ci, utf8mb4_unicode_ci), which Prisma, Drizzle and TypeORM adapters use there,
 * compare without case or accents. The count folds addresses alike, so an accented spelling of a
 * locked address gets no fresh tries. The stand-in adapter below compares as such a collation
 * does (the same `WHERE identifier = ? AND token = ?`, folded); the rest is latch's real path.
 */
describe("the per-address limit against an accent-insensitive database", () => {
  const fold = (value: string) => value.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();

  it("a locked address is not unlocked by spelling it with accents", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const inner = SQLiteAdapter(db);
    const stored = (sql: string, input: string) => (db.prepare(sql).all() as Array<{ v: string }>).find((row) => fold(row.v) === fold(input))?.v ?? input;
    const adapter = {
      ...inner,
      useVerificationToken: (params: { identifier: string; token: string }) => inner.useVerificationToken!({ ...params, identifier: stored("SELECT identifier AS v FROM verification_token", params.identifier) }),
      getUserByEmail: (email: string) => inner.getUserByEmail!(stored("SELECT email AS v FROM users WHERE email IS NOT NULL", email)),
    };
    const codes: string[] = [];
    const config: AuthConfig = {
      secret: SECRET,
      adapter,
      session: { strategy: "database" },
      logger: quiet,
      providers: [Email({ id: "code", generateVerificationToken: () => CODE, sendVerificationRequest: ({ token }) => void codes.push(token) })],
    };
    const client = () => new EngineClient(ORIGIN, config);
    const owner = client();
    await owner.fetch("/api/auth/signin/code", { form: { csrfToken: await owner.csrfToken(), email: ALICE } });
    expect(codes).toEqual([CODE]);

    const attacker = client();
    for (let i = 0; i < 5; i++) await attempt(attacker, "code", ALICE, String(200000 + i), `198.51.100.${i + 1}`);
    expect((await attempt(attacker, "code", ALICE, CODE, "198.51.100.50")).response.status).toBe(429);

    // "àlice@example.com" is the same row for the database, and the same count for latch.
    const variant = "\u00e0lice@example.com";
    const taken = await attempt(attacker, "code", variant, CODE, "198.51.100.60");
    expect(location(taken.response)).not.toBe(`${ORIGIN}/dashboard`);
    expect(taken.response.status).toBe(429);
  });
});
