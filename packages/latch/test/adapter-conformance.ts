/**
 * The conformance suite every latch adapter passes: Auth.js's adapter semantics, method for method,
 * plus the single-use guarantees of verification tokens (GHSA-4rxr-27mm-mxq9: match identifier AND
 * token, atomically). Call it from an adapter's test file; each test starts from a clean store when
 * `reset` is given, and uses fresh ids and emails either way. latch's own additions to the
 * interface ({@link LATCH_METHODS}) are required of every target too: a target wrapping an
 * adapter that lacks them (Auth.js's own) serves them from latch's adapter on the same store.
 *
 * @example
 * ```ts
 * runAdapterConformance("SQLiteAdapter (memory)", async () => {
 *   const db = new Database(":memory:");
 *   migrateSQLite(db);
 *   return { adapter: SQLiteAdapter(db), close: async () => void db.close() };
 * });
 * ```
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Adapter, AdapterAccount, AdapterAuthenticator, AdapterSession, AdapterUser } from "../src/adapters/types.js";

/** Where a target may differ from latch's own adapters. */
export interface ConformanceOptions {
  /**
   * What `unlinkAccount` of a passkey's account does to its authenticator: latch's adapters
   * delete it, Auth.js's keep it (latch then leaves it out of registration and sign-in).
   */
  authenticatorsOnUnlink: "deleted" | "kept";
}

/** What an adapter's test file hands the suite. */
export interface ConformanceTarget {
  adapter: Adapter;
  /** Empties the store; called before each test. */
  reset?(): Promise<void>;
  /** Releases connections, files; called once after the suite. */
  close?(): Promise<void>;
}

const methods = [
  "createUser", "getUser", "getUserByEmail", "getUserByAccount", "updateUser", "deleteUser",
  "linkAccount", "unlinkAccount", "getAccount",
  "createSession", "getSessionAndUser", "updateSession", "deleteSession",
  "createVerificationToken", "useVerificationToken",
  "createAuthenticator", "getAuthenticator", "listAuthenticatorsByUserId", "updateAuthenticatorCounter",
] as const satisfies readonly (keyof Adapter)[];

/**
 * The methods latch adds to Auth.js's interface. Every built-in adapter has them, and the suite
 * tests them on every target, never skipping.
 */
export const LATCH_METHODS = ["deleteSessionsByUserId", "listAccountsByUserId", "replaceVerificationToken"] as const satisfies readonly (keyof Adapter)[];

// Whole milliseconds: every store must keep at least that precision.
const at = (offsetMs: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + offsetMs + 123);
const HOUR = 3_600_000;

/** Optional user fields read back as null or absent, depending on the store: compare as null. */
function plainUser(user: AdapterUser | null | undefined) {
  if (!user) return user;
  return { id: user.id, email: user.email, emailVerified: user.emailVerified?.getTime() ?? null, name: user.name ?? null, image: user.image ?? null };
}

/** Optional account fields read back as null or absent: compare as absent; extra columns (ids) ignored. */
function plainAccount(account: AdapterAccount | null | undefined) {
  if (!account) return account;
  const keys = ["userId", "type", "provider", "providerAccountId", "access_token", "refresh_token", "expires_at", "id_token", "scope", "token_type", "session_state"] as const;
  return Object.fromEntries(keys.flatMap((key) => (account[key] == null ? [] : [[key, account[key]]])));
}

function plainSession(session: AdapterSession | null | undefined) {
  if (!session) return session;
  return { sessionToken: session.sessionToken, userId: session.userId, expires: session.expires.getTime() };
}

function plainAuthenticator(authenticator: AdapterAuthenticator | null | undefined) {
  if (!authenticator) return authenticator;
  const { credentialID, userId, providerAccountId, credentialPublicKey, counter, credentialDeviceType, credentialBackedUp } = authenticator;
  return { credentialID, userId, providerAccountId, credentialPublicKey, counter, credentialDeviceType, credentialBackedUp, transports: authenticator.transports ?? null };
}

/**
 * Declares a `describe(name)` block that tests all 19 methods of Auth.js's adapter interface and
 * latch's additions ({@link LATCH_METHODS}).
 *
 * @example
 * ```ts
 * runAdapterConformance("PostgresAdapter", async () => ({ adapter: PostgresAdapter(pool), reset, close }));
 * ```
 */
export function runAdapterConformance(
  name: string,
  setup: () => Promise<ConformanceTarget>,
  options: ConformanceOptions = { authenticatorsOnUnlink: "deleted" },
): void {
  describe(`${name}: adapter conformance`, () => {
    let target: ConformanceTarget | undefined;
    let a: Required<Adapter>;

    beforeAll(async () => {
      target = await setup();
      a = target.adapter as Required<Adapter>;
    });
    beforeEach(async () => {
      await target?.reset?.();
    });
    afterAll(async () => {
      await target?.close?.();
    });

    const newUser = (overrides: Partial<AdapterUser> = {}): AdapterUser => ({
      id: randomUUID(),
      email: `user-${randomUUID()}@example.com`,
      emailVerified: null,
      name: "Ada Lovelace",
      image: "https://example.com/ada.png",
      ...overrides,
    });
    const createUser = async (overrides: Partial<AdapterUser> = {}) => a.createUser(newUser(overrides));
    const newAccount = (userId: string, overrides: Partial<AdapterAccount> = {}): AdapterAccount => ({
      userId,
      type: "oidc",
      provider: "example",
      providerAccountId: randomUUID(),
      access_token: "at-" + randomUUID(),
      refresh_token: "rt-" + randomUUID(),
      expires_at: Math.floor(Date.now() / 1000) + 3600,
      id_token: "header.payload.signature",
      scope: "openid email profile",
      token_type: "bearer",
      session_state: "state-1",
      ...overrides,
    });
    const newAuthenticator = (userId: string, overrides: Partial<AdapterAuthenticator> = {}): AdapterAuthenticator => ({
      credentialID: randomUUID(),
      userId,
      providerAccountId: randomUUID(),
      credentialPublicKey: "pQECAyYgASFYIA",
      counter: 0,
      credentialDeviceType: "multiDevice",
      credentialBackedUp: true,
      transports: "internal,hybrid",
      ...overrides,
    });

    it("implements all 19 methods of Auth.js's interface", () => {
      const missing = methods.filter((method) => typeof target?.adapter[method] !== "function");
      expect(missing).toEqual([]);
    });

    it(`implements latch's additions: ${LATCH_METHODS.join(", ")}`, () => {
      const missing = LATCH_METHODS.filter((method) => typeof target?.adapter[method] !== "function");
      expect(missing).toEqual([]);
    });

    describe("users", () => {
      it("createUser returns the user with a string id; getUser, getUserByEmail find it", async () => {
        const input = newUser({ emailVerified: at(0) });
        const user = await a.createUser(input);
        expect(typeof user.id).toBe("string");
        expect(user.id).not.toBe("");
        expect(plainUser(user)).toEqual({ ...plainUser(input), id: user.id });
        expect(plainUser(await a.getUser(user.id))).toEqual(plainUser(user));
        expect(plainUser(await a.getUserByEmail(input.email))).toEqual(plainUser(user));
      });

      it("getUser, getUserByEmail of unknown values return null", async () => {
        await createUser();
        expect(await a.getUser(randomUUID())).toBeNull();
        expect(await a.getUser("not-a-uuid")).toBeNull();
        expect(await a.getUserByEmail(`nobody-${randomUUID()}@example.com`)).toBeNull();
      });

      it("round-trips emailVerified as a Date to the millisecond, and null as null", async () => {
        const verified = at(-HOUR);
        const user = await createUser({ emailVerified: verified });
        const read = await a.getUser(user.id);
        expect(read?.emailVerified).toBeInstanceOf(Date);
        expect(read?.emailVerified?.getTime()).toBe(verified.getTime());
        const unverified = await createUser({ emailVerified: null });
        expect((await a.getUser(unverified.id))?.emailVerified).toBeNull();
      });

      it("keeps unicode names and emails intact and finds users by a unicode email", async () => {
        const email = `zoë.山田-${randomUUID()}@exämple.例え`;
        const user = await createUser({ email, name: "Zoë 山田 🦊 Ñandú" });
        const found = await a.getUserByEmail(email);
        expect(found?.id).toBe(user.id);
        expect(found?.name).toBe("Zoë 山田 🦊 Ñandú");
        expect(found?.email).toBe(email);
      });

      // A profile name cut inside an emoji: JSON.stringify escapes it ("\ud83d"), and Redis's
      // cjson refuses that escape. Stores read it back as is or as U+FFFD (one per byte: SQLite).
      it("a name holding an unpaired surrogate reads back; deleteUser frees the email", async () => {
        const user = await createUser({ name: "Ada \ud83d" });
        expect((await a.getUser(user.id))?.name).toMatch(/^Ada (?:\ud83d|\ufffd+)$/);
        await a.deleteUser(user.id);
        expect(await a.getUser(user.id)).toBeNull();
        expect(await a.getUserByEmail(user.email)).toBeNull();
        expect((await createUser({ email: user.email })).email).toBe(user.email);
      });

      it("createUser with an email already in use rejects (emails are unique)", async () => {
        const user = await createUser();
        await expect(Promise.resolve().then(() => a.createUser(newUser({ email: user.email })))).rejects.toThrow();
      });

      it("updateUser changes only the given fields and returns the whole user", async () => {
        const user = await createUser({ emailVerified: null });
        const verified = at(0);
        const updated = await a.updateUser({ id: user.id, name: "Grace Hopper", emailVerified: verified });
        expect(plainUser(updated)).toEqual({ ...plainUser(user), name: "Grace Hopper", emailVerified: verified.getTime() });
        expect(plainUser(await a.getUser(user.id))).toEqual(plainUser(updated));
      });

      it("updateUser sets a field to null when given null, and can change the email", async () => {
        const user = await createUser({ emailVerified: at(0) });
        const email = `new-${randomUUID()}@example.com`;
        await a.updateUser({ id: user.id, image: null, emailVerified: null, email });
        const read = await a.getUser(user.id);
        expect(read?.image ?? null).toBeNull();
        expect(read?.emailVerified).toBeNull();
        expect(read?.email).toBe(email);
        expect(await a.getUserByEmail(user.email)).toBeNull();
        expect((await a.getUserByEmail(email))?.id).toBe(user.id);
      });

      it("updateUser of an unknown id rejects rather than inventing a user", async () => {
        await expect(Promise.resolve().then(() => a.updateUser({ id: randomUUID(), name: "Nobody" }))).rejects.toThrow();
      });

      it("deleteUser removes the user and cascades to accounts, sessions and authenticators, not to other users", async () => {
        const user = await createUser();
        const other = await createUser();
        const account = newAccount(user.id);
        await a.linkAccount(account);
        const otherAccount = newAccount(other.id);
        await a.linkAccount(otherAccount);
        const sessionToken = randomUUID();
        await a.createSession({ sessionToken, userId: user.id, expires: at(HOUR) });
        const otherSessionToken = randomUUID();
        await a.createSession({ sessionToken: otherSessionToken, userId: other.id, expires: at(HOUR) });
        const authenticator = await a.createAuthenticator(newAuthenticator(user.id));

        await a.deleteUser(user.id);

        expect(await a.getUser(user.id)).toBeNull();
        expect(await a.getUserByEmail(user.email)).toBeNull();
        expect(await a.getUserByAccount(account)).toBeNull();
        expect(await a.getAccount(account.providerAccountId, account.provider)).toBeNull();
        expect(await a.getSessionAndUser(sessionToken)).toBeNull();
        expect(await a.getAuthenticator(authenticator.credentialID)).toBeNull();
        expect(await a.listAuthenticatorsByUserId(user.id)).toEqual([]);

        expect((await a.getUser(other.id))?.id).toBe(other.id);
        expect((await a.getUserByAccount(otherAccount))?.id).toBe(other.id);
        expect((await a.getSessionAndUser(otherSessionToken))?.user.id).toBe(other.id);
      });
    });

    describe("accounts", () => {
      it("linkAccount stores every token field; getUserByAccount and getAccount find it", async () => {
        const user = await createUser();
        const account = newAccount(user.id);
        const linked = await a.linkAccount(account);
        if (linked) expect(plainAccount(linked)).toEqual(plainAccount(account));
        expect(plainUser(await a.getUserByAccount({ provider: account.provider, providerAccountId: account.providerAccountId }))).toEqual(plainUser(user));
        const read = await a.getAccount(account.providerAccountId, account.provider);
        expect(plainAccount(read)).toEqual(plainAccount(account));
        expect(typeof read?.expires_at).toBe("number");
      });

      it("listAccountsByUserId lists every account of that user, as getAccount reads them, and none after unlinkAccount", async () => {
        const user = await createUser();
        const other = await createUser();
        const github = newAccount(user.id, { type: "oauth", provider: "github" });
        const passkey: AdapterAccount = { userId: user.id, type: "webauthn", provider: "passkey", providerAccountId: randomUUID() };
        const email: AdapterAccount = { userId: user.id, type: "email", provider: "email", providerAccountId: user.email };
        for (const account of [github, passkey, email, newAccount(other.id)]) await a.linkAccount(account);
        const listed = (await a.listAccountsByUserId(user.id)).map(plainAccount);
        const sorted = (accounts: ReturnType<typeof plainAccount>[]) => accounts.map((x) => JSON.stringify(x)).sort();
        expect(sorted(listed)).toEqual(sorted([email, github, passkey].map(plainAccount)));
        await a.unlinkAccount({ provider: github.provider, providerAccountId: github.providerAccountId });
        expect((await a.listAccountsByUserId(user.id)).map((x) => x.provider).sort()).toEqual(["email", "passkey"]);
        expect(await a.listAccountsByUserId((await createUser()).id)).toEqual([]);
        await a.deleteUser(user.id);
        expect(await a.listAccountsByUserId(user.id)).toEqual([]);
      });

      it("an account without optional token fields reads back without them (not as strings)", async () => {
        const user = await createUser();
        const account: AdapterAccount = { userId: user.id, type: "email", provider: "email", providerAccountId: user.email };
        await a.linkAccount(account);
        expect(plainAccount(await a.getAccount(account.providerAccountId, "email"))).toEqual(account);
      });

      it("getUserByAccount, getAccount need provider AND providerAccountId to match; unknown → null", async () => {
        const user = await createUser();
        const account = newAccount(user.id, { provider: "github", providerAccountId: "12345" });
        await a.linkAccount(account);
        expect(await a.getUserByAccount({ provider: "gitlab", providerAccountId: "12345" })).toBeNull();
        expect(await a.getUserByAccount({ provider: "github", providerAccountId: "123456" })).toBeNull();
        expect(await a.getAccount("12345", "gitlab")).toBeNull();
        expect(await a.getAccount("54321", "github")).toBeNull();
        // The same provider account id at another provider is another account.
        const other = await createUser();
        await a.linkAccount(newAccount(other.id, { provider: "gitlab", providerAccountId: "12345" }));
        expect((await a.getUserByAccount({ provider: "github", providerAccountId: "12345" }))?.id).toBe(user.id);
        expect((await a.getUserByAccount({ provider: "gitlab", providerAccountId: "12345" }))?.id).toBe(other.id);
      });

      it("a user may link several accounts; unlinkAccount removes only the one named", async () => {
        const user = await createUser();
        const first = newAccount(user.id, { provider: "github" });
        const second = newAccount(user.id, { provider: "google" });
        await a.linkAccount(first);
        await a.linkAccount(second);
        await a.unlinkAccount({ provider: first.provider, providerAccountId: first.providerAccountId });
        expect(await a.getUserByAccount(first)).toBeNull();
        expect(await a.getAccount(first.providerAccountId, first.provider)).toBeNull();
        expect((await a.getUserByAccount(second))?.id).toBe(user.id);
        expect((await a.getUser(user.id))?.id).toBe(user.id);
      });
    });

    describe("sessions", () => {
      it("createSession returns the session; getSessionAndUser returns it with its user, expires as a Date", async () => {
        const user = await createUser({ emailVerified: at(-HOUR) });
        const session = { sessionToken: randomUUID(), userId: user.id, expires: at(30 * 24 * HOUR) };
        expect(plainSession(await a.createSession(session))).toEqual(plainSession(session));
        const found = await a.getSessionAndUser(session.sessionToken);
        expect(found?.session.expires).toBeInstanceOf(Date);
        expect(plainSession(found?.session)).toEqual(plainSession(session));
        expect(plainUser(found?.user)).toEqual(plainUser(user));
        expect(found?.user.emailVerified).toBeInstanceOf(Date);
      });

      it("getSessionAndUser of an unknown token returns null", async () => {
        const user = await createUser();
        await a.createSession({ sessionToken: randomUUID(), userId: user.id, expires: at(HOUR) });
        expect(await a.getSessionAndUser(randomUUID())).toBeNull();
        expect(await a.getSessionAndUser("")).toBeNull();
      });

      it("a user may hold several sessions, each found by its own token", async () => {
        const user = await createUser();
        const tokens = [randomUUID(), randomUUID(), randomUUID()];
        for (const sessionToken of tokens) await a.createSession({ sessionToken, userId: user.id, expires: at(HOUR) });
        for (const sessionToken of tokens) expect((await a.getSessionAndUser(sessionToken))?.session.sessionToken).toBe(sessionToken);
      });

      it("updateSession moves expires and returns the updated session", async () => {
        const user = await createUser();
        const sessionToken = randomUUID();
        await a.createSession({ sessionToken, userId: user.id, expires: at(HOUR) });
        const expires = at(48 * HOUR);
        const updated = await a.updateSession({ sessionToken, expires });
        if (updated) expect(plainSession(updated)).toEqual({ sessionToken, userId: user.id, expires: expires.getTime() });
        expect((await a.getSessionAndUser(sessionToken))?.session.expires.getTime()).toBe(expires.getTime());
      });

      it("updateSession of an unknown token returns null (or undefined), creating nothing", async () => {
        const sessionToken = randomUUID();
        expect((await a.updateSession({ sessionToken, expires: at(HOUR) })) ?? null).toBeNull();
        expect(await a.getSessionAndUser(sessionToken)).toBeNull();
      });

      it("deleteSession removes only that session; deleting an unknown token does not throw", async () => {
        const user = await createUser();
        const [gone, kept] = [randomUUID(), randomUUID()];
        await a.createSession({ sessionToken: gone, userId: user.id, expires: at(HOUR) });
        await a.createSession({ sessionToken: kept, userId: user.id, expires: at(HOUR) });
        await a.deleteSession(gone);
        expect(await a.getSessionAndUser(gone)).toBeNull();
        expect((await a.getSessionAndUser(kept))?.user.id).toBe(user.id);
        await a.deleteSession(gone);
        expect((await a.getUser(user.id))?.id).toBe(user.id);
      });

      it("deleteSessionsByUserId deletes all of that user's sessions and returns how many, leaving the user and others' sessions", async () => {
        const user = await createUser();
        const other = await createUser();
        const tokens = [randomUUID(), randomUUID(), randomUUID()];
        for (const sessionToken of tokens) await a.createSession({ sessionToken, userId: user.id, expires: at(HOUR) });
        const otherToken = randomUUID();
        await a.createSession({ sessionToken: otherToken, userId: other.id, expires: at(HOUR) });

        expect(await a.deleteSessionsByUserId(user.id)).toBe(3);

        for (const sessionToken of tokens) expect(await a.getSessionAndUser(sessionToken)).toBeNull();
        expect((await a.getSessionAndUser(otherToken))?.user.id).toBe(other.id);
        expect(plainUser(await a.getUser(user.id))).toEqual(plainUser(user));
        expect(await a.deleteSessionsByUserId(user.id)).toBe(0);
        expect((await a.getSessionAndUser(otherToken))?.user.id).toBe(other.id);
      });

      it("deleteSessionsByUserId counts only the sessions still there, and the user can sign in again after it", async () => {
        const user = await createUser();
        const [gone, kept, next] = [randomUUID(), randomUUID(), randomUUID()];
        await a.createSession({ sessionToken: gone, userId: user.id, expires: at(HOUR) });
        await a.createSession({ sessionToken: kept, userId: user.id, expires: at(HOUR) });
        await a.deleteSession(gone);
        await a.updateSession({ sessionToken: kept, expires: at(2 * HOUR) });
        expect(await a.deleteSessionsByUserId(user.id)).toBe(1);
        await a.createSession({ sessionToken: next, userId: user.id, expires: at(HOUR) });
        expect((await a.getSessionAndUser(next))?.user.id).toBe(user.id);
        expect(await a.deleteSessionsByUserId(user.id)).toBe(1);
        expect(await a.getSessionAndUser(next)).toBeNull();
      });

      it("deleteSessionsByUserId of a user without sessions, or of an unknown user, returns 0", async () => {
        const user = await createUser();
        const other = await createUser();
        const otherToken = randomUUID();
        await a.createSession({ sessionToken: otherToken, userId: other.id, expires: at(HOUR) });
        expect(await a.deleteSessionsByUserId(user.id)).toBe(0);
        expect(await a.deleteSessionsByUserId(randomUUID())).toBe(0);
        expect(await a.deleteSessionsByUserId("not-a-uuid")).toBe(0);
        expect(await a.deleteSessionsByUserId("")).toBe(0);
        expect((await a.getSessionAndUser(otherToken))?.user.id).toBe(other.id);
      });
    });

    describe("verification tokens", () => {
      const newToken = (identifier = `user-${randomUUID()}@example.com`) => ({ identifier, token: randomUUID(), expires: at(10 * 60_000) });

      it("createVerificationToken returns the token; useVerificationToken returns it once, expires as a Date", async () => {
        const token = newToken();
        const created = await a.createVerificationToken(token);
        if (created) expect({ ...created, expires: created.expires.getTime() }).toEqual({ ...token, expires: token.expires.getTime() });
        const used = await a.useVerificationToken({ identifier: token.identifier, token: token.token });
        expect(used?.expires).toBeInstanceOf(Date);
        expect(used && { ...used, expires: used.expires.getTime() }).toEqual({ ...token, expires: token.expires.getTime() });
        expect(await a.useVerificationToken({ identifier: token.identifier, token: token.token })).toBeNull();
      });

      it("useVerificationToken of an unknown token returns null", async () => {
        await a.createVerificationToken(newToken());
        expect(await a.useVerificationToken({ identifier: `x-${randomUUID()}@example.com`, token: randomUUID() })).toBeNull();
      });

      it("a wrong identifier with the right token returns null AND leaves the token usable (GHSA-4rxr-27mm-mxq9)", async () => {
        const token = newToken("victim@example.com");
        await a.createVerificationToken(token);
        expect(await a.useVerificationToken({ identifier: "attacker@example.com", token: token.token })).toBeNull();
        expect((await a.useVerificationToken({ identifier: token.identifier, token: token.token }))?.token).toBe(token.token);
      });

      it("the right identifier with a wrong token returns null and burns nothing", async () => {
        const token = newToken();
        await a.createVerificationToken(token);
        expect(await a.useVerificationToken({ identifier: token.identifier, token: randomUUID() })).toBeNull();
        expect((await a.useVerificationToken(token))?.identifier).toBe(token.identifier);
      });

      it("several tokens for one identifier: using one leaves the others", async () => {
        const identifier = `user-${randomUUID()}@example.com`;
        const first = newToken(identifier);
        const second = newToken(identifier);
        await a.createVerificationToken(first);
        await a.createVerificationToken(second);
        expect((await a.useVerificationToken(first))?.token).toBe(first.token);
        expect((await a.useVerificationToken(second))?.token).toBe(second.token);
      });

      // Auth.js rejects both answers: SQL stores hand the row back and the caller sees the expiry,
      // stores with TTLs (Redis) have already dropped it.
      it("an expired token comes back with its past expiry or not at all, and never twice", async () => {
        const token = { ...newToken(), expires: at(-HOUR) };
        await a.createVerificationToken(token);
        const used = await a.useVerificationToken(token);
        if (used !== null) expect(used.expires.getTime()).toBe(token.expires.getTime());
        expect(await a.useVerificationToken(token)).toBeNull();
      });

      it("replaceVerificationToken stores the token and deletes the identifier's others, created either way, and no one else's", async () => {
        const identifier = `user-${randomUUID()}@example.com`;
        const [linked, earlier, newest] = [newToken(identifier), newToken(identifier), newToken(identifier)];
        const someoneElses = newToken();
        await a.createVerificationToken(linked);
        await a.replaceVerificationToken(earlier);
        await a.createVerificationToken(someoneElses);
        const returned = await a.replaceVerificationToken(newest);
        if (returned) expect({ ...returned, expires: returned.expires.getTime() }).toEqual({ ...newest, expires: newest.expires.getTime() });
        expect(await a.useVerificationToken(linked)).toBeNull();
        expect(await a.useVerificationToken(earlier)).toBeNull();
        expect((await a.useVerificationToken(newest))?.token).toBe(newest.token);
        expect((await a.useVerificationToken(someoneElses))?.token).toBe(someoneElses.token);
      });

      it("replaceVerificationToken leaves a token that works once, expires as a Date, and lets the next create add beside it", async () => {
        const identifier = `user-${randomUUID()}@example.com`;
        const code = newToken(identifier);
        await a.replaceVerificationToken(code);
        const link = newToken(identifier);
        await a.createVerificationToken(link);
        const used = await a.useVerificationToken(code);
        expect(used?.expires).toBeInstanceOf(Date);
        expect(used?.expires.getTime()).toBe(code.expires.getTime());
        expect(await a.useVerificationToken(code)).toBeNull();
        expect((await a.useVerificationToken(link))?.token).toBe(link.token);
      });

      it("replaceVerificationToken with the token already live keeps it, with the new expiry, and the next replace still retires it", async () => {
        const identifier = `user-${randomUUID()}@example.com`;
        const code = newToken(identifier);
        await a.replaceVerificationToken(code);
        const again = { ...code, expires: at(20 * 60_000) };
        await a.replaceVerificationToken(again);
        const newer = newToken(identifier);
        await a.replaceVerificationToken(newer);
        expect(await a.useVerificationToken(code)).toBeNull();
        expect((await a.useVerificationToken(newer))?.token).toBe(newer.token);
        const repeated = newToken(identifier);
        await a.replaceVerificationToken(repeated);
        await a.replaceVerificationToken({ ...repeated, expires: at(20 * 60_000) });
        expect((await a.useVerificationToken(repeated))?.expires.getTime()).toBe(at(20 * 60_000).getTime());
      });

      it("20 concurrent uses of one token: exactly one succeeds", async () => {
        const token = newToken();
        await a.createVerificationToken(token);
        const results = await Promise.all(
          Array.from({ length: 20 }, () => Promise.resolve().then(() => a.useVerificationToken({ identifier: token.identifier, token: token.token }))),
        );
        expect(results.filter((result) => result !== null)).toHaveLength(1);
      });
    });

    describe("authenticators", () => {
      it("createAuthenticator returns it; getAuthenticator finds it with counter a number, credentialBackedUp a boolean", async () => {
        const user = await createUser();
        const authenticator = newAuthenticator(user.id, { counter: 7 });
        expect(plainAuthenticator(await a.createAuthenticator(authenticator))).toEqual(plainAuthenticator(authenticator));
        const read = await a.getAuthenticator(authenticator.credentialID);
        expect(plainAuthenticator(read)).toEqual(plainAuthenticator(authenticator));
        expect(read?.counter).toBe(7);
        expect(read?.credentialBackedUp).toBe(true);
      });

      it("keeps credentialBackedUp false and transports absent as such", async () => {
        const user = await createUser();
        const { transports: _, ...authenticator } = newAuthenticator(user.id, { credentialBackedUp: false, credentialDeviceType: "singleDevice" });
        await a.createAuthenticator(authenticator);
        const read = await a.getAuthenticator(authenticator.credentialID);
        expect(read?.credentialBackedUp).toBe(false);
        expect(read?.transports ?? null).toBeNull();
      });

      it("getAuthenticator of an unknown id returns null; listAuthenticatorsByUserId of a user without any returns []", async () => {
        const user = await createUser();
        expect(await a.getAuthenticator(randomUUID())).toBeNull();
        expect(await a.listAuthenticatorsByUserId(user.id)).toEqual([]);
        expect(await a.listAuthenticatorsByUserId(randomUUID())).toEqual([]);
      });

      it(`unlinkAccount of a passkey's account: its authenticator is ${options.authenticatorsOnUnlink}, the user's other passkeys stay`, async () => {
        const user = await createUser();
        const [unlinked, kept] = [newAuthenticator(user.id), newAuthenticator(user.id)];
        for (const authenticator of [unlinked, kept]) {
          await a.linkAccount(newAccount(user.id, { type: "webauthn", provider: "passkey", providerAccountId: authenticator.providerAccountId, access_token: undefined, refresh_token: undefined, expires_at: undefined, id_token: undefined, scope: undefined, token_type: undefined, session_state: undefined }));
          await a.createAuthenticator(authenticator);
        }
        await a.unlinkAccount({ provider: "passkey", providerAccountId: unlinked.providerAccountId });
        const expected = options.authenticatorsOnUnlink === "deleted" ? [kept] : [unlinked, kept];
        const byId = (x: { credentialID: string }, y: { credentialID: string }) => x.credentialID.localeCompare(y.credentialID);
        expect([...(await a.listAuthenticatorsByUserId(user.id))].sort(byId).map(plainAuthenticator)).toEqual([...expected].sort(byId).map(plainAuthenticator));
        expect(plainAuthenticator(await a.getAuthenticator(unlinked.credentialID))).toEqual(options.authenticatorsOnUnlink === "deleted" ? null : plainAuthenticator(unlinked));
      });

      it("unlinkAccount of another kind of account leaves a passkey alone, even one whose id is the same", async () => {
        const user = await createUser();
        const id = `octocat-${randomUUID()}`;
        await a.linkAccount(newAccount(user.id, { provider: "corp-sso", providerAccountId: id }));
        const noTokens = { access_token: undefined, refresh_token: undefined, expires_at: undefined, id_token: undefined, scope: undefined, token_type: undefined, session_state: undefined };
        await a.linkAccount(newAccount(user.id, { type: "webauthn", provider: "passkey", providerAccountId: id, ...noTokens }));
        const passkey = await a.createAuthenticator(newAuthenticator(user.id, { credentialID: id, providerAccountId: id }));
        await a.unlinkAccount({ provider: "corp-sso", providerAccountId: id });
        expect(plainAccount(await a.getAccount(id, "passkey"))).toMatchObject({ type: "webauthn", providerAccountId: id });
        expect(plainAuthenticator(await a.getAuthenticator(id))).toEqual(plainAuthenticator(passkey));
      });

      it("listAuthenticatorsByUserId returns all of that user's and none of another's", async () => {
        const user = await createUser();
        const other = await createUser();
        const mine = [newAuthenticator(user.id), newAuthenticator(user.id)];
        for (const authenticator of mine) await a.createAuthenticator(authenticator);
        await a.createAuthenticator(newAuthenticator(other.id));
        const listed = await a.listAuthenticatorsByUserId(user.id);
        const byId = (x: { credentialID: string }, y: { credentialID: string }) => x.credentialID.localeCompare(y.credentialID);
        expect([...listed].sort(byId).map(plainAuthenticator)).toEqual([...mine].sort(byId).map(plainAuthenticator));
      });

      it("updateAuthenticatorCounter stores and returns the new counter", async () => {
        const user = await createUser();
        const authenticator = await a.createAuthenticator(newAuthenticator(user.id, { counter: 1 }));
        const updated = await a.updateAuthenticatorCounter(authenticator.credentialID, 2_000_000_000);
        expect(plainAuthenticator(updated)).toEqual({ ...plainAuthenticator(authenticator), counter: 2_000_000_000 });
        expect((await a.getAuthenticator(authenticator.credentialID))?.counter).toBe(2_000_000_000);
      });

      it("updateAuthenticatorCounter of an unknown credential rejects", async () => {
        await expect(Promise.resolve().then(() => a.updateAuthenticatorCounter(randomUUID(), 5))).rejects.toThrow();
      });
    });
  });
}
