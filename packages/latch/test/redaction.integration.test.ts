/**
 * Redaction end to end: what the app's `logger` receives through realistic leaks — PostgreSQL
 * quoting a session token in a unique-key violation, app handlers whose errors quote provider
 * tokens, the session cookie, the IdP's client secret and AUTH_SECRET — holds none of them, in
 * messages, stacks, causes or own properties, while the errors keep their class and type. Legacy
 * session tokens next-auth wrote (UUIDs, too short for the shape rule) too, when PostgreSQL quotes
 * one in a key violation.
 * Real parts throughout: the local OpenID provider, latch's PostgreSQL adapter on a real server.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migratePostgres, PostgresAdapter } from "../src/adapters/postgres.js";
import type { Adapter, AdapterSession } from "../src/adapters/types.js";
import { createLogger } from "../src/core/logger.js";
import { AdapterError, AuthError, CallbackRouteError, EventError, SessionTokenError } from "../src/errors.js";
import OIDC from "../src/providers/oidc.js";
import type { Account, AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { requirePostgres, type PostgresNamespace } from "./helpers/services.js";

const ORIGIN = "http://127.0.0.1:3985";
// Neither matches a token shape (spaces, short runs): only the "configured secrets" net can catch them.
const SECRET = "redaction test secret: 0123456789 abcdefghij klmnopqrst";
const CLIENT_SECRET = "idp-client-secret-redact-me";
const SESSION_COOKIE = "authjs.session-token";

let idp: LocalIdP;
let postgres: PostgresNamespace;

beforeAll(async () => {
  idp = await startLocalIdP({ clients: [{ client_id: "latch-redact", client_secret: CLIENT_SECRET, redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
  postgres = await requirePostgres();
  await migratePostgres(postgres.pool);
});

afterAll(async () => {
  await idp?.close();
  await postgres?.drop();
});

/** Everything a logger received, each argument as it was handed over. */
interface Captured {
  errors: Error[];
  warnings: string[];
  debug: Array<[string, unknown]>;
}

/**
 * Every string reachable from `value`: an error's name, message, stack, cause and every own
 * property; objects' keys and values — what any serializer could print.
 */
function strings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === "string") return [value];
  if (typeof value !== "object" || value === null) return [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  const out: string[] = [];
  if (value instanceof Error) out.push(value.name, value.message, value.stack ?? "");
  for (const key of Reflect.ownKeys(value)) {
    out.push(String(key));
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor && "value" in descriptor) out.push(...strings(descriptor.value, seen));
  }
  if (value instanceof Error && !Object.hasOwn(value, "cause") && value.cause !== undefined) out.push(...strings(value.cause, seen));
  return out;
}

/** The whole log as text: the walk above and Node's own rendering of each argument. */
function logText(captured: Captured): string {
  const args: unknown[] = [...captured.errors, ...captured.warnings, ...captured.debug.flat()];
  return [...strings(args), ...args.map((arg) => inspect(arg, { depth: 20, showHidden: true }))].join("\n");
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current instanceof Error && chain.length < 10; current = current.cause) chain.push(current);
  return chain;
}

describe("what the app's logger receives", () => {
  it("holds no session token, provider token, client secret or AUTH_SECRET through four realistic leaks, and the errors keep their class", async () => {
    const captured: Captured = { errors: [], warnings: [], debug: [] };
    // A constant token: the second sign-in violates the unique key, and PostgreSQL's detail quotes it.
    const sessionToken = randomBytes(32).toString("hex");
    const accounts: Account[] = [];
    const config: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      debug: true,
      adapter: PostgresAdapter(postgres.pool),
      session: { generateSessionToken: () => sessionToken },
      providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-redact", clientSecret: CLIENT_SECRET })],
      logger: {
        error: (error) => void captured.errors.push(error),
        warn: (code) => void captured.warnings.push(code),
        debug: (message, metadata) => void captured.debug.push([message, metadata]),
      },
      events: {
        // An app that forwards sign-ins to its CRM and lets the CRM's answer through.
        signIn({ account }) {
          if (!account) return;
          accounts.push(account);
          const failure = new Error("forwarding the sign-in to the CRM failed", {
            cause: new Error(`CRM answered 401 to Authorization: Bearer ${String(account.access_token)} (refresh ${String(account.refresh_token)})`),
          });
          throw Object.assign(failure, { requestBody: JSON.stringify({ idToken: account.id_token }), upstream: { echoed: String(account.access_token) } });
        },
        // An app whose error quotes its own configuration.
        createUser() {
          throw Object.assign(new Error(`welcome mail not sent: mailer configured with client ${CLIENT_SECRET} and key ${SECRET}`), { settings: `clientSecret=${CLIENT_SECRET}; authSecret=${SECRET}` });
        },
      },
      // An audit sink whose failure quotes the session it was handed.
      audit: (event) => {
        throw new Error(`audit row for session ${sessionToken} (${event.type}) could not be written`);
      },
    };

    const first = new EngineClient(ORIGIN, config);
    const csrfToken = await first.csrfToken();
    const start = await first.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/dashboard" } });
    const signedIn = await first.fetch(await loginThroughIdP(start.response.headers.get("location") ?? "", "alice"));
    expect(signedIn.response.headers.get("location")).toBe(`${ORIGIN}/dashboard`);
    expect(first.jar.get(SESSION_COOKIE)).toBe(sessionToken);

    const second = new EngineClient(ORIGIN, config);
    const again = await second.fetch("/api/auth/signin/local", { form: { csrfToken: await second.csrfToken(), callbackUrl: "/dashboard" } });
    const refused = await second.fetch(await loginThroughIdP(again.response.headers.get("location") ?? "", "alice"));
    expect(new URL(refused.response.headers.get("location") ?? "").searchParams.get("error"), "the unique key refused the second session").toBe("Configuration");

    // The leaks happened: each error is on record, with its class and type.
    const callbackError = captured.errors.find((error) => error instanceof CallbackRouteError);
    expect(callbackError).toBeInstanceOf(AuthError);
    expect(callbackError).toMatchObject({ type: "CallbackRouteError", name: "CallbackRouteError" });
    const violation = causes(callbackError).find((error): error is Error & { code: string; detail: string } => error instanceof Error && "code" in error && error.code === "23505");
    expect(violation?.detail, "PostgreSQL's detail quoted the key, now redacted").toMatch(/^Key \("sessionToken"\)=\(.*\[redacted\].*\) already exists\.$/);
    const eventErrors = captured.errors.filter((error): error is EventError => error instanceof EventError);
    expect(eventErrors.length).toBeGreaterThanOrEqual(3);
    expect(eventErrors.every((error) => error instanceof AuthError && error.type === "EventError")).toBe(true);
    const eventText = eventErrors.map((error) => strings(error).join(" ")).join("\n");
    expect(eventText).toContain("The \"signIn\" event handler threw.");
    expect(eventText).toContain("The \"createUser\" event handler threw.");
    expect(eventText).toContain("CRM answered 401 to Authorization: Bearer [redacted]");
    expect(eventText).toContain("welcome mail not sent: mailer configured with client [redacted] and key [redacted]");
    expect(eventText).toContain("audit row for session [redacted] (sign-in) could not be written");
    expect(captured.debug.some(([message]) => message === "audit sign-in"), "debug lines went through too").toBe(true);

    // And none of the values is anywhere in what the logger received.
    const account = accounts[0];
    const secrets = {
      sessionToken,
      accessToken: String(account?.access_token),
      refreshToken: String(account?.refresh_token),
      idToken: String(account?.id_token),
      clientSecret: CLIENT_SECRET,
      authSecret: SECRET,
    };
    const text = logText(captured);
    const unredacted: Captured = { errors: [new Error("outer", { cause: Object.assign(new Error("inner"), { detail: sessionToken }) })], warnings: [], debug: [] };
    expect(logText(unredacted), "control: the search finds a value deep in a cause").toContain(sessionToken);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThan(20);
      expect(text.includes(value), `${name} leaked to the logger`).toBe(false);
    }
  });

  describe("a legacy session token (next-auth's UUID) that PostgreSQL quotes", () => {
    /** A user with a session row stored as next-auth v5 wrote it: under the cookie's token, a UUID. */
    async function legacySession(adapter: Adapter): Promise<AdapterSession> {
      const user = await adapter.createUser!({ id: "", email: `legacy-${randomUUID()}@example.com`, name: "Legacy", emailVerified: null });
      return adapter.createSession!({ sessionToken: randomUUID(), userId: user.id, expires: new Date(Date.now() + 3600_000) });
    }

    function capture(captured: Captured): NonNullable<AuthConfig["logger"]> {
      return {
        error: (error) => void captured.errors.push(error),
        warn: (code) => void captured.warnings.push(code),
        debug: (message, metadata) => void captured.debug.push([message, metadata]),
      };
    }

    it("does not reach the logger from a duplicate key", async () => {
      const adapter = PostgresAdapter(postgres.pool);
      const { sessionToken, userId, expires } = await legacySession(adapter);
      // The same row written twice — an import of next-auth's sessions run again, say.
      const violation: unknown = await Promise.resolve(adapter.createSession!({ sessionToken, userId, expires })).then(
        () => null,
        (error: unknown) => error,
      );
      expect(violation, "control: PostgreSQL quoted the token").toMatchObject({ code: "23505", detail: `Key ("sessionToken")=(${sessionToken}) already exists.` });

      const captured: Captured = { errors: [], warnings: [], debug: [] };
      const logger = createLogger({ debug: true, logger: capture(captured) });
      logger.error(new AdapterError("importing the next-auth sessions failed", { cause: violation }));
      logger.debug("import stopped", { error: violation, row: { userId, expires } });

      const logged = causes(captured.errors[0]).find((error): error is Error & { detail: string } => error instanceof Error && "detail" in error);
      expect(logged?.detail).toBe(`Key ("sessionToken")=([redacted]) already exists.`);
      expect(logText(captured)).not.toContain(sessionToken);
      expect(captured.debug[0]?.[1], "the user id is kept").toMatchObject({ row: { userId } });
    });

    it("does not reach the logger when moving the row to its hashed key cannot delete it (foreign key)", async () => {
      // An app table pointing at session rows (devices, push subscriptions): the old row cannot go.
      await postgres.pool.query(`CREATE TABLE session_devices (device TEXT PRIMARY KEY, "sessionToken" VARCHAR(255) NOT NULL REFERENCES sessions ("sessionToken"))`);
      const base = PostgresAdapter(postgres.pool);
      const raw: unknown[] = [];
      const adapter: Adapter = {
        ...base,
        // Keeps what PostgreSQL threw, before latch redacts it: the control below.
        deleteSession: async (key: string): Promise<void> => {
          try {
            await base.deleteSession!(key);
          } catch (error) {
            raw.push(error);
            throw error;
          }
        },
      };
      const { sessionToken } = await legacySession(adapter);
      await postgres.pool.query("INSERT INTO session_devices (device, \"sessionToken\") VALUES ('laptop', $1)", [sessionToken]);

      const captured: Captured = { errors: [], warnings: [], debug: [] };
      const config: AuthConfig = {
        secret: SECRET,
        trustHost: true,
        debug: true,
        adapter,
        providers: [OIDC({ id: "local", name: "Local", issuer: idp.issuer, clientId: "latch-redact", clientSecret: CLIENT_SECRET })],
        logger: capture(captured),
      };
      const client = new EngineClient(ORIGIN, config);
      client.jar.set(SESSION_COOKIE, sessionToken);
      expect(await client.session(), "the session survives the failed move").toMatchObject({ user: { name: "Legacy" } });
      expect(raw, "control: PostgreSQL quoted the token").toMatchObject([{ code: "23503", detail: `Key (sessionToken)=(${sessionToken}) is still referenced from table "session_devices".` }]);

      const refused = captured.errors.find((error) => error instanceof SessionTokenError);
      const violation = causes(refused).find((error): error is Error & { code: string; detail: string } => error instanceof Error && "code" in error && error.code === "23503");
      // Foreign-key details name the columns unquoted.
      expect(violation?.detail).toBe(`Key (sessionToken)=([redacted]) is still referenced from table "session_devices".`);
      expect(logText(captured)).not.toContain(sessionToken);
    });
  });
});
