/**
 * A refresh grant whose session check fails for a moment (the revocation store drops a
 * connection) must leave the refresh token usable: the client, which got an error and no
 * successor, retries with the token it has, and that retry is no reuse. The store's `peek` lets
 * latch check the session before it rotates.
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import { MemoryRefreshTokenStore } from "../src/refresh-tokens/memory.js";
import { MemoryRevocationStore } from "../src/revocation/memory.js";
import type { RevocationStore } from "../src/revocation/types.js";
import type { RefreshTokenStore } from "../src/refresh-tokens/types.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3971";
const SECRET = "refresh-grant-faults-secret-of-enough-length-0123456789";
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

async function offline(client: EngineClient) {
  const { response } = await client.fetch("/api/auth/token", { method: "POST", headers: { "x-latch-bearer": "1" }, json: { offline: true } });
  expect(response.status).toBe(200);
  return (await response.json()) as { token: string; refreshToken: string };
}

async function refresh(cfg: AuthConfig, refreshToken: string) {
  const native = new EngineClient(ORIGIN, cfg);
  const { response } = await native.fetch("/api/auth/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken } });
  return { status: response.status, body: (await response.json()) as { error?: string; refreshToken?: string } };
}

describe("a refresh grant after a transient failure", () => {
  it("a revocation-store blip during a refresh must not turn the client's retry into 'reuse' and end its sessions", async () => {
    const real = MemoryRevocationStore();
    let failNext = false;
    const flaky: RevocationStore = {
      revokeSession: (sid, until) => real.revokeSession(sid, until),
      revokeUser: (userId, before, until) => real.revokeUser(userId, before, until),
      async isRevoked(query) {
        if (failNext) {
          failNext = false;
          throw new Error("ECONNRESET (transient)");
        }
        return real.isRevoked(query);
      },
    };
    const cfg: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [credentials()],
      revocation: flaky,
      bearer: { refreshTokens: { store: MemoryRefreshTokenStore() } },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const issued = await offline(browser);

    // One transient failure while the refresh runs: the client gets a 5xx, no successor.
    failNext = true;
    const first = await refresh(cfg, issued.refreshToken);
    expect(first.status).toBeGreaterThanOrEqual(500);
    expect(first.body.refreshToken).toBeUndefined();

    // The client retries with the only token it has. It never got a successor, so this is not theft.
    const retry = await refresh(cfg, issued.refreshToken);
    expect(retry.status, `retry answered ${retry.status} ${JSON.stringify(retry.body)}`).toBe(200);
    // And the web session it came from must still be there.
    expect(await browser.session()).not.toBeNull();
  });

  it("a store without peek (a custom one) still has the session checked, after the rotation: a signed-out session's token is refused", async () => {
    const inner = MemoryRefreshTokenStore();
    const withoutPeek: RefreshTokenStore = {
      createFamily: (family, first) => inner.createFamily(family, first),
      rotate: (hash, next) => inner.rotate(hash, next),
      revokeFamily: (id) => inner.revokeFamily(id),
    };
    const cfg: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      providers: [credentials()],
      revocation: MemoryRevocationStore(),
      bearer: { refreshTokens: { store: withoutPeek } },
      logger: { error: () => undefined, warn: () => undefined },
    };
    const browser = new EngineClient(ORIGIN, cfg);
    await signIn(browser);
    const issued = await offline(browser);
    const live = await refresh(cfg, issued.refreshToken);
    expect(live.status).toBe(200);
    await browser.fetch("/api/auth/signout", { form: { csrfToken: await browser.csrfToken() } });
    const ended = await refresh(cfg, live.body.refreshToken ?? "");
    expect(ended).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(ended.body.refreshToken).toBeUndefined();
  });
});
