/**
 * A signed-out JWT session's refresh tokens stay dead however long their client sat idle. Sign-out
 * revokes the session's sid in the revocation store, and refresh families answer to it; the
 * store must keep that entry as long as a family can live (bearer.refreshTokens.absoluteMaxAge),
 * not only as long as the session's own tokens (jwt.maxAge), or a phone that was off for a month
 * gets the session back once the store forgets.
 */
import Database from "better-sqlite3";
import { describe, expect, it, vi } from "vitest";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import { SQLiteRevocationStore } from "../src/revocation/sqlite.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3972";
const SECRET = "refresh-after-sign-out-secret-of-enough-length-0123456789";
const DAY = 24 * 60 * 60;
const alice = { id: "user-alice", name: "Alice", email: "alice@example.com" };

function credentials() {
  return Credentials({
    credentials: { email: { type: "email" }, password: { type: "password" } },
    authorize: ({ email, password }) => (email === alice.email && password === "pw" ? { ...alice } : null),
  });
}

async function signIn(client: EngineClient): Promise<void> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email: alice.email, password: "pw" } });
  expect(response.status).toBe(303);
}

async function refresh(cfg: AuthConfig, refreshToken: string) {
  const native = new EngineClient(ORIGIN, cfg);
  const { response } = await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  return { status: response.status, body: (await response.json()) as { error?: string; token?: string } };
}

describe.each([
  ["memory revocation store", () => MemoryRevocationStore()],
  ["SQLite revocation store", () => SQLiteRevocationStore(new Database(":memory:"))],
])("a signed-out session's refresh token (%s)", (_name, makeRevocation) => {
  it.each([
    ["refreshTokens.maxAge longer than the session (60 d vs 30 d)", { refreshTokens: { maxAge: 60 * DAY } }, {}],
    ["jwt.maxAge shorter than session.maxAge (1 d vs 30 d)", { refreshTokens: {} }, { jwt: { maxAge: DAY } }],
  ] as const)("stays dead after sign-out once the client has been idle a while: %s", async (_case, bearerExtra, extra) => {
    const start = Date.now();
    vi.useFakeTimers({ toFake: ["Date"], now: start });
    try {
      const cfg: AuthConfig = {
        secret: SECRET,
        trustHost: true,
        providers: [credentials()],
        revocation: makeRevocation(),
        bearer: { refreshTokens: { store: MemoryRefreshTokenStore(), ...bearerExtra.refreshTokens } },
        logger: { error: () => undefined, warn: () => undefined },
        ...extra,
      };
      const browser = new EngineClient(ORIGIN, cfg);
      await signIn(browser);
      const { response } = await browser.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
      const issued = (await response.json()) as { refreshToken: string };
      expect(response.status).toBe(200);

      // The user signs out on the web: the session is revoked, and with it (say the docs) the app's refresh tokens.
      const out = await browser.fetch("/api/auth/signout", { form: { csrfToken: await browser.csrfToken() } });
      expect(out.response.status).toBe(302);

      // The phone is off for 31 days (or 2 days with jwt.maxAge = 1 d). Its refresh token has not idled out.
      const idle = "jwt" in extra ? 2 * DAY : 31 * DAY;
      vi.setSystemTime(start + idle * 1000);
      const later = await refresh(cfg, issued.refreshToken);
      expect(later.status, `a signed-out session's refresh token answered ${later.status}`).toBe(400);
    } finally {
      vi.useRealTimers();
    }
  });
});
