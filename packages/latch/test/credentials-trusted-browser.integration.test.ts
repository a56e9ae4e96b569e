/**
 * The trusted-browser cookie (latch.trusted) against its attacks: a look-alike account of the
 * attacker's own (a case variant, a full-width one, two fields that fold alike) earns no trust
 * for the victim's name, and someone else holding a tag for the owner's name (signed in once,
 * with a password since changed) counts on their own device and cannot lock the owner's out.
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig, CredentialsConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3961";
const SECRET = "trusted-browser-secret-of-enough-length-0123456789ab";
const LIMIT = { account: { max: 3, window: 60 }, source: false } as const;

function config(provider: CredentialsConfig): AuthConfig {
  return { secret: SECRET, trustHost: true, providers: [provider], logger: { error: () => undefined, warn: () => undefined } };
}

async function post(client: EngineClient, form: Record<string, string>) {
  const csrfToken = await client.csrfToken();
  return client.fetch("/api/auth/callback/credentials", { form: { csrfToken, callbackUrl: `${ORIGIN}/dashboard`, ...form } });
}

const signedIn = (r: { response: Response }) => r.response.headers.get("location") === `${ORIGIN}/dashboard`;

describe("latch.trusted: a look-alike account of the attacker's own earns no trust for the victim's name", () => {
  it("a case variant (a case-sensitive username store: `Alice` and `alice` are two accounts) does not vouch for `alice`", async () => {
    // The app looks usernames up exactly (PostgreSQL `WHERE username = $1`): two accounts.
    const accounts = new Map([
      ["alice", { id: "victim", password: "victim-password" }],
      ["Alice", { id: "attacker", password: "attacker-password" }],
    ]);
    const guesses = { victim: 0 };
    const provider = Credentials({
      credentials: { username: { type: "text" }, password: { type: "password" } },
      rateLimit: LIMIT,
      authorize: ({ username, password }) => {
        const row = accounts.get(String(username));
        if (row?.id === "victim") guesses.victim++;
        return row && row.password === password ? { id: row.id, name: String(username) } : null;
      },
    });
    const cfg = config(provider);
    // The attacker signs in to an account of their own, `Alice`.
    const attacker = new EngineClient(ORIGIN, cfg);
    expect(signedIn(await post(attacker, { username: "Alice", password: "attacker-password" }))).toBe(true);
    // The per-account limit of `alice` is used up by guessing (from other browsers, or the attacker's botnet).
    for (let i = 0; i < 3; i++) await post(new EngineClient(ORIGIN, cfg), { username: "alice", password: `guess-${i}` });
    expect((await post(new EngineClient(ORIGIN, cfg), { username: "alice", password: "guess-x" })).response.status).toBe(429);
    const before = guesses.victim;
    // The attacker's browser is no one special for `alice`: refused too. Today the trust earned
    // at `Alice` (normalizeAccount lower-cases before trustTag) vouches for `alice`: 3 fresh guesses.
    const more = await post(attacker, { username: "alice", password: "guess-attacker" });
    expect(more.response.status).toBe(429);
    expect(guesses.victim).toBe(before);
  });

  it("a compatibility variant (full-width `ａｌｉｃｅ`, another account in a store that compares code points) does not vouch for `alice`", async () => {
    const accounts = new Map([
      ["alice", { id: "victim", password: "victim-password" }],
      ["ａｌｉｃｅ", { id: "attacker", password: "attacker-password" }],
    ]);
    const provider = Credentials({
      credentials: { username: { type: "text" }, password: { type: "password" } },
      rateLimit: LIMIT,
      authorize: ({ username, password }) => {
        const row = accounts.get(String(username));
        return row && row.password === password ? { id: row.id } : null;
      },
    });
    const cfg = config(provider);
    const attacker = new EngineClient(ORIGIN, cfg);
    expect(signedIn(await post(attacker, { username: "ａｌｉｃｅ", password: "attacker-password" }))).toBe(true);
    for (let i = 0; i < 4; i++) await post(new EngineClient(ORIGIN, cfg), { username: "alice", password: `guess-${i}` });
    expect((await post(attacker, { username: "alice", password: "guess-attacker" })).response.status).toBe(429);
  });

  it("a request with two spellings that fold alike (`email` naming the victim, `username` the attacker's `alicé@`) earns no trust for the victim", async () => {
    // The app's own form (no declared fields) posts `username`; authorize reads `username`.
    const accounts = new Map([
      ["alice@example.com", { id: "victim", password: "victim-password" }],
      ["alicé@example.com", { id: "attacker", password: "attacker-password" }],
    ]);
    const provider = Credentials({
      rateLimit: LIMIT,
      authorize: ({ username, password }) => {
        const row = accounts.get(String(username));
        return row && row.password === password ? { id: row.id } : null;
      },
    });
    const cfg = config(provider);
    const attacker = new EngineClient(ORIGIN, cfg);
    // `email` comes first among the conventional fields; `username` folds to the same name and is
    // skipped, so accounts.length === 1 and the one tag written is the victim's.
    expect(signedIn(await post(attacker, { email: "alice@example.com", username: "alicé@example.com", password: "attacker-password" }))).toBe(true);
    for (let i = 0; i < 4; i++) await post(new EngineClient(ORIGIN, cfg), { username: "alice@example.com", password: `guess-${i}` });
    expect((await post(attacker, { username: "alice@example.com", password: "guess-attacker" })).response.status).toBe(429);
  });
});

describe("latch.trusted: the owner's trusted browser cannot be locked out", () => {
  it("by someone else who holds a tag for the same name (one signed in once, e.g. with a password since changed): each browser counts apart", async () => {
    let password = "old-password";
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      rateLimit: LIMIT,
      authorize: ({ email, password: given }) => (email === "alice@example.com" && given === password ? { id: "alice" } : null),
    });
    const cfg = config(provider);
    // The password leaked; the thief signs in once. Alice signs in from her laptop and changes it.
    const thief = new EngineClient(ORIGIN, cfg);
    expect(signedIn(await post(thief, { email: "alice@example.com", password: "old-password" }))).toBe(true);
    const owner = new EngineClient(ORIGIN, cfg);
    expect(signedIn(await post(owner, { email: "alice@example.com", password: "old-password" }))).toBe(true);
    password = "new-password";
    // Guesses from elsewhere lock the shared count, as designed…
    for (let i = 0; i < 4; i++) await post(new EngineClient(ORIGIN, cfg), { email: "alice@example.com", password: `guess-${i}` });
    // …and the thief's old tag opens a second count of `max` guesses — the very count the
    // owner's browser uses: the tag is HMAC(name), the same in every browser, not per device.
    for (let i = 0; i < 4; i++) await post(thief, { email: "alice@example.com", password: `thief-${i}` });
    // OWASP device cookies lock out a device cookie, not the other devices: the owner signs in.
    expect(signedIn(await post(owner, { email: "alice@example.com", password: "new-password" }))).toBe(true);
  });
});
