/**
 * Two `next start` instances of one build, sharing PostgreSQL (users, accounts, database
 * sessions) and Redis (JWT revocation), as two servers behind one load balancer: a session begun
 * on one is the session on the other, and ending it on one ends it on the other at its next
 * request — for database sessions (the row is deleted) and for JWT sessions (the token's `sid`
 * is revoked, or with `signOutEverywhere()` every session the user began). The app under test
 * is the fixture in e2e/apps/cluster.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type * as LatchJwt from "latch/jwt";
import pg from "pg";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { createClient } from "redis";
import { describe, expect, it } from "vitest";
import {
  buildExampleApp,
  demoClient,
  getFreePort,
  launchBrowser,
  repoRoot,
  reportOnFailure,
  startExampleApp,
  startIdP,
  storedSessionKey,
  useFixtures,
  type Cleanup,
  type ExampleApp,
  type IdP,
} from "./harness.js";

const clusterDir = path.join(repoRoot, "e2e", "apps", "cluster");
const sessionCookieName = "authjs.session-token";
const postgresUrl = process.env.LATCH_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.LATCH_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
const alice = { name: "Alice", email: "alice@example.test" } as const;
/** The IdP's access-token lifetime (seconds): short, so the tests can wait for real expiry. */
const ACCESS_TOKEN_TTL = 5;

const strategies = ["database", "jwt"] as const;
type Strategy = (typeof strategies)[number];

/** latch's session-token codec, loaded after the build so it is the code the apps run. */
type Jwt = typeof LatchJwt;

function createRedis() {
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  // Without a listener node-redis rethrows socket errors as uncaught exceptions.
  client.on("error", () => undefined);
  return client;
}
type RedisClient = ReturnType<typeof createRedis>;

/** What the whole file shares: one build, one IdP, and one namespace in each store. */
interface Shared {
  browser: Browser;
  idp: IdP;
  jwt: Jwt;
  /** The AUTH_SECRET of every instance: the cluster signs and reads one kind of cookie. */
  secret: string;
  /** A fresh PostgreSQL schema the instances (and `db`) work in, dropped at the end. */
  schema: string;
  db: pg.Pool;
  /** A fresh Redis key prefix the instances' revocation store uses, deleted at the end. */
  prefix: string;
  redis: RedisClient;
  /** Two ports per strategy, chosen before the IdP starts because it must know the redirect URIs. */
  ports: Record<Strategy, readonly [number, number]>;
}

/** What the cluster's admin route (app/api/admin/revoke) takes as its bearer key. */
const ADMIN_KEY = randomBytes(24).toString("base64url");

/** A strategy's two instances of the one build. */
interface Pair {
  a: ExampleApp;
  b: ExampleApp;
}

/** Each strategy's instances, as its `describe` starts them (see {@link startPair}). */
const pairs: Partial<Record<Strategy, () => Pair>> = {};

/** The fixtures of one strategy; throws the file's setup failure, else the strategy's (see {@link useFixtures}). */
function use(strategy: Strategy): Shared & Pair {
  const shared = useShared();
  const pair = pairs[strategy];
  if (pair === undefined) throw new Error(`e2e: the cluster fixtures (${strategy}) were not started`);
  return { ...shared, ...pair() };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Distinct free ports: the OS may hand the same one out twice once it is closed again. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await getFreePort());
  return [...ports];
}

/** The file's fixtures: a failed setup (a broken build, a missing Chromium, an unreachable PostgreSQL) fails every test with the reason. */
const useShared = useFixtures(async (cleanup): Promise<Shared> => {
  // The browser and the stores first: what is missing should fail in a second, not after a build.
  const browser = cleanup.add(await launchBrowser());
  const schema = `latch_e2e_cluster_${randomBytes(6).toString("hex")}`;
  const db = new pg.Pool({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000, options: `-c search_path=${schema}` });
  cleanup.defer(() => db.end());
  try {
    await db.query(`CREATE SCHEMA ${schema}`);
  } catch (error) {
    throw new Error(`e2e: PostgreSQL is not usable at ${postgresUrl} (start it, or set LATCH_TEST_POSTGRES_URL): ${asError(error).message}`, { cause: error });
  }
  // The namespaces go even when a test failed; the instances are already stopped (each describe's afterAll).
  cleanup.defer(() => db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  const redis = createRedis();
  try {
    await redis.connect();
  } catch (error) {
    throw new Error(`e2e: Redis is not reachable at ${redisUrl} (start it, or set LATCH_TEST_REDIS_URL): ${asError(error).message}`, { cause: error });
  }
  cleanup.defer(() => {
    if (redis.isOpen) redis.destroy();
  });
  const prefix = `latch_e2e_cluster:${randomBytes(6).toString("hex")}:`;
  cleanup.defer(async () => {
    if (!redis.isOpen) return;
    let cursor = "0";
    do {
      // SCAN, never KEYS: the server may be shared. The prefix has no glob characters.
      const reply = await redis.scan(cursor, { MATCH: `${prefix}*`, COUNT: 500 });
      cursor = String(reply.cursor);
      if (reply.keys.length > 0) await redis.unlink(reply.keys);
    } while (cursor !== "0");
  });

  await buildExampleApp(clusterDir);
  const jwt = await import("latch/jwt");
  const secret = randomBytes(33).toString("base64");
  const [dbA, dbB, jwtA, jwtB] = await distinctFreePorts(4);
  if (dbA === undefined || dbB === undefined || jwtA === undefined || jwtB === undefined) throw new Error("e2e: could not pick four ports");
  const ports = { database: [dbA, dbB], jwt: [jwtA, jwtB] } as const;
  const idp = cleanup.add(
    await startIdP({
      redirectUris: [dbA, dbB, jwtA, jwtB].map((port) => `http://127.0.0.1:${port}/api/auth/callback/local`),
      ttl: { AccessToken: ACCESS_TOKEN_TTL },
    }),
  );
  return { browser, idp, jwt, secret, schema, db, prefix, redis, ports };
});

/**
 * Starts instances A and B of `strategy` together — both migrate the shared schema at startup,
 * at the same time — with one AUTH_SECRET, one schema and one Redis prefix; only AUTH_URL differs.
 */
async function startPair(strategy: Strategy, cleanup: Cleanup): Promise<Pair> {
  const { idp, secret, schema, prefix, ports } = useShared();
  const start = (name: string, port: number): Promise<ExampleApp> =>
    startExampleApp({
      appDir: clusterDir,
      port,
      env: {
        AUTH_URL: `http://127.0.0.1:${port}`,
        AUTH_SECRET: secret,
        AUTH_LOCAL_ISSUER: idp.issuer,
        AUTH_LOCAL_SECRET: demoClient.clientSecret,
        CLUSTER_DATABASE_URL: postgresUrl,
        CLUSTER_PG_SCHEMA: schema,
        CLUSTER_REDIS_URL: redisUrl,
        CLUSTER_REDIS_PREFIX: prefix,
        CLUSTER_STRATEGY: strategy,
        CLUSTER_INSTANCE: `${strategy} ${name}`,
        CLUSTER_ADMIN_KEY: ADMIN_KEY,
      },
    });
  const started = await Promise.allSettled([start("A", ports[strategy][0]), start("B", ports[strategy][1])]);
  const [a, b] = started;
  if (a?.status === "fulfilled" && b?.status === "fulfilled") {
    cleanup.defer(() => Promise.all([a.value.close(), b.value.close()]));
    return { a: a.value, b: b.value };
  }
  for (const result of started) if (result.status === "fulfilled") await result.value.close();
  throw started.find((result) => result.status === "rejected")?.reason;
}

/** A device: a browser context of its own (its own cookies), reported on failure. */
async function openDevice(strategy: Strategy, name: string): Promise<{ context: BrowserContext; page: Page }> {
  const { browser, a, b } = use(strategy);
  const context = await browser.newContext();
  const page = await context.newPage();
  reportOnFailure(page, `cluster-${strategy}-${name}`, { [`${strategy} A`]: a, [`${strategy} B`]: b });
  return { context, page };
}

/** Waits until the page's session line (rendered by a server component with `auth()`) reads `text`. */
async function greeting(page: Page, text: string): Promise<void> {
  await page.getByTestId("page-greeting").filter({ hasText: new RegExp(`^${text}$`) }).waitFor();
}

/**
 * Signs in as Alice on `app` from its home page, through the IdP. A device the IdP already knows
 * comes straight back without its login form; the form is filled only when it shows.
 */
async function signInAsAlice(page: Page, app: ExampleApp): Promise<void> {
  await page.goto(`${app.url}/`);
  await greeting(page, "Not signed in");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  const signedIn = page.getByTestId("page-greeting").filter({ hasText: /^Signed in as Alice$/ });
  const username = page.getByLabel("Username");
  await username.or(signedIn).waitFor();
  if (await username.isVisible()) {
    await username.fill("alice");
    await page.getByRole("button", { name: "Sign in" }).click();
  }
  await page.waitForURL((url) => url.origin === app.url);
  await signedIn.waitFor();
}

/** Clicks one of the home page's sign-out buttons on `app` and waits for the signed-out page. */
async function clickSignOut(page: Page, app: ExampleApp, button: "Sign out" | "Sign out everywhere"): Promise<void> {
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.waitForURL((url) => url.origin === app.url);
  await greeting(page, "Not signed in");
}

/**
 * The device's session cookie for `app`, as a `Cookie` header and as the bare token.
 *
 * How the cookie reaches the other instance: in production A and B sit behind one load balancer
 * under one host name, so the browser sends the cookie it got from A to whichever instance
 * serves the next request. Here they listen on two ports of 127.0.0.1; browsers do not separate
 * cookies by port, so Chromium would in fact send it to B too, but the test does not lean on
 * that: it takes the cookie out of the browser and sends it to B itself, with plain fetch. That
 * also lets it replay the very cookie the browser held after A has cleared it from the browser.
 */
async function sessionCookie(context: BrowserContext, app: ExampleApp): Promise<{ header: string; token: string }> {
  const cookies = (await context.cookies(app.url)).filter((c) => c.name === sessionCookieName || c.name.startsWith(`${sessionCookieName}.`));
  expect(cookies.length, `the browser holds ${sessionCookieName}`).toBeGreaterThan(0);
  const token = cookies.find((c) => c.name === sessionCookieName)?.value;
  if (token === undefined) throw new Error(`e2e: the session cookie is chunked (${cookies.map((c) => c.name).join(", ")}); this test expects one cookie`);
  return { header: cookies.map((c) => `${c.name}=${c.value}`).join("; "), token };
}

/** GET /api/session of `app` with `cookie`: the session `auth()` sees there, or null. */
async function sessionOn(app: ExampleApp, cookie: string): Promise<unknown> {
  const response = await fetch(`${app.url}/api/session`, { headers: { cookie }, redirect: "manual" });
  const text = await response.text();
  expect(response.status, `GET ${app.url}/api/session: ${text.slice(0, 300)}`).toBe(200);
  const body: unknown = JSON.parse(text);
  if (!isRecord(body) || !("session" in body)) throw new Error(`e2e: expected { session } from ${app.url}/api/session, got ${text.slice(0, 300)}`);
  return body.session;
}

/** The database row behind a database-session cookie, counted. */
async function sessionRows(db: pg.Pool, sessionToken: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM sessions WHERE "sessionToken" = $1`, [storedSessionKey(sessionToken)]);
  return Number(rows[0]?.count ?? "NaN");
}

/** The `sid`, `sub` and `auth_time` of a JWT session cookie, decoded with the cluster's secret. */
async function tokenClaims(strategy: Strategy, token: string): Promise<{ sid: string; sub: string; authTime: number }> {
  const { jwt, secret } = use(strategy);
  const claims = await jwt.decode({ token, secret, salt: sessionCookieName });
  if (typeof claims?.sid !== "string" || typeof claims.sub !== "string" || typeof claims.auth_time !== "number") {
    throw new Error(`e2e: the session token lacks sid, sub or auth_time: ${JSON.stringify(claims && Object.keys(claims))}`);
  }
  return { sid: claims.sid, sub: claims.sub, authTime: claims.auth_time };
}

/** One `data-testid` element's text in server-rendered HTML, or undefined. */
function testIdText(html: string, id: string): string | undefined {
  return new RegExp(`data-testid="${id}">([^<]*)<`).exec(html)?.[1];
}

/** Waits until the IdP's access tokens issued before now have expired. */
async function outliveAccessTokens(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ACCESS_TOKEN_TTL * 1_000 + 500));
}

/** Revokes a refresh token (and so its grant) at the IdP, as a user removing the app's access there would. */
async function revokeAtIdP(idp: IdP, refreshToken: string): Promise<void> {
  const response = await fetch(`${idp.issuer}/token/revocation`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${demoClient.clientId}:${demoClient.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token" }),
  });
  expect(response.status, "revocation at the IdP").toBe(200);
}

/** Resolves once the whole second after the one holding `after` (ms) has begun: `auth_time` counts in seconds. */
async function nextSecondAfter(after: number): Promise<void> {
  const wait = (Math.floor(after / 1_000) + 1) * 1_000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

for (const strategy of strategies) {
  describe(`two instances sharing PostgreSQL and Redis, ${strategy} sessions (e2e/apps/cluster)`, () => {
    pairs[strategy] = useFixtures((cleanup) => startPair(strategy, cleanup), 180_000);

    it("both instances, started at once, migrated the shared schema at startup without a conflict; both serve", async () => {
      const { a, b, db } = use(strategy);
      // No request has reached latch yet (the harness only asked for /favicon.ico): on the first
      // pair, the tables come from instrumentation.ts, run by both instances at the same time.
      const { rows } = await db.query<{ version: number }>("SELECT version FROM latch_migrations ORDER BY version");
      expect(rows).toEqual([{ version: 1 }]);
      for (const app of [a, b]) {
        // The handler, not auth(): auth() fails closed to null, while a config that could not be built is a 500 here.
        const response = await fetch(`${app.url}/api/auth/session`);
        expect(response.status, `${app.url}/api/auth/session`).toBe(200);
        expect(await response.json()).toBeNull();
      }
    });

    it("a session begun on A works on B; signing out on A ends it on B at B's next request", async () => {
      const { a, b, db, redis, prefix } = use(strategy);
      const { context, page } = await openDevice(strategy, "sign-out");
      await signInAsAlice(page, a);
      const cookie = await sessionCookie(context, a);

      expect(await sessionOn(b, cookie.header), "B reads the session A began").toMatchObject({ user: alice });
      if (strategy === "database") {
        // An opaque token naming a row both instances read.
        expect(await sessionRows(db, cookie.token)).toBe(1);
      } else {
        const { sid } = await tokenClaims(strategy, cookie.token);
        expect(await redis.exists(`${prefix}sid:${sid}`), "not revoked yet").toBe(0);
      }

      await clickSignOut(page, a, "Sign out");

      // The cookie the browser held, replayed: B (and A) deny it on the next request.
      expect(await sessionOn(b, cookie.header), "B after the sign-out on A").toBeNull();
      expect(await sessionOn(a, cookie.header), "A after its own sign-out").toBeNull();
      if (strategy === "database") {
        expect(await sessionRows(db, cookie.token), "the session row is deleted").toBe(0);
      } else {
        const { sid } = await tokenClaims(strategy, cookie.token);
        expect(await redis.exists(`${prefix}sid:${sid}`), "the token's sid is revoked in Redis").toBe(1);
      }
      await context.close();
    });


    it("getAccessToken(): 20 server-component renders split over A and B after the IdP's token expired → one refresh at the IdP, one working token for all, the grant intact", async () => {
      const { a, b, idp } = use(strategy);
      const { context, page } = await openDevice(strategy, "provider-token");
      await signInAsAlice(page, a);
      const grantsAtStart = idp.refreshGrants.length;

      // Before expiry: the token of the sign-in, and no refresh.
      await page.goto(`${a.url}/provider-token`);
      await expect.poll(() => page.getByTestId("userinfo-status").textContent()).toBe("200");
      const signInDigest = await page.getByTestId("token-digest").textContent();
      expect(idp.refreshGrants.length).toBe(grantsAtStart);

      await outliveAccessTokens();
      // Every render is a server component calling getAccessToken() first: none can set a cookie.
      const renders = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const response = await context.request.get(`${(i % 2 === 0 ? a : b).url}/provider-token`);
          expect(response.status()).toBe(200);
          return response.text();
        }),
      );
      expect(idp.refreshGrants.slice(grantsAtStart), "refresh requests that reached the IdP").toEqual([true]);
      expect(renders.map((html) => testIdText(html, "token-state"))).toEqual(Array.from({ length: 20 }, () => "ok"));
      expect(renders.map((html) => testIdText(html, "userinfo-status")), "the IdP accepts the token in every render").toEqual(Array.from({ length: 20 }, () => "200"));
      const digests = new Set(renders.map((html) => testIdText(html, "token-digest")));
      expect(digests.size, "one token for all twenty").toBe(1);
      expect(digests.has(signInDigest ?? ""), "a new token, not the expired one").toBe(false);

      // The grant is intact (a reused rotated refresh token would have revoked it): the stored one refreshes again, on B.
      await outliveAccessTokens();
      await page.goto(`${b.url}/provider-token`);
      await expect.poll(() => page.getByTestId("userinfo-status").textContent()).toBe("200");
      expect(idp.refreshGrants.slice(grantsAtStart)).toEqual([true, true]);
      await context.close();
    });

    it("a grant revoked at the IdP shows as session.error = RefreshTokenError on both instances, with a sign-in prompt that restores access", async () => {
      const { a, b, db, idp, redis, prefix } = use(strategy);
      const { context, page } = await openDevice(strategy, "provider-token-revoked");
      await signInAsAlice(page, a);
      const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [alice.email]);
      const userId = rows[0]?.id;
      if (userId === undefined) throw new Error("e2e: Alice has no user row");
      const { RedisProviderTokenStore } = await import("latch/provider-tokens/redis");
      const store = RedisProviderTokenStore({ sendCommand: (args) => redis.sendCommand(args) }, { prefix: `${prefix}pt:` });
      const stored = await store.get(userId, "local");
      if (!stored?.refreshToken) throw new Error("e2e: the sign-in stored no refresh token");
      await page.goto(`${b.url}/provider-token`);
      await expect.poll(() => page.getByTestId("token-state").textContent()).toBe("ok");

      await revokeAtIdP(idp, stored.refreshToken);
      await outliveAccessTokens();
      const grantsBefore = idp.refreshGrants.length;
      await page.goto(`${a.url}/provider-token`);
      await expect.poll(() => page.getByTestId("token-state").textContent()).toBe("RefreshTokenError");
      await expect.poll(() => page.getByTestId("session-error").textContent()).toContain("Sign in again");
      expect(idp.refreshGrants.slice(grantsBefore), "the IdP refused the refresh once").toEqual([false]);
      // B rendered the page before the refusal and trusts that good answer for a few seconds at most.
      const seenAt = Date.now();
      await page.goto(`${b.url}/provider-token`);
      while (!(await page.getByTestId("session-error").isVisible()) && Date.now() - seenAt < 8_000) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        await page.reload();
      }
      await expect.poll(() => page.getByTestId("session-error").isVisible(), { timeout: 1_000 }).toBe(true);
      expect(idp.refreshGrants.slice(grantsBefore), "B did not ask the IdP again").toEqual([false]);

      // The prompt's button signs in again; access is back on both instances.
      await page.getByRole("button", { name: "Sign in again" }).click();
      // Back on the page the prompt was on, through the IdP (its login form only if it forgot Alice).
      const username = page.getByLabel("Username");
      const restored = page.getByTestId("token-state").filter({ hasText: /^ok$/ });
      await username.or(restored).waitFor();
      if (await username.isVisible()) {
        await username.fill("alice");
        await page.getByRole("button", { name: "Sign in" }).click();
        await restored.waitFor();
      }
      expect(new URL(page.url()).origin).toBe(b.url);
      for (const app of [a, b]) {
        await page.goto(`${app.url}/provider-token`);
        await expect.poll(() => page.getByTestId("userinfo-status").textContent()).toBe("200");
        expect(await page.getByTestId("session-error").count()).toBe(0);
      }
      await context.close();
    });

    if (strategy === "jwt") {
      it("signOutEverywhere() on A from one device ends the other device's session on B; a new sign-in works", async () => {
        const { a, b, db, redis, prefix } = use(strategy);
        const sessionRowsBefore = (await db.query("SELECT 1 FROM sessions")).rowCount;
        const laptop = await openDevice(strategy, "everywhere-laptop");
        const phone = await openDevice(strategy, "everywhere-phone");
        await signInAsAlice(laptop.page, a);
        await signInAsAlice(phone.page, a);
        const laptopCookie = await sessionCookie(laptop.context, a);
        const phoneCookie = await sessionCookie(phone.context, a);
        const laptopClaims = await tokenClaims(strategy, laptopCookie.token);
        const phoneClaims = await tokenClaims(strategy, phoneCookie.token);
        expect(phoneClaims.sid, "two devices, two sessions").not.toBe(laptopClaims.sid);
        expect(phoneClaims.sub, "one user").toBe(laptopClaims.sub);
        // JWT sessions: the adapter keeps the user, never a session row.
        expect((await db.query("SELECT 1 FROM sessions")).rowCount).toBe(sessionRowsBefore);
        expect(await sessionOn(b, phoneCookie.header)).toMatchObject({ user: alice });
        expect(await sessionOn(b, laptopCookie.header)).toMatchObject({ user: alice });

        await clickSignOut(laptop.page, a, "Sign out everywhere");
        const signedOutAt = Date.now();

        expect(await sessionOn(b, phoneCookie.header), "the phone's session on B").toBeNull();
        expect(await sessionOn(a, phoneCookie.header), "the phone's session on A").toBeNull();
        expect(await sessionOn(b, laptopCookie.header), "the laptop's own session, replayed on B").toBeNull();
        await phone.page.reload();
        await greeting(phone.page, "Not signed in");
        expect(await redis.exists(`${prefix}user:${encodeURIComponent(laptopClaims.sub)}`), "the user's cut-off is in Redis").toBe(1);

        // The cut-off is in milliseconds and auth_time in whole seconds: a sign-in within the same
        // second as signOutEverywhere() would count as begun before it.
        await nextSecondAfter(signedOutAt);
        await signInAsAlice(phone.page, a);
        const again = await sessionCookie(phone.context, a);
        expect((await tokenClaims(strategy, again.token)).sid).not.toBe(phoneClaims.sid);
        expect(await sessionOn(b, again.header), "the new session on B").toMatchObject({ user: alice });
        await signInAsAlice(laptop.page, b);
        expect(await sessionOn(a, (await sessionCookie(laptop.context, b)).header), "a sign-in on B, read on A").toMatchObject({ user: alice });
        await Promise.all([laptop.context.close(), phone.context.close()]);
      });
    }

    it("revokeUser() from an admin route on B ends the user's sessions on every device and instance; a wrong key ends nothing", async () => {
      const { a, b, db } = use(strategy);
      const laptop = await openDevice(strategy, "revoke-laptop");
      const phone = await openDevice(strategy, "revoke-phone");
      await signInAsAlice(laptop.page, a);
      await signInAsAlice(phone.page, b);
      const laptopCookie = await sessionCookie(laptop.context, a);
      const phoneCookie = await sessionCookie(phone.context, b);
      const { rows } = await db.query<{ id: string }>("SELECT id::text AS id FROM users WHERE email = $1", [alice.email]);
      const userId = rows[0]?.id;
      if (userId === undefined) throw new Error("e2e: Alice has no user row");
      const revoke = (key: string) =>
        fetch(`${b.url}/api/admin/revoke`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ userId }) });

      expect((await revoke(`${ADMIN_KEY}x`)).status).toBe(401);
      expect(await sessionOn(a, laptopCookie.header), "nothing ended by a refused call").toMatchObject({ user: alice });
      expect(await sessionOn(b, phoneCookie.header)).toMatchObject({ user: alice });

      const response = await revoke(ADMIN_KEY);
      expect(response.status, await response.text()).toBe(204);
      const revokedAt = Date.now();
      for (const [app, cookie, what] of [[a, laptopCookie, "laptop on A"], [b, laptopCookie, "laptop on B"], [a, phoneCookie, "phone on A"], [b, phoneCookie, "phone on B"]] as const) {
        expect(await sessionOn(app, cookie.header), what).toBeNull();
      }
      if (strategy === "database") expect(await sessionRows(db, phoneCookie.token), "the phone's row is deleted").toBe(0);
      await phone.page.reload();
      await greeting(phone.page, "Not signed in");

      // With JWT sessions the cut-off is in milliseconds and auth_time in whole seconds.
      await nextSecondAfter(revokedAt);
      await signInAsAlice(phone.page, a);
      expect(await sessionOn(b, (await sessionCookie(phone.context, a)).header), "a new sign-in works").toMatchObject({ user: alice });
      await Promise.all([laptop.context.close(), phone.context.close()]);
    });

    if (strategy === "database") {
      it("signOutEverywhere() on A deletes every session row of the user: the other device is denied on B", async () => {
        const { a, b, db } = use(strategy);
        const laptop = await openDevice(strategy, "everywhere-db-laptop");
        const phone = await openDevice(strategy, "everywhere-db-phone");
        await signInAsAlice(laptop.page, a);
        await signInAsAlice(phone.page, b);
        const laptopCookie = await sessionCookie(laptop.context, a);
        const phoneCookie = await sessionCookie(phone.context, b);
        expect(phoneCookie.token, "two devices, two session rows").not.toBe(laptopCookie.token);
        expect(await sessionRows(db, phoneCookie.token)).toBe(1);
        expect(await sessionOn(a, phoneCookie.header)).toMatchObject({ user: alice });

        await clickSignOut(laptop.page, a, "Sign out everywhere");

        expect(await sessionOn(b, phoneCookie.header), "the phone's session on B").toBeNull();
        expect(await sessionOn(a, laptopCookie.header), "the laptop's own session").toBeNull();
        expect(await sessionRows(db, phoneCookie.token), "the phone's row is deleted").toBe(0);
        const { rows } = await db.query<{ count: string }>('SELECT count(*) AS count FROM sessions s JOIN users u ON u.id = s."userId" WHERE u.email = $1', [alice.email]);
        expect(Number(rows[0]?.count), "no session of the user is left").toBe(0);
        await phone.page.reload();
        await greeting(phone.page, "Not signed in");
        // Unlike JWT cut-offs there is no clock involved: signing in again works at once.
        await signInAsAlice(phone.page, b);
        expect(await sessionOn(a, (await sessionCookie(phone.context, b)).header)).toMatchObject({ user: alice });
        await Promise.all([laptop.context.close(), phone.context.close()]);
      });
    }
  });
}
