/**
 * PostgreSQL text cannot hold NUL: a parameter holding one fails the query ("invalid byte
 * sequence for encoding UTF8: 0x00"). Keys come from requests (a cookie `%00`, a crafted link), so
 * PostgresAdapter answers such a key as one that names no row, as every other store does.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../../src/adapters/postgres.js";
import type { Adapter } from "../../src/adapters/types.js";
import Credentials from "../../src/providers/credentials.js";
import { EngineClient } from "../helpers/engine-client.js";
import { requirePostgres, type PostgresNamespace } from "../helpers/services.js";

const NUL = "a\u0000b";

describe("PostgresAdapter: keys holding NUL", () => {
  let ns: PostgresNamespace | undefined;
  let adapter: Required<Adapter>;
  beforeAll(async () => {
    ns = await requirePostgres();
    await migratePostgres(ns.pool);
    adapter = PostgresAdapter(ns.pool) as Required<Adapter>;
  });
  afterAll(async () => ns?.drop());

  it("name no row: reads and deletes by such a key answer null", async () => {
    expect(await adapter.getSessionAndUser(NUL)).toBeNull();
    expect(await adapter.updateSession({ sessionToken: NUL, expires: new Date() })).toBeNull();
    expect(await adapter.deleteSession(NUL)).toBeNull();
    expect(await adapter.useVerificationToken({ identifier: NUL, token: "t" })).toBeNull();
    expect(await adapter.useVerificationToken({ identifier: "someone@example.test", token: NUL })).toBeNull();
    expect(await adapter.getUserByEmail(`${NUL}@example.test`)).toBeNull();
    expect(await adapter.getUserByAccount({ provider: "github", providerAccountId: NUL })).toBeNull();
    expect(await adapter.getAccount(NUL, "github")).toBeNull();
    expect(await adapter.unlinkAccount({ provider: NUL, providerAccountId: "1" })).toBeUndefined();
    expect(await adapter.getAuthenticator(NUL)).toBeNull();
    await expect(adapter.updateAuthenticatorCounter(NUL, 1)).rejects.toThrow(/no authenticator/);
  });

  // findDatabaseSession looks a cookie that is no known hash up as a raw (next-auth) token: with
  // the query failing, `authjs.session-token=%00` read as a store outage at every request (logged,
  // status "error"), and the cookie was never cleared, unlike any other unknown token.
  it("a session cookie holding NUL is an unknown token: cleared, nothing logged", async () => {
    const errors: unknown[] = [];
    const client = new EngineClient("http://127.0.0.1:3971", {
      secret: `postgres-nul-keys-${randomUUID()}`,
      trustHost: true,
      adapter,
      session: { strategy: "database" },
      providers: [Credentials({ credentials: {}, authorize: () => null })],
      logger: { error: (error) => void errors.push(error), warn: () => undefined, debug: () => undefined },
    });
    client.jar.set("authjs.session-token", NUL);
    const { response, cookies } = await client.fetch("/api/auth/session");
    expect(await response.json()).toBeNull();
    expect(errors).toEqual([]);
    expect(cookies.find((cookie) => cookie.name === "authjs.session-token")?.attributes["max-age"]).toBe("0");
  });
});
