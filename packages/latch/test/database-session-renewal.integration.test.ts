/**
 * Database sessions in use are renewed before they expire, whatever `maxAge` is: `updateAge` (a
 * day by default) is never more than half of `maxAge`, so `{ maxAge: 1 h }` means idle for an
 * hour, as the config reference says.
 */
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig, SessionOptions } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3977";
const SECRET = "db-renewal-secret-of-enough-length-0123456789abcd";
const SALT = "authjs.session-token";
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const START = Math.floor(Date.now() / 1000) * 1000;
const T0 = START / 1000;
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };
const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };

beforeEach(() => vi.useFakeTimers({ toFake: ["Date"], now: START }));
afterEach(() => vi.useRealTimers());

function at(seconds: number): void {
  vi.setSystemTime(seconds * 1000);
}

function credentials() {
  return Credentials({ credentials: { email: {} }, authorize: ({ email }) => (email === alice.email ? { ...alice } : null) });
}

async function signIn(client: EngineClient): Promise<void> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email } });
  expect(response.status).toBe(303);
  expect(client.jar.get(SALT)).toBeTruthy();
}

function databaseConfig(session: SessionOptions): { cfg: AuthConfig; db: Database.Database } {
  const db = new Database(":memory:");
  migrateSQLite(db);
  db.prepare(`INSERT INTO users (id, name, email) VALUES (?, ?, ?)`).run(alice.id, alice.name, alice.email);
  return { db, cfg: { secret: SECRET, trustHost: true, adapter: SQLiteAdapter(db), session: { strategy: "database", ...session }, providers: [credentials()], logger: quiet } };
}

describe("database sessions: maxAge shorter than updateAge", () => {
  it("an active user is not signed out maxAge after sign-in when maxAge < updateAge (the default one day)", async () => {
    // The documented example: "signed out after an hour without use" — with database sessions and
    // the default updateAge (24 h) the row is never due for renewal before it expires.
    const { cfg } = databaseConfig({ maxAge: HOUR });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    // Used every 20 minutes for two hours: never an hour without use.
    for (let minutes = 20; minutes <= 120; minutes += 20) {
      at(T0 + minutes * MINUTE);
      const { response } = await client.fetch("/api/auth/session");
      const session = (await response.json()) as { expires: string } | null;
      expect(session, `signed out at +${minutes} min though used every 20 min`).not.toBeNull();
    }
  });

  it("the documented example { maxAge: 1 h, absoluteMaxAge: 12 h } ('idle 1 h, at most 12 h') keeps an active database session past one hour", async () => {
    const { cfg } = databaseConfig({ maxAge: HOUR, absoluteMaxAge: 12 * HOUR });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    for (const minutes of [30, 59, 61, 90]) {
      at(T0 + minutes * MINUTE);
      const { response } = await client.fetch("/api/auth/session");
      expect(await response.json(), `signed out at +${minutes} min though used every half hour`).not.toBeNull();
    }
  });
});
