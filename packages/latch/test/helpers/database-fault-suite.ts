/**
 * What latch must do when the database behind a network adapter fails, run against a real
 * service behind a {@link TcpProxy}: sign in through the local OpenID provider with database
 * sessions, break the network, and check every route still answers — quickly, without a 5xx,
 * without signing the user out — and that the same adapter works again once the service is back.
 */
import { loginThroughIdP, startLocalIdP, type LocalIdP } from "@latch/local-idp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Adapter } from "../../src/adapters/types.js";
import OIDC from "../../src/providers/oidc.js";
import type { AuthConfig } from "../../src/types.js";
import { EngineClient } from "./engine-client.js";
import type { TcpProxy } from "./tcp-proxy.js";

const ORIGIN = "http://127.0.0.1:3994";
const SECRET = "database-faults-secret-of-enough-length-0123456789";
const SESSION_COOKIE = "authjs.session-token";

/**
 * The longest any auth route may take while the database hangs. A request that outlives it is a
 * request the app's users see spinning; 5 s keeps the suite's wall time low.
 */
export const BOUND_MS = 5_000;

/** One backend under test: adapters reaching the service only through `proxy`. */
export interface FaultBackend {
  proxy: TcpProxy;
  /** On a driver configured as an app should: bounded connects and queries, fail-fast, reconnects. */
  adapter: Adapter;
  /** On the driver's defaults (no query timeout): shows whether latch bounds the wait itself. */
  defaultsAdapter: Adapter;
  /** The driver's error (somewhere in the logged error's cause chain) when the service is down. */
  downError: RegExp;
  /** The driver's error when the service hangs and the driver's timeout fires. */
  hungError: RegExp;
  close(): Promise<void>;
}

/** Which faults the driver's defaults leave unbounded, so latch must bound them itself. */
export interface FaultSuiteOptions {
  unboundedByDefault: readonly ("hung" | "stopped")[];
}

/** The messages and codes of an error and its causes, outermost first. */
export function causeChain(error: unknown): string[] {
  const out: string[] = [];
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    const code = "code" in current && typeof current.code === "string" ? ` [${current.code}]` : "";
    out.push(`${current.name}: ${current.message}${code}`);
  }
  return out;
}

/** Settles with `work`, or fails after `limitMs` saying that latch waited with no bound. */
export async function answeredWithin<T>(work: Promise<T>, what: string, limitMs = BOUND_MS): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${limitMs} ms — latch waits on the adapter with no bound`)), limitMs);
  });
  try {
    const value = await Promise.race([work, timeout]);
    return { value, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 50 ms until it is true; fails after `limitMs`. */
export async function eventually(check: () => Promise<boolean>, what: string, limitMs = BOUND_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: still not true after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function runDatabaseFaultSuite(name: string, setup: () => Promise<FaultBackend>, options: FaultSuiteOptions): void {
  describe(`${name}: database faults`, () => {
    let idp: LocalIdP | undefined;
    let backend: FaultBackend | undefined;
    let errors: Error[] = [];

    beforeAll(async () => {
      idp = await startLocalIdP({ clients: [{ client_id: "latch-faults", client_secret: "latch-faults-secret", redirect_uris: [`${ORIGIN}/api/auth/callback/local`] }] });
      backend = await setup();
    });
    afterEach(async () => {
      errors = [];
      if (!backend) return;
      // Requests left hanging by a failed bound finish here, not in the next test; and the
      // next test starts once both drivers have reconnected.
      await backend.proxy.heal();
      const { adapter, defaultsAdapter } = backend;
      await eventually(async () => {
        try {
          await Promise.all([adapter.getUser?.("1"), defaultsAdapter.getUser?.("1")]);
          return true;
        } catch {
          return false;
        }
      }, "the drivers reconnecting after the test");
    });
    afterAll(async () => {
      await backend?.close();
      await idp?.close();
    });

    function ready(): { idp: LocalIdP; backend: FaultBackend } {
      if (!idp || !backend) throw new Error("the suite's beforeAll failed: read its error");
      return { idp, backend };
    }

    function configFor(adapter: Adapter): AuthConfig {
      const { idp: provider } = ready();
      return {
        secret: SECRET,
        trustHost: true,
        adapter,
        providers: [OIDC({ id: "local", name: "Local", issuer: provider.issuer, clientId: "latch-faults", clientSecret: "latch-faults-secret" })],
        logger: { error: (error) => void errors.push(error) },
      };
    }

    /** Runs the sign-in up to the IdP's redirect back; the callback URL is fetched by the caller. */
    async function authorize(client: EngineClient, login = "alice"): Promise<string> {
      const csrfToken = await client.csrfToken();
      const start = await client.fetch("/api/auth/signin/local", { form: { csrfToken, callbackUrl: "/home" } });
      return loginThroughIdP(start.response.headers.get("location") ?? "", login);
    }

    async function signedIn(adapter: Adapter): Promise<{ client: EngineClient; session: unknown }> {
      const client = new EngineClient(ORIGIN, configFor(adapter));
      const callback = await client.fetch(await authorize(client));
      expect(callback.response.headers.get("location")).toBe(`${ORIGIN}/home`);
      const session = await client.session();
      expect(session).toMatchObject({ user: { email: "alice@example.test" } });
      return { client, session };
    }

    async function signOut(client: EngineClient) {
      const csrfToken = await client.csrfToken();
      return client.fetch("/api/auth/signout", { form: { csrfToken } });
    }

    function expectLogged(pattern: RegExp, about: RegExp): void {
      const chains = errors.map(causeChain);
      const match = chains.find((chain) => about.test(chain[0] ?? "") && chain.slice(1).some((line) => pattern.test(line)));
      expect(match, `a logged error about ${about} caused by ${pattern}; logged: ${JSON.stringify(chains, null, 1)}`).toBeDefined();
    }

    function expectErrorRedirect(response: Response): void {
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") ?? "");
      expect(location.origin).toBe(ORIGIN);
      expect(location.searchParams.get("error")).toBeTruthy();
    }

    it("stopped: GET /session answers null at once, keeps the cookie and logs the adapter's failure", async () => {
      const { backend: b } = ready();
      const { client } = await signedIn(b.adapter);
      const cookie = client.jar.get(SESSION_COOKIE);
      await b.proxy.stop();
      const { value, ms } = await answeredWithin(client.fetch("/api/auth/session"), "GET /session, database stopped");
      expect(value.response.status).toBe(200);
      expect(await value.response.json()).toBeNull();
      expect(value.cookies.filter((c) => c.name === SESSION_COOKIE)).toEqual([]);
      expect(client.jar.get(SESSION_COOKIE)).toBe(cookie);
      expect(ms).toBeLessThan(BOUND_MS);
      expectLogged(b.downError, /session/i);
    });

    it("stopped: a sign-in callback ends on the error page, not a 5xx", async () => {
      const { backend: b } = ready();
      const client = new EngineClient(ORIGIN, configFor(b.adapter));
      const callbackUrl = await authorize(client);
      await b.proxy.stop();
      const { value } = await answeredWithin(client.fetch(callbackUrl), "sign-in callback, database stopped");
      expectErrorRedirect(value.response);
      expect(client.jar.has(SESSION_COOKIE)).toBe(false);
      expectLogged(b.downError, /callback/i);
    });

    it("stopped: POST /signout still clears the cookie and redirects", async () => {
      const { backend: b } = ready();
      const { client } = await signedIn(b.adapter);
      await b.proxy.stop();
      const { value } = await answeredWithin(signOut(client), "POST /signout, database stopped");
      expect(value.response.status).toBe(302);
      expect(new URL(value.response.headers.get("location") ?? "").origin).toBe(ORIGIN);
      expect(value.cookies.find((c) => c.name === SESSION_COOKIE)?.attributes["max-age"]).toBe("0");
      expect(client.jar.has(SESSION_COOKIE)).toBe(false);
      expectLogged(b.downError, /sign.?out/i);
    });

    it("started again: the same adapter serves the session again, with no app restart", async () => {
      const { backend: b } = ready();
      const { client, session } = await signedIn(b.adapter);
      await b.proxy.stop();
      expect(await client.session()).toBeNull();
      await b.proxy.start();
      let latest: unknown = null;
      await eventually(async () => (latest = await client.session()) !== null, "the session after the database came back");
      expect(latest).toEqual(session);
    });

    it("slow: with latency the session is still read, just later", async () => {
      const { backend: b } = ready();
      const { client, session } = await signedIn(b.adapter);
      b.proxy.delay(150);
      const { value, ms } = await answeredWithin(client.session(), "GET /session, 150 ms latency");
      expect(value).toEqual(session);
      expect(ms).toBeGreaterThanOrEqual(150);
    });

    it("hung, with the driver's timeouts: session, sign-out and callback answer in bounded time", async () => {
      const { backend: b } = ready();
      const reader = await signedIn(b.adapter);
      const leaver = await signedIn(b.adapter);
      const newcomer = new EngineClient(ORIGIN, configFor(b.adapter));
      const callbackUrl = await authorize(newcomer, "bob");
      b.proxy.pause();
      const [session, signout, callback] = await Promise.allSettled([
        answeredWithin(reader.client.fetch("/api/auth/session"), "GET /session, database hung"),
        answeredWithin(signOut(leaver.client), "POST /signout, database hung"),
        answeredWithin(newcomer.fetch(callbackUrl), "sign-in callback, database hung"),
      ]);
      expect.soft(session.status === "fulfilled" ? await session.value.value.response.json() : session.reason).toBeNull();
      expect.soft(reader.client.jar.has(SESSION_COOKIE)).toBe(true);
      expect.soft(signout.status === "fulfilled" ? signout.value.value.response.status : signout.reason).toBe(302);
      expect.soft(leaver.client.jar.has(SESSION_COOKIE)).toBe(false);
      if (callback.status === "fulfilled") expectErrorRedirect(callback.value.value.response);
      else expect.soft(callback.reason).toBeUndefined();
      expectLogged(b.hungError, /session/i);
    });

    for (const fault of options.unboundedByDefault) {
      it(`${fault}, on the driver's defaults: latch still answers GET /session and POST /signout in bounded time`, async () => {
        const { backend: b } = ready();
        const reader = await signedIn(b.defaultsAdapter);
        const leaver = await signedIn(b.defaultsAdapter);
        if (fault === "hung") b.proxy.pause();
        else await b.proxy.stop();
        const [session, signout] = await Promise.allSettled([
          answeredWithin(reader.client.fetch("/api/auth/session"), `GET /session, database ${fault}, driver defaults`),
          answeredWithin(signOut(leaver.client), `POST /signout, database ${fault}, driver defaults`),
        ]);
        expect.soft(session.status === "fulfilled" ? await session.value.value.response.json() : String(session.reason)).toBeNull();
        expect.soft(reader.client.jar.has(SESSION_COOKIE)).toBe(true);
        expect.soft(signout.status === "fulfilled" ? signout.value.value.response.status : String(signout.reason)).toBe(302);
      });
    }
  });
}
