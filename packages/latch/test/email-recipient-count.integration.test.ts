/**
 * The per-recipient count of sign-in links counts an inbox, not a spelling or a provider: an
 * internationalized domain's Unicode and ASCII (punycode) forms name one domain, which every
 * mailer delivers to the same inbox; and every email provider sends to the same inboxes, so they
 * share one count under the strictest of their rules (as the tries of a link's token do,
 * email-token-tries.integration.test.ts). On every store a deployment may count in.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import { PostgresRateLimitStore } from "../src/rate-limit/postgres.js";
import { RedisRateLimitStore } from "../src/rate-limit/redis.js";
import { SQLiteRateLimitStore } from "../src/rate-limit/sqlite.js";
import type { RateLimitStore } from "../src/rate-limit/types.js";
import type { AuthConfig, RateLimitRule } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { useStoreBackends } from "./helpers/store-backends.js";

const ORIGIN = "http://127.0.0.1:3992";
const SECRET = "email-recipient-count-secret-of-enough-length-0123";
const backends = useStoreBackends("email-recipient-count");

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

const stores: Array<[string, () => RateLimitStore]> = [
  ["SQLite", () => SQLiteRateLimitStore(backends.openSQLite(backends.sqliteFile()))],
  ["PostgreSQL", () => PostgresRateLimitStore(backends.postgres.pool)],
  ["Redis", () => RedisRateLimitStore(backends.redis.client, { prefix: `${backends.redis.prefix}rl:` })],
];

const TWO: RateLimitRule = { max: 2, window: 900 };

function setup(store: RateLimitStore, providers: Record<string, RateLimitRule | false>, normalizeIdentifier?: (identifier: string) => string) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const sent: string[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: SQLiteAdapter(db),
    logger: { error: () => undefined, warn: () => undefined },
    rateLimit: { store },
    providers: Object.entries(providers).map(([id, address]) => Email({ id, rateLimit: { address, source: false }, ...(normalizeIdentifier ? { normalizeIdentifier } : {}), sendVerificationRequest: ({ identifier }) => void sent.push(identifier) })),
  };
  const client = new EngineClient(ORIGIN, config);
  const first = Object.keys(providers)[0]!;
  const send = async (email: string, id = first) => (await client.fetch(`/api/auth/signin/${id}`, { form: { csrfToken: await client.csrfToken(), email } })).response.status;
  return { sent, send };
}

describe.each(stores)("per-recipient count of sign-in links in %s", (_, make) => {
  it("counts the Unicode and the punycode spelling of one domain as one recipient", async () => {
    // The two spellings name one domain (what DNS and every mailer resolve).
    expect(new URL("http://bücher.example").hostname).toBe("xn--bcher-kva.example");
    const { sent, send } = setup(make(), { email: TWO });
    const local = `victim-${randomUUID().slice(0, 8)}`;
    expect(await send(`${local}@bücher.example`)).toBe(303);
    expect(await send(`${local}@xn--bcher-kva.example`)).toBe(303);
    expect(await send(`${local}@bücher.example`)).toBe(429);
    expect(await send(`${local}@xn--bcher-kva.example`)).toBe(429);
    expect(sent).toHaveLength(2);
    // Another inbox at the same domain has a count of its own.
    expect(await send(`other-${local}@bücher.example`)).toBe(303);
  });

  it("counts one inbox once whichever email provider sends to it", async () => {
    const { sent, send } = setup(make(), { email: TWO, magic: TWO });
    const victim = `victim-${randomUUID().slice(0, 8)}@example.com`;
    expect(await send(victim, "email")).toBe(303);
    expect(await send(victim, "magic")).toBe(303);
    expect(await send(victim, "email")).toBe(429);
    expect(await send(victim, "magic")).toBe(429);
    expect(sent).toHaveLength(2);
  });

  it("limits every email provider by the strictest rule of any, one that sets none included", async () => {
    const { sent, send } = setup(make(), { lenient: false, strict: TWO });
    const victim = `victim-${randomUUID().slice(0, 8)}@example.com`;
    expect(await send(victim, "lenient")).toBe(303);
    expect(await send(victim, "lenient")).toBe(303);
    expect(await send(victim, "lenient")).toBe(429);
    expect(await send(victim, "strict")).toBe(429);
    expect(sent).toHaveLength(2);
  });

  it("counts a domain no URL parser reads as the app's normalizer left it, and still sends", async () => {
    // A custom normalizer may let through what latch's refuses; `%` is no host code point.
    const { sent, send } = setup(make(), { email: TWO }, (identifier) => identifier.trim());
    const odd = `victim-${randomUUID().slice(0, 8)}@exa%mple.example`;
    expect(() => new URL(`http://${odd.split("@")[1]!}`)).toThrow();
    expect(await send(odd)).toBe(303);
    expect(await send(odd)).toBe(303);
    expect(await send(odd)).toBe(429);
    expect(sent).toEqual([odd, odd]);
  });
});
