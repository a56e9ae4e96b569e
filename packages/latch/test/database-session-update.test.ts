/**
 * Database sessions through the Next.js layer's edges: `update()` reaching the session callback
 * (trigger "update" and newSession, as next-auth does with database sessions), and
 * `signOutEverywhere()` refusing a cookie whose session has ended.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import type { Adapter } from "../src/adapters/types.js";
import { storedSessionKey } from "../src/core/session/database-session.js";
import NextAuth from "../src/next/index.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

// signOutEverywhere() reads the request through next/headers: a stand-in.
const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", async () => (await import("./helpers/next-request-scope.js")).nextHeaders(() => next));
vi.mock("next/navigation", async (importOriginal) => ({
  ...(await importOriginal<object>()),
  ...(await import("./helpers/next-request-scope.js")).navigation,
}));

const ORIGIN = "http://127.0.0.1:3971";
const SECRET = "database-session-update-secret-of-enough-length-0123456789";
const DAY = 24 * 3600 * 1000;

function sqlite(): { db: Database.Database; adapter: Required<Adapter> } {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return { db, adapter: SQLiteAdapter(db) as Required<Adapter> };
}

function configWith(adapter: Adapter, extra: Partial<AuthConfig> = {}): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    adapter,
    session: { strategy: "database" },
    providers: [Credentials({ credentials: {}, authorize: () => null })],
    logger: { error: () => undefined, warn: () => undefined, debug: () => undefined },
    ...extra,
  };
}

describe("database sessions: update()", () => {
  it("POST /session with data runs the session callback with trigger 'update' and newSession, as next-auth does; a plain read gets neither", async () => {
    const { db, adapter } = sqlite();
    const user = await adapter.createUser({ id: randomUUID(), email: "upd@example.test", emailVerified: null, name: "Before" });
    const token = "a".repeat(64);
    await adapter.createSession({ sessionToken: await storedSessionKey(token), userId: user.id, expires: new Date(Date.now() + DAY) });
    const seen: Array<{ trigger: unknown; newSession: unknown }> = [];
    const client = new EngineClient(
      ORIGIN,
      configWith(adapter, {
        callbacks: {
          session: ({ session, trigger, newSession }) => {
            seen.push({ trigger, newSession });
            const name = typeof newSession === "object" && newSession !== null && "name" in newSession ? newSession.name : undefined;
            return trigger === "update" && typeof name === "string" ? { ...session, user: { ...session.user, name } } : session;
          },
        },
      }),
    );
    client.jar.set("authjs.session-token", token);

    expect(await client.session()).toMatchObject({ user: { name: "Before" } });
    expect(seen.at(-1)).toEqual({ trigger: undefined, newSession: undefined });
    const csrfToken = await client.csrfToken();
    const { response } = await client.fetch("/api/auth/session", { json: { csrfToken, data: { name: "After" } } });
    expect(seen.at(-1)).toEqual({ trigger: "update", newSession: { name: "After" } });
    expect(await response.json()).toMatchObject({ user: { name: "After" } });
    db.close();
  });
});

describe("signOutEverywhere() with database sessions", () => {
  it("an expired session's cookie ends nobody's other sessions; a live one's ends them all", async () => {
    const { db, adapter } = sqlite();
    const user = await adapter.createUser({ id: randomUUID(), email: "everywhere@example.test", emailVerified: null });
    const [stale, live, other] = ["b".repeat(64), "c".repeat(64), "d".repeat(64)];
    await adapter.createSession({ sessionToken: await storedSessionKey(stale), userId: user.id, expires: new Date(Date.now() - 60_000) });
    await adapter.createSession({ sessionToken: await storedSessionKey(live), userId: user.id, expires: new Date(Date.now() + DAY) });
    await adapter.createSession({ sessionToken: await storedSessionKey(other), userId: user.id, expires: new Date(Date.now() + DAY) });
    const app = NextAuth(configWith(adapter));
    const signOutEverywhere = (cookie: string) => {
      next.headers = new Headers({ host: "app.test", "x-forwarded-proto": "https" });
      next.cookies = new Map([["__Secure-authjs.session-token", cookie]]);
      return app.signOutEverywhere({ redirectTo: "/" }).catch((error: unknown) => {
        if (!(error instanceof Error && error.message.startsWith("NEXT_REDIRECT "))) throw error;
      });
    };

    await signOutEverywhere(stale);
    expect(await adapter.getSessionAndUser(await storedSessionKey(other)), "the expired cookie ended it").not.toBeNull();
    await signOutEverywhere(live);
    expect(await adapter.getSessionAndUser(await storedSessionKey(other))).toBeNull();
    db.close();
  });
});
