/**
 * A native client that refreshes every 10 days keeps its refresh family for 40 days without the
 * user opening the web app again, with either session strategy. With database sessions the family
 * belongs to the session's row, so a refresh renews the row as a page's request would (else the
 * row idles out after session.maxAge and takes the active client with it).
 */
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3974";
const SECRET = "refresh-idle-client-secret-of-enough-length-0123456789";
const DAY = 24 * 60 * 60 * 1000;
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

async function makeConfig(strategy: "jwt" | "database"): Promise<AuthConfig> {
  const base: AuthConfig = {
    secret: SECRET,
    trustHost: true,
    bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
    logger: { error: () => undefined, warn: () => undefined },
    providers: [
      Credentials({
        credentials: { email: { type: "email" }, password: { type: "password" } },
        authorize: ({ email, password }) => (email === alice.email && password === "pw" ? { ...alice } : null),
      }),
    ],
  };
  if (strategy === "jwt") return base;
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  await adapter.createUser!({ ...alice, emailVerified: null });
  return { ...base, adapter, session: { strategy: "database" } };
}

describe.each(["jwt", "database"] as const)("an active native client (%s sessions)", (strategy) => {
  it("keeps refreshing every 10 days for 40 days without the user ever opening the web app again", async () => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      const cfg = await makeConfig(strategy);
      const browser = new EngineClient(ORIGIN, cfg);
      const csrfToken = await browser.csrfToken();
      await browser.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "pw" } });
      const { response } = await browser.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
      expect(response.status).toBe(200);
      let refreshToken = ((await response.json()) as { refreshToken: string }).refreshToken;
      const statuses: number[] = [];
      for (let day = 10; day <= 40; day += 10) {
        vi.setSystemTime(start + day * DAY);
        const native = new EngineClient(ORIGIN, cfg);
        const refreshed = await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
        statuses.push(refreshed.response.status);
        const body = (await refreshed.response.json()) as { refreshToken?: string };
        if (body.refreshToken) refreshToken = body.refreshToken;
      }
      expect(statuses, "refresh at day 10, 20, 30, 40").toEqual([200, 200, 200, 200]);
    } finally {
      vi.useRealTimers();
    }
  });
});
