/**
 * RedisAdapter against a real Redis, each run under a key prefix of its own.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisAdapter } from "../../src/adapters/redis.js";
import type { Adapter } from "../../src/adapters/types.js";
import { runAdapterConformance } from "../adapter-conformance.js";
import { deleteRedisKeys, requireRedis, type RedisClient, type RedisNamespace } from "../helpers/services.js";

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600 * 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freshRedisAdapter() {
  const ns = await requireRedis();
  return {
    ns,
    adapter: RedisAdapter(ns.client, { prefix: ns.prefix }),
    reset: () => deleteRedisKeys(ns.client, ns.prefix),
    close: () => ns.drop(),
  };
}

runAdapterConformance("RedisAdapter", freshRedisAdapter);

describe("RedisAdapter", () => {
  let ns: RedisNamespace | undefined;
  let client: RedisClient;
  let prefix: string;
  let adapter: Required<Adapter>;

  beforeAll(async () => {
    const fresh = await freshRedisAdapter();
    ({ ns } = fresh);
    ({ client, prefix } = fresh.ns);
    adapter = fresh.adapter as Required<Adapter>;
  });
  // Guarded: when beforeAll failed, its error (what is missing, how to start it) is the one to read.
  afterAll(async () => ns?.drop());

  async function keys(): Promise<string[]> {
    const found: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*` })) found.push(...batch.map((key) => key.slice(prefix.length)));
    return found.sort();
  }

  it("stores sessions and verification tokens with their expiry as the key's", async () => {
    const user = await adapter.createUser({ id: "ttl-user", email: "ttl@example.com", emailVerified: null });
    const soon = new Date(Date.now() + 1500);
    await adapter.createSession({ sessionToken: "ttl-session", userId: user.id, expires: soon });
    await adapter.createVerificationToken({ identifier: "ttl@example.com", token: "ttl-token", expires: soon });
    for (const key of ["session:ttl-session", "verification-token:ttl%40example.com:ttl-token"]) {
      const ttl = await client.pTTL(prefix + key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(1500);
    }
    expect(await client.pTTL(`${prefix}user:ttl-user`)).toBe(-1);

    await adapter.updateSession({ sessionToken: "ttl-session", expires: new Date(Date.now() + 60_000) });
    expect(await client.pTTL(`${prefix}session:ttl-session`)).toBeGreaterThan(1500);
  });

  it("indexes an address's verification tokens under a key that lives as long as its last token", async () => {
    const later = new Date(Date.now() + 60_000);
    const sooner = new Date(Date.now() + 1500);
    await adapter.createVerificationToken({ identifier: "index@example.com", token: "later", expires: later });
    await adapter.createVerificationToken({ identifier: "index@example.com", token: "sooner", expires: sooner });
    const index = `${prefix}verification-tokens:index%40example.com`;
    expect(await client.pTTL(index)).toBeGreaterThan(1500);
    expect((await client.sMembers(index)).sort()).toEqual([`${prefix}verification-token:index%40example.com:later`, `${prefix}verification-token:index%40example.com:sooner`]);
    await adapter.replaceVerificationToken?.({ identifier: "index@example.com", token: "newest", expires: sooner });
    expect(await client.sMembers(index)).toEqual([`${prefix}verification-token:index%40example.com:newest`]);
    const ttl = await client.pTTL(index);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1500);
    expect(await client.exists([`${prefix}verification-token:index%40example.com:later`, `${prefix}verification-token:index%40example.com:sooner`])).toBe(0);
  });

  it("keeps an address's index to its live tokens, however many links are asked for and used", async () => {
    const index = `${prefix}verification-tokens:busy%40example.com`;
    for (let i = 0; i < 20; i++) {
      const link = { identifier: "busy@example.com", token: `link-${i}`, expires: new Date(Date.now() + 60_000) };
      await adapter.createVerificationToken(link);
      await adapter.useVerificationToken(link);
    }
    // The last link's key is gone once used; the next write drops it from the index.
    expect(await client.sCard(index)).toBeLessThanOrEqual(1);
  });

  it("lets Redis remove them when they expire", async () => {
    const user = await adapter.createUser({ id: "expiring", email: "expiring@example.com", emailVerified: null });
    const expires = new Date(Date.now() + 150);
    await adapter.createSession({ sessionToken: "short", userId: user.id, expires });
    await adapter.createVerificationToken({ identifier: "expiring@example.com", token: "short", expires });
    expect(await adapter.getSessionAndUser("short")).not.toBeNull();
    await sleep(300);
    expect(await client.exists([`${prefix}session:short`, `${prefix}verification-token:expiring%40example.com:short`, `${prefix}verification-tokens:expiring%40example.com`])).toBe(0);
    expect(await adapter.getSessionAndUser("short")).toBeNull();
    expect(await adapter.useVerificationToken({ identifier: "expiring@example.com", token: "short" })).toBeNull();
  });

  it("revives dates and keeps the fields it was given", async () => {
    const emailVerified = new Date("2024-02-03T04:05:06.789Z");
    const user = await adapter.createUser({ id: "dates", name: "Dee", email: "dee@example.com", emailVerified, image: null });
    expect(await adapter.getUser("dates")).toEqual(user);
    expect((await adapter.getUserByEmail("dee@example.com"))?.emailVerified).toEqual(emailVerified);
    const expires = inAWeek();
    await adapter.createSession({ sessionToken: "dates-session", userId: "dates", expires });
    expect(await adapter.getSessionAndUser("dates-session")).toEqual({ session: { sessionToken: "dates-session", userId: "dates", expires }, user });
  });

  it("creates a user with a null email without an email index", async () => {
    const user = await adapter.createUser({ id: "no-email", email: null as unknown as string, emailVerified: null });
    expect(await adapter.getUser(user.id)).toEqual(user);
    expect((await keys()).filter((key) => key.startsWith("user-by-email:null"))).toEqual([]);
  });

  it("refuses a second user with the same email, and moves the email index on update", async () => {
    await adapter.createUser({ id: "first", email: "taken@example.com", emailVerified: null });
    await expect(adapter.createUser({ id: "second", email: "taken@example.com", emailVerified: null })).rejects.toThrow(/email exists/);
    await adapter.createUser({ id: "other", email: "other@example.com", emailVerified: null });
    await expect(adapter.updateUser({ id: "other", email: "taken@example.com" })).rejects.toThrow(/another user has this email/);

    await adapter.updateUser({ id: "first", email: "moved@example.com" });
    expect(await adapter.getUserByEmail("taken@example.com")).toBeNull();
    expect((await adapter.getUserByEmail("moved@example.com"))?.id).toBe("first");
    await expect(adapter.updateUser({ id: "missing", name: "x" })).rejects.toThrow(/no user/);
  });

  it("applies concurrent partial updates without losing any", async () => {
    await adapter.createUser({ id: "busy", email: "busy@example.com", emailVerified: null });
    const names = Array.from({ length: 10 }, (_, i) => `field${i}`);
    await Promise.all(names.map(async (name) => adapter.updateUser({ id: "busy", [name]: name })));
    expect(await adapter.getUser("busy")).toMatchObject(Object.fromEntries(names.map((name) => [name, name])));
  });

  it("keeps a ':' in a provider id from meeting another account's key", async () => {
    const user = await adapter.createUser({ id: "colon", email: "colon@example.com", emailVerified: null });
    await adapter.linkAccount({ userId: user.id, type: "oauth", provider: "a:b", providerAccountId: "c" });
    expect(await adapter.getAccount("b:c", "a")).toBeNull();
    expect(await adapter.getUserByAccount({ provider: "a", providerAccountId: "b:c" })).toBeNull();
    expect((await adapter.getUserByAccount({ provider: "a:b", providerAccountId: "c" }))?.id).toBe("colon");
  });

  it("deletes a user with their accounts, sessions, authenticators and indexes", async () => {
    const before = await keys();
    const user = await adapter.createUser({ id: "doomed", email: "doomed@example.com", emailVerified: null });
    await adapter.linkAccount({ userId: user.id, type: "oidc", provider: "google", providerAccountId: "doomed-g", expires_at: 1_900_000_000 });
    await adapter.linkAccount({ userId: user.id, type: "oauth", provider: "github", providerAccountId: "doomed-gh" });
    await adapter.createSession({ sessionToken: "doomed-1", userId: user.id, expires: inAWeek() });
    await adapter.createSession({ sessionToken: "doomed-2", userId: user.id, expires: inAWeek() });
    await adapter.createAuthenticator({ credentialID: "doomed-cred", userId: user.id, providerAccountId: "doomed-cred", credentialPublicKey: "pk", counter: 0, credentialBackedUp: false, credentialDeviceType: "singleDevice" });
    expect((await adapter.listAuthenticatorsByUserId(user.id)).map((a) => a.credentialID)).toEqual(["doomed-cred"]);
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    expect(await keys()).toEqual(before);
  });

  // JSON.stringify writes an unpaired surrogate (a profile name cut inside an emoji) as the escape
  // "\ud83d", which Redis's cjson refuses: a script that decoded such a record failed half-way.
  it("deletes a user whose name holds an unpaired surrogate, and frees the email", async () => {
    const email = `lone-${randomUUID()}@example.test`;
    const user = await adapter.createUser({ id: randomUUID(), email, emailVerified: null, name: "Ada \ud83d" });
    expect((await adapter.getUser(user.id))?.name).toBe("Ada \ud83d");
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    expect(await adapter.getUser(user.id)).toBeNull();
    expect((await adapter.createUser({ id: randomUUID(), email, emailVerified: null })).email).toBe(email);
  });

  it("tells an escape from escaped backslashes: frees an email holding both", async () => {
    // Stored as "\\ud83d" (a backslash, then text) and "\\\ud83d" (a backslash, then an escape).
    const email = `b\\ud83d-b\\\ud83d-${randomUUID()}@example.test`;
    const user = await adapter.createUser({ id: randomUUID(), email, emailVerified: null, name: "\udc00 \\udc00" });
    expect(await adapter.getUserByEmail(email)).toEqual(user);
    expect(await adapter.deleteUser(user.id)).toEqual(user);
    expect(await adapter.getUserByEmail(email)).toBeNull();
    expect((await keys()).filter((key) => key.includes(user.id))).toEqual([]);
  });

  it("reads and deletes sessions, accounts and authenticators whose strings hold unpaired surrogates", async () => {
    const user = await adapter.createUser({ id: `lone-${randomUUID()}`, email: `lone-${randomUUID()}@example.test`, emailVerified: null });
    const session = { sessionToken: `lone-\ud83d-${randomUUID()}`, userId: user.id, expires: inAWeek() };
    await adapter.createSession(session);
    expect(await adapter.getSessionAndUser(session.sessionToken)).toEqual({ session, user });
    expect(await adapter.deleteSession(session.sessionToken)).toEqual(session);
    expect(await client.exists(`${prefix}sessions-by-user:${user.id}`)).toBe(0);

    const passkey = { userId: user.id, type: "webauthn" as const, provider: "passkey", providerAccountId: `cred-\ud83d-${randomUUID()}`, scope: "\udfff" };
    await adapter.linkAccount(passkey);
    await adapter.createAuthenticator({ credentialID: passkey.providerAccountId, userId: user.id, providerAccountId: passkey.providerAccountId, credentialPublicKey: "pk", counter: 0, credentialBackedUp: false, credentialDeviceType: "singleDevice", transports: "\ud800" });
    expect(await adapter.unlinkAccount(passkey)).toEqual(passkey);
    expect(await adapter.listAccountsByUserId(user.id)).toEqual([]);
    expect(await adapter.listAuthenticatorsByUserId(user.id)).toEqual([]);
    expect(await client.exists([`${prefix}accounts-by-user:${user.id}`, `${prefix}authenticators-by-user:${user.id}`])).toBe(0);
  });

  it("refuses to attach records to a user that does not exist", async () => {
    await expect(adapter.createSession({ sessionToken: "orphan", userId: "ghost", expires: inAWeek() })).rejects.toThrow(/no user/);
    await expect(adapter.linkAccount({ userId: "ghost", type: "oauth", provider: "github", providerAccountId: "ghost" })).rejects.toThrow(/no user/);
  });

  it("uses a verification token once, only with its own identifier, among 20 concurrent uses", async () => {
    const expires = new Date(Date.now() + 60_000);
    await adapter.createVerificationToken({ identifier: "victim@example.com", token: "hashed-token", expires });
    expect(await adapter.useVerificationToken({ identifier: "attacker@example.com", token: "hashed-token" })).toBeNull();
    const results = await Promise.all(Array.from({ length: 20 }, async () => adapter.useVerificationToken({ identifier: "victim@example.com", token: "hashed-token" })));
    expect(results.filter((result) => result !== null)).toEqual([{ identifier: "victim@example.com", token: "hashed-token", expires }]);
  });
});
