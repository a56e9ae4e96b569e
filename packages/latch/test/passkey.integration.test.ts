/**
 * Passkeys end to end through the engine, with the SQLite adapter, @simplewebauthn/server, and a
 * stand-in authenticator that builds real WebAuthn responses (test/helpers/standin-authenticator.ts).
 * What it shows: a new account registered with a passkey, then a usernameless sign-in with it,
 * with database and JWT sessions; the challenge sealed in a short-lived HttpOnly cookie, single
 * use even when the cookie is replayed, bound to its provider and ceremony; refusals — wrong
 * origin, wrong RP ID, no user verification, tampered signature, counter gone backwards, unknown
 * passkey, missing CSRF — as WebAuthnVerificationError on the sign-in page, never a 5xx; no
 * account takeover by registering someone's address (and such a passkey unlinked once the owner
 * proves the address by email); a signed-in user adding a second passkey;
 * the built-in page (conditional UI, inline script allowed by a nonce); configuration checks; and
 * the server action that says where passkeys run.
 */
import { Script } from "node:vm";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { InvalidProvider } from "../src/errors.js";
import { decode } from "../src/jwt.js";
import NextAuth from "../src/next/index.js";
import Credentials from "../src/providers/credentials.js";
import Email from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import Passkey from "../src/providers/passkey.js";
import type { AuthConfig, WebAuthnUserConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { FLAGS, StandinAuthenticator, type Bend, type CreationOptionsJSON, type RequestOptionsJSON } from "./helpers/standin-authenticator.js";

// Server actions run against stand-ins for next/headers and next/navigation.
const next = vi.hoisted(() => ({ headers: new Headers(), cookies: new Map<string, string>() }));
vi.mock("next/headers", () => ({
  headers: async () => next.headers,
  cookies: async () => ({
    get: (name: string) => (next.cookies.has(name) ? { name, value: next.cookies.get(name) } : undefined),
    getAll: () => [...next.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void next.cookies.set(name, value),
  }),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new Error(`NEXT_REDIRECT ${url}`);
  },
}));

// AUTH_URL is the site's public URL: the expected origin, and its hostname the RP ID.
const ORIGIN = "https://app.test";
const SECRET = "passkey-test-secret-of-enough-length-0123456789abcdef";
const CHALLENGE_COOKIE = "__Secure-authjs.challenge";
const SESSION_COOKIE = "__Secure-authjs.session-token";
const REFUSED = `${ORIGIN}/api/auth/signin?error=WebAuthnVerificationError`;
const DONE = `${ORIGIN}/dashboard`;

beforeAll(() => {
  vi.stubEnv("AUTH_URL", ORIGIN);
});

afterAll(() => {
  vi.unstubAllEnvs();
});

interface SetupOptions {
  strategy?: "jwt" | "database";
  passkey?: WebAuthnUserConfig;
  extra?: Partial<AuthConfig>;
}

function setup(options: SetupOptions = {}) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  const errors: Error[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter,
    providers: [Passkey(options.passkey ?? {})],
    session: { strategy: options.strategy ?? "database" },
    logger: { error: (error) => void errors.push(error), warn: () => undefined },
    ...options.extra,
  };
  const rows = <T>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as T[];
  return { db, adapter, config, errors, rows, client: () => new EngineClient(ORIGIN, config) };
}

/** `GET /webauthn-options/:id`: the answer, its JSON body and the cookies it set. */
async function fetchOptions(client: EngineClient, action: string, query: Record<string, string> = {}, provider = "passkey") {
  const { response, cookies } = await client.fetch(`/api/auth/webauthn-options/${provider}?${new URLSearchParams({ action, ...query })}`);
  const body = (await response.json()) as { action?: string; options?: CreationOptionsJSON & RequestOptionsJSON; error?: string; message?: string };
  return { response, body, cookies };
}

/** `POST /callback/:id` as the built-in page does: a form with the CSRF token and the credential as JSON text. */
async function postCredential(client: EngineClient, action: string, credential: unknown, provider = "passkey") {
  const csrfToken = await client.csrfToken();
  return client.fetch(`/api/auth/callback/${provider}`, { form: { csrfToken, action, data: JSON.stringify(credential), callbackUrl: `${ORIGIN}/dashboard` } });
}

/** Registers a new account (or, signed in, a new passkey) and returns the callback's answer. */
async function register(client: EngineClient, device: StandinAuthenticator, email?: string, bend: Bend = {}) {
  const { body } = await fetchOptions(client, "register", email ? { email } : {});
  if (!body.options) throw new Error(`no registration options: ${JSON.stringify(body)}`);
  return postCredential(client, "register", device.register(body.options, bend));
}

/** Signs in with the device's passkey (usernameless) and returns the callback's answer. */
async function authenticate(client: EngineClient, device: StandinAuthenticator, bend: Bend = {}, credentialId?: string) {
  const { body } = await fetchOptions(client, "authenticate");
  if (!body.options) throw new Error(`no authentication options: ${JSON.stringify(body)}`);
  return postCredential(client, "authenticate", device.authenticate(body.options, bend, credentialId));
}

const location = (response: Response) => response.headers.get("location");

interface SessionJson {
  user?: { email?: string | null };
}

function expectRefused(answer: { response: Response }) {
  expect(answer.response.status).toBe(303);
  expect(location(answer.response)).toBe(REFUSED);
}

describe("register, then sign in with the passkey", () => {
  it.each(["database", "jwt"] as const)("with %s sessions: a new account, its passkey stored as Auth.js stores it, then a usernameless sign-in in another browser", async (strategy) => {
    const { rows, client } = setup({ strategy });
    const device = new StandinAuthenticator(ORIGIN);
    const first = client();
    const registered = await register(first, device, "Alice@Example.com");
    expect(registered.response.status).toBe(303);
    expect(location(registered.response)).toBe(`${ORIGIN}/dashboard`);
    expect(((await first.session()) as SessionJson).user?.email).toBe("alice@example.com");

    const [user] = rows<{ id: string; email: string; emailVerified: number | null }>('SELECT id, email, "emailVerified" FROM users');
    // A passkey proves nothing about the address: it stays unverified.
    expect(user).toMatchObject({ email: "alice@example.com", emailVerified: null });
    const [authenticator] = rows<{ credentialID: string; userId: string; providerAccountId: string; credentialPublicKey: string; counter: number; transports: string }>("SELECT * FROM authenticators");
    const credentialId = device.credentials[0]!.id;
    expect(authenticator).toMatchObject({
      credentialID: credentialId.toString("base64"),
      providerAccountId: credentialId.toString("base64"),
      userId: user!.id,
      credentialPublicKey: device.credentials[0]!.cosePublicKey.toString("base64"),
      counter: 0,
      transports: "internal",
    });
    expect(rows("SELECT type, provider, \"providerAccountId\", \"userId\" FROM accounts")).toEqual([{ type: "webauthn", provider: "passkey", providerAccountId: credentialId.toString("base64"), userId: user!.id }]);

    const second = client();
    const options = await fetchOptions(second, "authenticate");
    // Usernameless: no credential ids handed out.
    expect(options.body.options?.allowCredentials ?? []).toEqual([]);
    const signedIn = await postCredential(second, "authenticate", device.authenticate(options.body.options!));
    expect(signedIn.response.status).toBe(303);
    expect(location(signedIn.response)).toBe(`${ORIGIN}/dashboard`);
    expect(((await second.session()) as SessionJson).user?.email).toBe("alice@example.com");
    expect(rows<{ counter: number }>("SELECT counter FROM authenticators")[0]?.counter).toBe(1);
    if (strategy === "jwt") {
      const token = await decode({ token: second.jar.get(SESSION_COOKIE), secret: SECRET, salt: SESSION_COOKIE });
      expect(token?.sub).toBe(user!.id);
    } else {
      expect(rows("SELECT * FROM sessions")).toHaveLength(2);
    }
  });

  it("accepts the JSON body next-auth/webauthn's shape allows too ({ action, data } with data an object)", async () => {
    const { client } = setup();
    const device = new StandinAuthenticator(ORIGIN);
    await register(client(), device, "json@example.com");
    const c = client();
    const { body } = await fetchOptions(c, "authenticate");
    const csrfToken = await c.csrfToken();
    const { response } = await c.fetch("/api/auth/callback/passkey", { json: { csrfToken, action: "authenticate", data: device.authenticate(body.options!) } });
    expect(location(response)).toBe(`${ORIGIN}/`);
    expect(((await c.session()) as SessionJson).user?.email).toBe("json@example.com");
  });

  it("runs the signIn callback with the webauthn account before anything is stored, and marks a first sign-in as signUp", async () => {
    const seen: Array<{ type: string; email: string | null | undefined }> = [];
    const triggers: string[] = [];
    const { rows, client } = setup({
      strategy: "jwt",
      extra: {
        callbacks: {
          signIn: ({ user, account }) => {
            seen.push({ type: String(account?.type), email: user.email });
            return user.email !== "blocked@example.com";
          },
          jwt: ({ token, trigger }) => {
            if (trigger) triggers.push(trigger);
            return token;
          },
        },
      },
    });
    const device = new StandinAuthenticator(ORIGIN);
    const refused = await register(client(), device, "blocked@example.com");
    expect(location(refused.response)).toBe(`${ORIGIN}/api/auth/error?error=AccessDenied`);
    expect(rows("SELECT * FROM users")).toHaveLength(0);
    expect(rows("SELECT * FROM authenticators")).toHaveLength(0);
    await register(client(), device, "carol@example.com");
    await authenticate(client(), device);
    expect(seen).toEqual([
      { type: "webauthn", email: "blocked@example.com" },
      { type: "webauthn", email: "carol@example.com" },
      { type: "webauthn", email: "carol@example.com" },
    ]);
    expect(triggers).toEqual(["signUp", "signIn"]);
  });

  it("keeps working with an authenticator that reports no counter (synced passkeys report 0)", async () => {
    const { client } = setup();
    const device = new StandinAuthenticator(ORIGIN, 0);
    await register(client(), device, "synced@example.com");
    for (let i = 0; i < 3; i++) expect(location((await authenticate(client(), device)).response)).toBe(DONE);
  });
});

describe("the challenge", () => {
  it("is 32 random bytes, sealed in a short-lived HttpOnly cookie, and cleared on use", async () => {
    const { client } = setup();
    const c = client();
    const { response, body, cookies } = await fetchOptions(c, "authenticate");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
    expect(body.action).toBe("authenticate");
    expect(Buffer.from(body.options!.challenge, "base64url")).toHaveLength(32);
    expect(body.options!.rpId).toBe("app.test");
    const cookie = cookies.find((x) => x.name === CHALLENGE_COOKIE);
    expect(cookie?.attributes).toMatchObject({ httponly: true, secure: true, samesite: "Lax", path: "/", "max-age": "300" });
    // Sealed: the challenge is not readable from the cookie.
    expect(cookie?.value.split(".")).toHaveLength(5);
    expect(cookie?.value).not.toContain(body.options!.challenge);

    const again = await fetchOptions(c, "authenticate");
    expect(again.body.options!.challenge).not.toBe(body.options!.challenge);
    const used = await postCredential(c, "authenticate", { id: "AAAA", rawId: "AAAA", type: "public-key", response: {} });
    expect(used.cookies.find((x) => x.name === CHALLENGE_COOKIE)?.attributes["max-age"]).toBe("0");
    expect(c.jar.has(CHALLENGE_COOKIE)).toBe(false);
  });

  it("works once: the same response with a copy of the cookie is refused (sign-in and registration)", async () => {
    const { rows, client } = setup();
    const device = new StandinAuthenticator(ORIGIN, 0);
    const c = client();
    const regOptions = await fetchOptions(c, "register", { email: "replay@example.com" });
    const cookie = c.jar.get(CHALLENGE_COOKIE)!;
    const registration = device.register(regOptions.body.options!);
    expect(location((await postCredential(c, "register", registration)).response)).toBe(DONE);
    c.jar.set(CHALLENGE_COOKIE, cookie);
    expectRefused(await postCredential(c, "register", registration));
    expect(rows("SELECT * FROM users")).toHaveLength(1);

    const attacker = client();
    const { body } = await fetchOptions(attacker, "authenticate");
    const stolenCookie = attacker.jar.get(CHALLENGE_COOKIE)!;
    const assertion = device.authenticate(body.options!);
    expect(location((await postCredential(attacker, "authenticate", assertion)).response)).toBe(DONE);
    const replay = client();
    replay.jar.set(CHALLENGE_COOKIE, stolenCookie);
    const replayed = await postCredential(replay, "authenticate", assertion);
    expectRefused(replayed);
    expect(await replay.session()).toBeNull();
  });

  it("is refused when the cookie is missing, or was issued for another provider or another ceremony", async () => {
    const { config, client } = setup({ extra: {} });
    config.providers = [Passkey({}), Passkey({ id: "backup-key", name: "Backup key", enableConditionalUI: false })];
    const device = new StandinAuthenticator(ORIGIN);
    await register(client(), device, "bound@example.com");

    const noCookie = client();
    const { body } = await fetchOptions(noCookie, "authenticate");
    noCookie.jar.delete(CHALLENGE_COOKIE);
    expectRefused(await postCredential(noCookie, "authenticate", device.authenticate(body.options!)));

    const otherProvider = client();
    const other = await fetchOptions(otherProvider, "authenticate", {}, "backup-key");
    expectRefused(await postCredential(otherProvider, "authenticate", device.authenticate(other.body.options!)));

    const otherCeremony = client();
    const reg = await fetchOptions(otherCeremony, "register", { email: "someone@example.com" });
    expectRefused(await postCredential(otherCeremony, "authenticate", device.authenticate({ challenge: reg.body.options!.challenge, rpId: "app.test" })));

    const forged = client();
    await fetchOptions(forged, "authenticate");
    forged.jar.set(CHALLENGE_COOKIE, `${forged.jar.get(CHALLENGE_COOKIE)!.slice(0, -4)}AAAA`);
    expectRefused(await postCredential(forged, "authenticate", device.authenticate(body.options!)));
  });
});

describe("refusals: WebAuthnVerificationError on the sign-in page, no session, never a 5xx", () => {
  async function registered(strategy: "jwt" | "database" = "database", counterStep = 1) {
    const env = setup({ strategy });
    const device = new StandinAuthenticator(ORIGIN, counterStep);
    expect(location((await register(env.client(), device, "victim@example.com")).response)).toBe(DONE);
    return { ...env, device };
  }

  /** Why the last refusal happened, as @simplewebauthn said it (the cause the log shows). */
  const reason = (errors: Error[]) => {
    const last = errors.at(-1);
    expect(last?.name).toBe("WebAuthnVerificationError");
    return last?.cause instanceof Error ? last.cause.message : String(last?.message);
  };

  it.each<[string, Bend, RegExp]>([
    ["a response from another origin", { origin: "https://evil.test" }, /origin "https:\/\/evil\.test"/],
    ["a response from a look-alike origin on another port", { origin: "https://app.test:8443" }, /origin "https:\/\/app\.test:8443"/],
    ["a response for another RP ID", { rpId: "evil.test" }, /RP ID/],
    ["a response without user verification", { flags: FLAGS.UP }, /User verification required/],
    ["a response without user presence", { flags: FLAGS.UV }, /User not present/],
    ["a tampered signature", { tamperSignature: true }, /did not verify/],
    ["an answer to another challenge", { challenge: Buffer.alloc(32, 7).toString("base64url") }, /challenge/],
  ])("sign-in: %s", async (_, bend, why) => {
    const { device, client, errors } = await registered();
    const c = client();
    const answer = await authenticate(c, device, bend);
    expectRefused(answer);
    expect(await c.session()).toBeNull();
    expect(reason(errors)).toMatch(why);
  });

  it.each<[string, Bend, RegExp]>([
    ["a registration from another origin", { origin: "https://evil.test" }, /origin "https:\/\/evil\.test"/],
    ["a registration for another RP ID", { rpId: "evil.test" }, /RP ID/],
    ["a registration without user verification", { flags: FLAGS.UP | FLAGS.AT }, /User verification was required/],
  ])("registration: %s — nothing stored", async (_, bend, why) => {
    const { rows, client, errors } = setup();
    const c = client();
    expectRefused(await register(c, new StandinAuthenticator(ORIGIN), "new@example.com", bend));
    expect(reason(errors)).toMatch(why);
    expect(await c.session()).toBeNull();
    expect(rows("SELECT * FROM users")).toHaveLength(0);
    expect(rows("SELECT * FROM authenticators")).toHaveLength(0);
  });

  it("a counter that goes backwards (a cloned authenticator) is refused, and the stored counter stays", async () => {
    const { device, client, rows, errors } = await registered();
    expect(location((await authenticate(client(), device, { counter: 5 })).response)).toBe(DONE);
    expectRefused(await authenticate(client(), device, { counter: 3 }));
    expect(reason(errors)).toMatch(/counter value 3 was lower than expected 5/);
    expectRefused(await authenticate(client(), device, { counter: 5 }));
    expect(rows<{ counter: number }>("SELECT counter FROM authenticators")[0]?.counter).toBe(5);
    expect(location((await authenticate(client(), device, { counter: 6 })).response)).toBe(DONE);
  });

  it("an unknown passkey (never registered here) is refused", async () => {
    const { client, errors } = await registered();
    const stranger = new StandinAuthenticator(ORIGIN);
    // A passkey the stranger holds for this RP ID but that the site never stored.
    stranger.register({ challenge: "AAAA", rp: { id: "app.test", name: "x" }, user: { id: "AAAA", name: "x", displayName: "x" } });
    const c = client();
    expectRefused(await authenticate(c, stranger));
    expect(await c.session()).toBeNull();
    expect(reason(errors)).toBe("This passkey is not registered here.");
  });

  it("a missing CSRF token is refused before the challenge is used", async () => {
    const { device, client } = await registered();
    const c = client();
    const { body } = await fetchOptions(c, "authenticate");
    const assertion = device.authenticate(body.options!);
    const { response } = await c.fetch("/api/auth/callback/passkey", { form: { action: "authenticate", data: JSON.stringify(assertion) } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=MissingCSRF`);
    expect(location((await postCredential(c, "authenticate", assertion)).response)).toBe(DONE);
  });

  it.each<[string, Record<string, string>]>([
    ["no action", { data: "{}" }],
    ["an unknown action", { action: "delete", data: "{}" }],
    ["no data", { action: "authenticate" }],
    ["data that is not JSON", { action: "authenticate", data: "{not json" }],
    ["data that is not a credential", { action: "authenticate", data: '["x"]' }],
    ["a credential id that is not base64url", { action: "authenticate", data: '{"id":"!!!","rawId":"!!!","type":"public-key","response":{}}' }],
    ["a response with nothing in it", { action: "authenticate", data: '{"id":"AAAA","rawId":"AAAA","type":"public-key"}' }],
    ["a registration that is not one", { action: "register", data: '{"id":"AAAA","rawId":"AAAA","type":"public-key","response":{"clientDataJSON":"e30","attestationObject":"oA"}}' }],
  ])("malformed input — %s — is refused, not a 5xx", async (_, fields) => {
    const { client } = await registered();
    const c = client();
    await fetchOptions(c, fields.action === "register" ? "register" : "authenticate", fields.action === "register" ? { email: "malformed@example.com" } : {});
    const csrfToken = await c.csrfToken();
    const { response } = await c.fetch("/api/auth/callback/passkey", { form: { csrfToken, ...fields } });
    expect(response.status).toBe(303);
    expect(location(response)).toBe(REFUSED);
  });

  it("GET /callback/passkey is 405; /webauthn-options of another kind of provider is 404; an unknown action is 400", async () => {
    const { config, client } = setup();
    config.providers = [Passkey({}), GitHub({ clientId: "id", clientSecret: "secret" })];
    const c = client();
    const get = await c.fetch("/api/auth/callback/passkey");
    expect(get.response.status).toBe(405);
    expect(get.response.headers.get("allow")).toBe("POST");
    expect((await c.fetch("/api/auth/webauthn-options/github")).response.status).toBe(404);
    expect((await c.fetch("/api/auth/webauthn-options/nope")).response.status).toBe(404);
    expect((await c.fetch("/api/auth/webauthn-options/passkey", { method: "POST" })).response.status).toBe(405);
    expect((await fetchOptions(c, "delete")).response.status).toBe(400);
    // No action: an authentication, as in Auth.js when nothing says otherwise.
    expect((await c.fetch("/api/auth/webauthn-options/passkey")).response.status).toBe(200);
  });
});

describe("no account takeover through registration", () => {
  it("refuses to register an address that belongs to a user — at the options, and again at the callback", async () => {
    const { adapter, rows, client } = setup();
    await adapter.createUser!({ id: "user-owner", email: "owner@example.com", emailVerified: new Date(), name: "Owner" });
    const attacker = client();
    const refused = await fetchOptions(attacker, "register", { email: "OWNER@example.com" });
    expect(refused.response.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "WebAuthnVerificationError" });
    expect(refused.body.message).toContain("Sign in");
    expect(refused.cookies.some((c) => c.name === CHALLENGE_COOKIE)).toBe(false);

    // Two registrations of one new address race: the second finds it taken.
    const first = client();
    const second = client();
    const firstOptions = await fetchOptions(first, "register", { email: "race@example.com" });
    const secondOptions = await fetchOptions(second, "register", { email: "race@example.com" });
    expect(location((await postCredential(first, "register", new StandinAuthenticator(ORIGIN).register(firstOptions.body.options!))).response)).toBe(DONE);
    expectRefused(await postCredential(second, "register", new StandinAuthenticator(ORIGIN).register(secondOptions.body.options!)));
    expect(rows("SELECT * FROM users WHERE email = 'race@example.com'")).toHaveLength(1);
    expect(rows("SELECT * FROM authenticators")).toHaveLength(1);
  });

  it("a passkey registered with someone's address stops working once the owner proves it by email (pre-account hijacking)", async () => {
    const links: string[] = [];
    const { config, rows, client } = setup();
    config.providers = [Passkey({}), Email({ sendVerificationRequest: ({ url }) => void links.push(url) })];
    const attackerDevice = new StandinAuthenticator(ORIGIN, 0);
    expect(location((await register(client(), attackerDevice, "victim@example.com")).response)).toBe(DONE);

    // The owner signs in with a link sent to the address: the landing page, then its POST.
    const owner = client();
    const csrfToken = await owner.csrfToken();
    await owner.fetch("/api/auth/signin/email", { form: { csrfToken, email: "victim@example.com" } });
    const landing = await owner.fetch(links[0]!);
    const fields = Object.fromEntries(
      [...(await landing.response.text()).matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(([, name, value]) => [name!, value!.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))]),
    );
    await owner.fetch("/api/auth/callback/email", { form: fields });
    expect(((await owner.session()) as SessionJson).user?.email).toBe("victim@example.com");
    expect(rows("SELECT * FROM accounts WHERE type = 'webauthn'")).toHaveLength(0);

    const attacker = client();
    expectRefused(await authenticate(attacker, attackerDevice));
    expect(await attacker.session()).toBeNull();
  });

  it("limits how often one client address asks to start accounts (each answer tells whether an address has one)", async () => {
    const { adapter, client } = setup({ passkey: { rateLimit: { source: { max: 3, window: 60 } } } });
    await adapter.createUser!({ id: "user-owner", email: "owner@example.com", emailVerified: new Date(), name: "Owner" });
    const ask = (c: EngineClient, email: string, ip: string) =>
      c.fetch(`/api/auth/webauthn-options/passkey?${new URLSearchParams({ action: "register", email })}`, { headers: { "x-forwarded-for": ip } });
    const prober = client();
    for (const email of ["owner@example.com", "a@example.com", "b@example.com"]) expect((await ask(prober, email, "203.0.113.9")).response.status).not.toBe(429);
    const blocked = await ask(prober, "owner@example.com", "203.0.113.9");
    expect(blocked.response.status).toBe(429);
    expect(Number(blocked.response.headers.get("retry-after"))).toBeGreaterThan(50);
    const body = (await blocked.response.json()) as { error?: string; message?: string };
    expect(body.error).toBe("RateLimited");
    // Nothing about the address in the refusal, and no challenge to finish a ceremony with.
    expect(body.message).not.toContain("belongs");
    expect(blocked.cookies.some((c) => c.name === CHALLENGE_COOKIE)).toBe(false);
    expect((await ask(client(), "c@example.com", "203.0.113.10")).response.status).toBe(200);

    // A signed-in user adding a passkey asks about no address: not counted, not refused.
    const user = client();
    const device = new StandinAuthenticator(ORIGIN);
    const { body: options } = await fetchOptions(user, "register", { email: "d@example.com" });
    expect(location((await postCredential(user, "register", device.register(options.options!))).response)).toBe(DONE);
    for (let i = 0; i < 5; i++) expect((await ask(user, "", "203.0.113.9")).response.status).toBe(200);
  });

  it("allows 30 such answers per client address in 15 minutes by default; rateLimit: false lifts the limit", async () => {
    const asks = async (passkey: WebAuthnUserConfig, times: number) => {
      const { client } = setup({ passkey });
      const c = client();
      const statuses: number[] = [];
      for (let i = 0; i < times; i++) {
        const { response } = await c.fetch(`/api/auth/webauthn-options/passkey?action=register&email=user${i}%40example.com`, { headers: { "x-forwarded-for": "203.0.113.9" } });
        statuses.push(response.status);
      }
      return statuses;
    };
    const byDefault = await asks({}, 31);
    expect(byDefault.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(byDefault[30]).toBe(429);
    expect((await asks({ rateLimit: false }, 31)).every((status) => status === 200)).toBe(true);
  });

  it("refuses addresses that are not one plain address", async () => {
    const { client } = setup();
    for (const email of ["", "a@x.com,b@y.com", "not-an-address", "a@x.com＠evil.com"]) {
      expect((await fetchOptions(client(), "register", { email })).response.status).toBe(400);
    }
  });

  it("with registration: false, nobody signs up with a passkey, and the page offers sign-in only", async () => {
    const { client } = setup({ passkey: { registration: false } });
    const answer = await fetchOptions(client(), "register", { email: "new@example.com" });
    expect(answer.response.status).toBe(400);
    const html = await (await client().fetch("/api/auth/signin")).response.text();
    expect(html).toContain("Sign in with passkey");
    expect(html).not.toContain("Create an account with a passkey");
  });
});

describe("a signed-in user adds a passkey", () => {
  it.each(["database", "jwt"] as const)("with %s sessions: the second passkey joins the same account, and each one signs in to it", async (strategy) => {
    const { rows, client } = setup({ strategy });
    const phone = new StandinAuthenticator(ORIGIN);
    const laptop = new StandinAuthenticator(ORIGIN);
    const browser = client();
    await register(browser, phone, "dana@example.com");

    const options = await fetchOptions(browser, "register", { email: "ignored@example.com" });
    expect(options.response.status).toBe(200);
    // The user's own passkeys are excluded: one authenticator does not get two for the account.
    expect(options.body.options?.excludeCredentials?.map((c) => c.id)).toEqual([phone.credentials[0]!.id.toString("base64url")]);
    expect(options.body.options?.user.name).toBe("dana@example.com");
    expect(() => phone.register(options.body.options!)).toThrow(/excluded/);
    const added = await postCredential(browser, "register", laptop.register(options.body.options!));
    expect(location(added.response)).toBe(`${ORIGIN}/dashboard`);

    const users = rows<{ id: string }>("SELECT id FROM users");
    expect(users).toHaveLength(1);
    expect(rows<{ userId: string }>('SELECT "userId" FROM authenticators').map((r) => r.userId)).toEqual([users[0]!.id, users[0]!.id]);
    expect(rows("SELECT * FROM accounts")).toHaveLength(2);
    for (const device of [phone, laptop]) {
      const c = client();
      await authenticate(c, device);
      expect(((await c.session()) as SessionJson).user?.email).toBe("dana@example.com");
    }
  });

  it("refuses the new passkey when the user signed out between the options and the answer", async () => {
    const { rows, client } = setup();
    const browser = client();
    await register(browser, new StandinAuthenticator(ORIGIN), "erin@example.com");
    const options = await fetchOptions(browser, "register");
    browser.jar.delete(SESSION_COOKIE);
    expectRefused(await postCredential(browser, "register", new StandinAuthenticator(ORIGIN).register(options.body.options!)));
    expect(rows("SELECT * FROM authenticators")).toHaveLength(1);
  });

  it("works with registration: false (it is the user's own account)", async () => {
    const { adapter, client } = setup({ passkey: { registration: false } });
    await adapter.createUser!({ id: "user-fay", email: "fay@example.com", emailVerified: new Date() });
    const browser = client();
    // Signed in some other way: a database session for the stored user.
    await adapter.createSession!({ sessionToken: "fay-session", userId: "user-fay", expires: new Date(Date.now() + 60_000) });
    browser.jar.set(SESSION_COOKIE, "fay-session");
    const page = await (await browser.fetch("/api/auth/signin")).response.text();
    expect(page).toContain("Signed in as fay@example.com.");
    expect(page).toContain("Add a passkey to your account");
    const device = new StandinAuthenticator(ORIGIN);
    expect(location((await register(browser, device)).response)).toBe(DONE);
    const c = client();
    await authenticate(c, device);
    expect(((await c.session()) as SessionJson).user?.email).toBe("fay@example.com");
  });
});

describe("the built-in sign-in page", () => {
  it("adds a passkey section with conditional UI, and one inline script allowed by a fresh nonce; the rest of the CSP is unchanged", async () => {
    const { config, client } = setup();
    config.providers = [
      Credentials({ credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } }, authorize: () => null }),
      Passkey({}),
    ];
    const first = await client().fetch("/api/auth/signin");
    const html = await first.response.text();
    const csp = first.response.headers.get("content-security-policy")!;
    const nonce = /script-src 'nonce-([0-9a-f]{32})'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toBe(`default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; script-src 'nonce-${nonce}'; connect-src 'self'`);
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![1]).toBe(` nonce="${nonce}"`);
    // The script compiles, and uses what the page needs of WebAuthn.
    expect(() => new Script(scripts[0]![2]!)).not.toThrow();
    expect(scripts[0]![2]).toContain('mediation: "conditional"');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).toContain('autocomplete="username webauthn"');
    expect(html).toContain(`data-options="${ORIGIN}/api/auth/webauthn-options/passkey"`);
    expect(html).toContain(`action="${ORIGIN}/api/auth/callback/passkey"`);
    expect(html).toContain("Sign in with passkey");
    expect(html).toContain("Create an account with a passkey");
    // The credentials form is as before, and works without JavaScript.
    expect(html).toContain(`<form class="credentials" action="${ORIGIN}/api/auth/callback/credentials" method="POST">`);

    const second = await client().fetch("/api/auth/signin");
    expect(second.response.headers.get("content-security-policy")).not.toContain(nonce);
  });

  it("keeps pages without passkeys script-free, with the usual CSP", async () => {
    const { config, client } = setup({ strategy: "jwt" });
    config.adapter = undefined;
    config.providers = [GitHub({ clientId: "id", clientSecret: "secret" })];
    const { response } = await client().fetch("/api/auth/signin");
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
    expect(await response.text()).not.toContain("<script");
  });

  it("shows WebAuthnVerificationError with a message, and POST /signin/passkey leads to the page", async () => {
    const { client } = setup();
    const c = client();
    const html = await (await c.fetch("/api/auth/signin?error=WebAuthnVerificationError")).response.text();
    expect(html).toContain("The passkey could not be used or registered.");
    const csrfToken = await c.csrfToken();
    const { response } = await c.fetch("/api/auth/signin/passkey", { form: { csrfToken } });
    expect(response.status).toBe(303);
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?callbackUrl=${encodeURIComponent(`${ORIGIN}/`)}`);
  });
});

describe("configuration", () => {
  async function configurationError(config: AuthConfig): Promise<{ status: number; logged: string }> {
    const logged: string[] = [];
    const response = await new EngineClient(ORIGIN, { ...config, logger: { error: (error) => void logged.push(error.message), warn: () => undefined } }).fetch("/api/auth/webauthn-options/passkey");
    return { status: response.response.status, logged: logged.join("\n") };
  }

  it("needs an adapter, and names the adapter methods it lacks", async () => {
    const none = await configurationError({ secret: SECRET, providers: [Passkey({})] });
    expect(none.status).toBe(500);
    expect(none.logged).toContain('The passkey provider "passkey" needs an adapter');
    const { adapter } = setup();
    const partial = Object.fromEntries(Object.entries(adapter).filter(([name]) => name !== "getAuthenticator" && name !== "updateAuthenticatorCounter"));
    const lacking = await configurationError({ secret: SECRET, adapter: partial, session: { strategy: "jwt" }, providers: [Passkey({})] });
    expect(lacking.status).toBe(500);
    expect(lacking.logged).toContain('passkeys with "passkey" need getAuthenticator, updateAuthenticatorCounter');
  });

  it("refuses two providers that both enable conditional UI (DuplicateConditionalUI)", async () => {
    const { adapter } = setup();
    const twice = await configurationError({ secret: SECRET, adapter, providers: [Passkey({}), Passkey({ id: "other" })] });
    expect(twice.status).toBe(500);
    expect(twice.logged).toContain("both enable conditional UI");
  });

  it("says what to install when @simplewebauthn/server cannot be loaded", async () => {
    const { config } = setup();
    const missing = Passkey({
      webAuthnServer: () => Promise.reject(new Error('latch: the Passkey provider needs the "@simplewebauthn/server" package (>= 14): npm install @simplewebauthn/server')),
    });
    const answer = await configurationError({ ...config, providers: [missing] });
    expect(answer.status).toBe(500);
    expect(answer.logged).toContain("npm install @simplewebauthn/server");
  });

  it("accepts Auth.js's experimental.enableWebAuthn and needs no such flag", async () => {
    const { config, client } = setup();
    config.experimental = { enableWebAuthn: true };
    const device = new StandinAuthenticator(ORIGIN);
    expect(location((await register(client(), device, "flag@example.com")).response)).toBe(DONE);
  });
});

describe("server action signIn", () => {
  it('signIn("passkey") throws InvalidProvider saying to use the sign-in page or the browser', async () => {
    const { config } = setup();
    next.headers = new Headers({ host: "app.test" });
    next.cookies.clear();
    const { signIn } = NextAuth(config);
    const thrown = await signIn("passkey").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(InvalidProvider);
    expect((thrown as Error).message).toContain("needs the browser");
    expect((thrown as Error).message).toContain("/api/auth/signin");
  });
});
