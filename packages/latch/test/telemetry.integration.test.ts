/**
 * OpenTelemetry spans end to end: a real SDK tracer (BasicTracerProvider, SimpleSpanProcessor,
 * InMemorySpanExporter) passed as `tracer` — which also proves the SDK's Tracer fits latch's
 * structural type without a cast — around the engine's routes and session reads, with the real
 * local OpenID provider. What it shows: one span per route named after its action, the
 * attributes that tell requests apart, ERROR only for 5xx, a broken tracer costs nothing, and
 * no span carries a token or a secret.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { createRequestContext, getResolvedConfig, resolveConfig } from "../src/core/config.js";
import { handleToResponse } from "../src/core/handle-request.js";
import { readRequestAuth } from "../src/core/session/read-session.js";
import { traced } from "../src/core/telemetry.js";
import OIDC from "../src/providers/oidc.js";
import type { Account, AuthConfig, TelemetrySpan, TelemetryTracer } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3986";
const SECRET = "telemetry-test-secret-of-enough-length-0123456789ab";
const CLIENT_SECRET = "latch-telemetry-client-secret";
const SESSION_COOKIE = "authjs.session-token";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("latch");
let idp: LocalIdP;

beforeAll(async () => {
  idp = await startLocalIdP({ clients: [{ client_id: "latch-telemetry", client_secret: CLIENT_SECRET, redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
});

afterAll(async () => {
  await idp?.close();
  await provider.shutdown();
});

beforeEach(() => {
  exporter.reset();
});

function config(extra: Partial<AuthConfig> = {}, accounts: Account[] = []): AuthConfig {
  return {
    secret: SECRET,
    trustHost: true,
    tracer,
    logger: { error: () => undefined, warn: () => undefined },
    providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-telemetry", clientSecret: CLIENT_SECRET })],
    callbacks: {
      jwt({ token, account }) {
        if (account) accounts.push(account);
        return token;
      },
    },
    ...extra,
  };
}

async function startSignIn(client: EngineClient): Promise<string> {
  const csrfToken = await client.csrfToken();
  const { response } = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/dashboard" } });
  expect(response.status).toBe(302);
  return response.headers.get("location") ?? "";
}

async function signIn(client: EngineClient, login = "alice"): Promise<void> {
  const callback = await loginThroughIdP(await startSignIn(client), login);
  const { response } = await client.fetch(callback);
  expect(response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
}

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan[] => spans().filter((span) => span.name === name);

function only(name: string): ReadableSpan {
  const found = named(name);
  expect(found.map((span) => span.name), `exactly one "${name}" span`).toEqual([name]);
  return found[0]!;
}

/** The session a request with this browser's cookies has, read as `auth()` reads it. */
async function authRead(cfg: AuthConfig, client: EngineClient, authorization: string | null = null) {
  const resolved = getResolvedConfig(cfg);
  const ctx = createRequestContext(resolved, new Headers({ host: new URL(ORIGIN).host }), ORIGIN);
  return readRequestAuth(ctx, authorization, new Map(client.jar), { renew: false });
}

describe("spans around routes", () => {
  it("wraps GET /session in a \"latch session\" span with the method and the status code", async () => {
    const cfg = config();
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    exporter.reset();
    expect(await client.session()).toMatchObject({ user: { name: "Alice" } });
    const span = only("latch session");
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes).toMatchObject({ "latch.action": "session", "http.request.method": "GET", "http.response.status_code": 200 });
    expect(span.attributes).not.toHaveProperty("latch.provider");
    expect(span.attributes).not.toHaveProperty("latch.error");
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.ended).toBe(true);
  });

  it("also gives GET /session a \"latch auth\" span with the session's status, as every session read has", async () => {
    const cfg = config();
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    exporter.reset();
    await client.session();
    const read = only("latch auth");
    expect(read.attributes).toMatchObject({ "latch.session.strategy": "jwt", "latch.session.transport": "cookie", "latch.session.status": "valid" });
  });

  it("names the provider on \"latch signin\", and the error of a failed callback on \"latch callback\" without marking it failed", async () => {
    const client = new EngineClient(ORIGIN, config());
    const authorization = await startSignIn(client);
    const start = only("latch signin");
    expect(start.attributes).toMatchObject({ "latch.action": "signin", "latch.provider": "local", "http.request.method": "POST", "http.response.status_code": 302 });

    exporter.reset();
    const callback = new URL(await loginThroughIdP(authorization, "alice"));
    callback.searchParams.set("state", "forged-state-value");
    await client.fetch(callback.href);
    const failed = only("latch callback");
    expect(failed.attributes).toMatchObject({ "latch.action": "callback", "latch.provider": "local", "http.request.method": "GET", "http.response.status_code": 302, "latch.error": "InvalidCheck" });
    expect(failed.status.code, "a client's failure is no server error").toBe(SpanStatusCode.UNSET);
  });

  it("names a span \"latch request\" for a path that is no route: 404, no action", async () => {
    const client = new EngineClient(ORIGIN, config());
    const { response } = await client.fetch("/api/auth/no-such-route");
    expect(response.status).toBe(404);
    const span = only("latch request");
    expect(span.attributes).toMatchObject({ "http.request.method": "GET", "http.response.status_code": 404 });
    expect(span.attributes).not.toHaveProperty("latch.action");
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("marks a span ERROR when a configuration error answers 500", async () => {
    // No secret in the config nor in this (empty) environment.
    const resolved = resolveConfig({ ...config(), secret: undefined }, {});
    const response = await handleToResponse(new Request(`${ORIGIN}/api/auth/session`, { headers: { host: new URL(ORIGIN).host } }), resolved);
    expect(response.status).toBe(500);
    const span = only("latch session");
    expect(span.attributes).toMatchObject({ "http.response.status_code": 500 });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toContain("500");
  });
});

describe("spans around session reads", () => {
  it("wraps the engine's auth() read in \"latch auth\": strategy, transport, status and renewal", async () => {
    const cfg = config();
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    exporter.reset();
    const signedIn = await authRead(cfg, client);
    expect(signedIn.status).toBe("valid");
    const read = only("latch auth");
    expect(read.attributes).toEqual({ "latch.session.strategy": "jwt", "latch.session.transport": "cookie", "latch.session.status": "valid", "latch.session.renewed": false });
    expect(read.status.code).toBe(SpanStatusCode.UNSET);

    exporter.reset();
    await authRead(cfg, new EngineClient(ORIGIN, cfg));
    expect(only("latch auth").attributes).toMatchObject({ "latch.session.status": "none" });

    exporter.reset();
    const forged = new EngineClient(ORIGIN, cfg);
    forged.jar.set(SESSION_COOKIE, "not-a-session-token");
    await authRead(cfg, forged);
    expect(only("latch auth").attributes).toMatchObject({ "latch.session.status": "invalid" });
  });

  it("tells database sessions and bearer tokens apart, and marks a failing session store ERROR", async () => {
    const db = new Database(":memory:");
    migrateSQLite(db);
    const cfg = config({ adapter: SQLiteAdapter(db), bearer: true });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    exporter.reset();
    await authRead(cfg, client);
    expect(only("latch auth").attributes).toMatchObject({ "latch.session.strategy": "database", "latch.session.transport": "cookie", "latch.session.status": "valid" });

    exporter.reset();
    await authRead(cfg, client, "Bearer not-a-token");
    expect(only("latch auth").attributes).toMatchObject({ "latch.session.transport": "bearer", "latch.session.status": "invalid" });

    exporter.reset();
    db.close();
    expect((await authRead(cfg, client)).status).toBe("error");
    const failed = only("latch auth");
    expect(failed.attributes).toMatchObject({ "latch.session.status": "error" });
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
  });
});

describe("a broken tracer", () => {
  it("costs nothing when startActiveSpan throws: every route and read answers as without a tracer", async () => {
    let calls = 0;
    const broken: TelemetryTracer = {
      startActiveSpan() {
        calls += 1;
        throw new Error("the tracer is broken");
      },
    };
    const cfg = config({ tracer: broken });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    expect(await client.session()).toMatchObject({ user: { name: "Alice" } });
    expect((await client.fetch("/api/auth/no-such-route")).response.status).toBe(404);
    expect((await authRead(cfg, client)).status).toBe("valid");
    expect(calls, "the tracer was asked for every route and read").toBeGreaterThanOrEqual(6);
  });

  it("costs nothing when startActiveSpan never calls back: the work runs without a span", async () => {
    const silent: TelemetryTracer = {
      startActiveSpan<F extends (span: TelemetrySpan) => unknown>(): ReturnType<F> {
        return undefined as ReturnType<F>;
      },
    };
    const cfg = config({ tracer: silent });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    expect(await client.session()).toMatchObject({ user: { name: "Alice" } });
    expect((await authRead(cfg, client)).status).toBe("valid");
  });

  it("names no provider the config does not have: the path is the client's to choose", async () => {
    const client = new EngineClient(ORIGIN, config());
    const csrfToken = await client.csrfToken();
    exporter.reset();
    await client.fetch(`/api/auth/signin/${"x".repeat(64)}`, { form: { csrfToken } });
    const span = only("latch signin");
    expect(span.attributes).not.toHaveProperty("latch.provider");
  });

  it("costs nothing when its spans throw", async () => {
    const called = new Set<string>();
    const span: TelemetrySpan = {
      setAttribute: () => {
        called.add("setAttribute");
        throw new Error("setAttribute is broken");
      },
      setStatus: () => {
        called.add("setStatus");
        throw new Error("setStatus is broken");
      },
      recordException: () => {
        throw new Error("recordException is broken");
      },
      end: () => {
        called.add("end");
        throw new Error("end is broken");
      },
    };
    const throwingSpans: TelemetryTracer = {
      startActiveSpan: (_name, _options, fn) => fn(span) as ReturnType<typeof fn>,
    };
    const cfg = config({ tracer: throwingSpans });
    const client = new EngineClient(ORIGIN, cfg);
    await signIn(client);
    expect(await client.session()).toMatchObject({ user: { name: "Alice" } });
    expect((await authRead(cfg, client)).status).toBe("valid");
    const failing = resolveConfig({ ...cfg, secret: undefined }, {});
    expect((await handleToResponse(new Request(`${ORIGIN}/api/auth/session`), failing)).status).toBe(500);
    expect([...called].sort()).toEqual(["end", "setAttribute", "setStatus"]);
  });
});

describe("what spans carry", () => {
  it("carries no token, cookie or secret in names, attributes or status through a sign-in, session reads and a failed callback", async () => {
    const accounts: Account[] = [];
    const cfg = config({}, accounts);
    const client = new EngineClient(ORIGIN, cfg);
    const authorization = new URL(await startSignIn(client));
    const callback = new URL(await loginThroughIdP(authorization.href, "alice"));
    await client.fetch(callback.href);
    const sessionCookie = client.jar.get(SESSION_COOKIE) ?? "";
    await client.session();
    await authRead(cfg, client);
    await client.fetch(callback.href);
    expect(named("latch callback").map((span) => span.attributes["latch.error"]), "control: the replayed callback failed").toEqual([undefined, "InvalidCheck"]);

    const text = JSON.stringify(spans().map((span) => ({ name: span.name, attributes: span.attributes, status: span.status, events: span.events, links: span.links })));
    const secrets = {
      sessionCookie,
      accessToken: String(accounts[0]?.access_token),
      refreshToken: String(accounts[0]?.refresh_token),
      idToken: String(accounts[0]?.id_token),
      code: callback.searchParams.get("code") ?? "",
      state: authorization.searchParams.get("state") ?? "",
      clientSecret: CLIENT_SECRET,
      authSecret: SECRET,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(20);
      expect(text.includes(value), `${name} in a span`).toBe(false);
    }
  });

  it("records an exception thrown inside a span redacted, marks the span ERROR and rethrows the original", async () => {
    const resolved = getResolvedConfig(config());
    const token = "f".repeat(64);
    const original = new Error(`the session store refused ${token} (key ${SECRET})`);
    await expect(traced(resolved, "latch auth", { "latch.session.strategy": "database" }, () => Promise.reject(original))).rejects.toBe(original);
    const span = only("latch auth");
    expect(span.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "Error" });
    const [exception] = span.events.filter((event) => event.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toBe("the session store refused [redacted] (key [redacted])");
    const text = JSON.stringify(span.events);
    expect(text).not.toContain(token);
    expect(text).not.toContain(SECRET);
  });
});
