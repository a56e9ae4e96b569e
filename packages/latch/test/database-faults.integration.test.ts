/**
 * The database stopped, hung or slow, then back: PostgreSQL and Redis behind a fault-injecting
 * TCP proxy, SQLite with a closed handle and a locked file. Whatever the store does, `Auth()`
 * answers — no session (cookie kept, error logged), error pages, a sign-out that still signs out —
 * within a bounded time, and the same adapter works again once the store is back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import pg from "pg";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import { RedisAdapter } from "../src/adapters/redis.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import OIDC from "../src/providers/oidc.js";
import type { AuthConfig } from "../src/types.js";
import { causeChain, runDatabaseFaultSuite } from "./helpers/database-fault-suite.js";
import { EngineClient } from "./helpers/engine-client.js";
import { postgresUrl, requirePostgres, requireRedis } from "./helpers/services.js";
import { TcpProxy } from "./helpers/tcp-proxy.js";

// As in helpers/services.ts, which does not export it.
const REDIS_URL = process.env["LATCH_TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";

/** `url` with its host and port replaced by the proxy's. */
function throughProxy(url: string, proxy: TcpProxy): string {
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  return proxied.href;
}

function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

runDatabaseFaultSuite(
  "PostgresAdapter",
  async () => {
    const ns = await requirePostgres();
    await migratePostgres(ns.pool);
    const proxy = await TcpProxy.open(targetOf(postgresUrl(), 5432));
    const connectionString = throughProxy(postgresUrl(), proxy);
    const options = `-c search_path=${ns.schema}`;
    // What an app should configure: pg waits forever by default, both for a connection
    // (connectionTimeoutMillis) and for a reply on an open one (query_timeout, client-side:
    // statement_timeout is enforced by the server and cannot fire when the network hangs).
    const pool = new pg.Pool({ connectionString, options, connectionTimeoutMillis: 1_000, query_timeout: 2_000 });
    const defaults = new pg.Pool({ connectionString, options });
    // A pooled idle connection that the outage kills is reported on the pool; without a
    // listener Node treats it as an uncaught exception and the app crashes (pg's documented rule).
    const poolErrors: Error[] = [];
    for (const p of [pool, defaults]) p.on("error", (error) => void poolErrors.push(error));
    return {
      proxy,
      adapter: PostgresAdapter(pool),
      defaultsAdapter: PostgresAdapter(defaults),
      downError: /ECONNREFUSED|Connection terminated|not queryable/i,
      hungError: /timeout/i,
      async close() {
        await proxy.heal();
        await Promise.all([pool.end(), defaults.end()]);
        await proxy.close();
        await ns.drop();
      },
    };
  },
  // pg refuses at once when nothing listens; only a hung server makes it wait without end.
  { unboundedByDefault: ["hung"] },
);

runDatabaseFaultSuite(
  "RedisAdapter",
  async () => {
    const ns = await requireRedis();
    const proxy = await TcpProxy.open(targetOf(REDIS_URL, 6379));
    const url = throughProxy(REDIS_URL, proxy);
    // What an app should configure. node-redis by default reconnects forever AND queues every
    // command issued meanwhile until it is back, so a stopped Redis makes each request wait for
    // the outage to end; and it waits forever on a hung one. So:
    // - `disableOfflineQueue`: while reconnecting, a command fails at once instead of waiting;
    // - `socket.socketTimeout`: a connection silent that long is closed and its pending commands
    //   fail. It is the only bound on a command already sent: `commandOptions.timeout` covers
    //   only the wait before the command is written (node-redis 6.3, commands-queue.js), so it
    //   does nothing against a hung server. It is an idle timeout, hence `pingInterval` below it
    //   to keep a quiet connection alive;
    // - keep reconnecting, never `reconnectStrategy: false` (the client would stay closed after
    //   the outage until the app restarts); here a short backoff capped at 500 ms.
    const client = createClient({
      url,
      disableOfflineQueue: true,
      pingInterval: 1_000,
      socket: { connectTimeout: 1_000, socketTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 500) },
    });
    const defaults = createClient({ url });
    // node-redis emits socket errors as 'error' events: without a listener the app crashes.
    const clientErrors: unknown[] = [];
    for (const c of [client, defaults]) c.on("error", (error: unknown) => void clientErrors.push(error));
    await Promise.all([client.connect(), defaults.connect()]);
    return {
      proxy,
      adapter: RedisAdapter(client, { prefix: ns.prefix }),
      defaultsAdapter: RedisAdapter(defaults, { prefix: ns.prefix }),
      downError: /offline|closed|ECONNREFUSED|reconnect/i,
      hungError: /timeout/i,
      async close() {
        await proxy.heal();
        client.destroy();
        defaults.destroy();
        await proxy.close();
        await ns.drop();
      },
    };
  },
  { unboundedByDefault: ["hung", "stopped"] },
);

describe("SQLiteAdapter: database faults", () => {
  const ORIGIN = "http://127.0.0.1:3993";
  const SESSION_COOKIE = "authjs.session-token";
  let idp: LocalIdP | undefined;
  let dir: string | undefined;
  let errors: Error[] = [];

  beforeAll(async () => {
    idp = await startLocalIdP({ clients: [{ client_id: "latch-sqlite-faults", client_secret: "s3cret", redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
    dir = mkdtempSync(join(tmpdir(), "latch-sqlite-faults-"));
  });
  afterAll(async () => {
    await idp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function configFor(db: Database.Database): AuthConfig {
    if (!idp) throw new Error("beforeAll failed: read its error");
    errors = [];
    return {
      secret: "sqlite-faults-secret-of-enough-length-0123456789",
      trustHost: true,
      adapter: SQLiteAdapter(db),
      providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-sqlite-faults", clientSecret: "s3cret" })],
      logger: { error: (error) => void errors.push(error) },
    };
  }

  async function authorize(client: EngineClient): Promise<string> {
    const csrfToken = await client.csrfToken();
    const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/home" } });
    return loginThroughIdP(start.response.headers.get("location") ?? "", "alice");
  }

  async function signedIn(db: Database.Database): Promise<EngineClient> {
    const client = new EngineClient(ORIGIN, configFor(db));
    await client.fetch(await authorize(client));
    expect(await client.session()).toMatchObject({ user: { email: "alice@example.test" } });
    return client;
  }

  function fileDb(name: string, options: Database.Options = {}): Database.Database {
    if (!dir) throw new Error("beforeAll failed: read its error");
    const db = new Database(join(dir, name), options);
    migrateSQLite(db);
    return db;
  }

  it("closed handle: no session, the cookie kept, the failure logged; sign-out still signs out", async () => {
    const db = fileDb("closed.db");
    const client = await signedIn(db);
    const cookie = client.jar.get(SESSION_COOKIE);
    db.close();
    const { response, cookies } = await client.fetch("/api/auth/session");
    expect(response.status).toBe(200);
    expect(await response.json()).toBeNull();
    expect(cookies.filter((c) => c.name === SESSION_COOKIE)).toEqual([]);
    expect(client.jar.get(SESSION_COOKIE)).toBe(cookie);
    const logged = errors.map(causeChain);
    expect(logged.some((chain) => /session/i.test(chain[0] ?? "") && chain.some((line) => /connection is not open/i.test(line))), JSON.stringify(logged)).toBe(true);

    const csrfToken = await client.csrfToken();
    const out = await client.fetch("/api/auth/signout", { form: { csrfToken } });
    expect(out.response.status).toBe(302);
    expect(client.jar.has(SESSION_COOKIE)).toBe(false);
  });

  it("closed handle: a sign-in callback ends on the error page, not a 5xx", async () => {
    const db = fileDb("closed-callback.db");
    const client = new EngineClient(ORIGIN, configFor(db));
    const callbackUrl = await authorize(client);
    db.close();
    const { response } = await client.fetch(callbackUrl);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") ?? "");
    expect(location.pathname).toBe("/api/auth/error");
    expect(location.searchParams.get("error")).toBeTruthy();
    expect(client.jar.has(SESSION_COOKIE)).toBe(false);
  });

  it("locked file: no session while another connection holds it, the same handle works once it is released", async () => {
    // better-sqlite3 waits for a lock synchronously, blocking the whole event loop, for
    // `timeout` ms (5 s by default): an app should keep it short.
    const db = fileDb("locked.db", { timeout: 100 });
    const client = await signedIn(db);
    const other = new Database(db.name);
    other.exec("BEGIN EXCLUSIVE");
    try {
      const { response, cookies } = await client.fetch("/api/auth/session");
      expect(await response.json()).toBeNull();
      expect(cookies.filter((c) => c.name === SESSION_COOKIE)).toEqual([]);
      expect(errors.map(causeChain).some((chain) => chain.some((line) => /SQLITE_BUSY|locked/i.test(line)))).toBe(true);
    } finally {
      other.exec("COMMIT");
      other.close();
    }
    expect(await client.session()).toMatchObject({ user: { email: "alice@example.test" } });
    db.close();
  });

  it("logs a store failure as SessionTokenError, the type Auth.js logs and apps watch for outages", async () => {
    const db = fileDb("type.db");
    const client = await signedIn(db);
    db.close();
    await client.session();
    // Auth.js (`@auth/core/lib/actions/session.ts`) logs `new SessionTokenError(e)` when the
    // adapter throws; JWTSessionError means a JWT that does not decode.
    expect(errors.map((error) => ("type" in error ? error.type : error.name))).toContain("SessionTokenError");
  });
});
