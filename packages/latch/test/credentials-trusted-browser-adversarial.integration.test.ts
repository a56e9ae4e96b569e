/**
 * The trusted-browser cookie (latch.trusted) against the attacks that remained: a trusted browser
 * has its own per-address count (someone behind the same NAT cannot lock it), all of an account's
 * trusted browsers together take at most three times the limit (devices collected while a
 * password was known bring no endless guesses at the next one), and trust covers every field that
 * names the account (an organization beside the user name).
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import type { AuthConfig, CredentialsConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3962";
const SECRET = "trusted-browser-adv-secret-of-enough-length-012345678";

function config(provider: CredentialsConfig): AuthConfig {
  return { secret: SECRET, trustHost: true, providers: [provider], logger: { error: () => undefined, warn: () => undefined } };
}

async function post(client: EngineClient, form: Record<string, string>, ip = "198.51.100.1") {
  const csrfToken = await client.csrfToken();
  return client.fetch("/api/auth/callback/credentials", { form: { csrfToken, callbackUrl: `${ORIGIN}/dashboard`, ...form }, headers: { "x-forwarded-for": ip } });
}

const signedIn = (r: { response: Response }) => r.response.headers.get("location") === `${ORIGIN}/dashboard`;

describe("the trusted browser against those who share its address or once knew the password", () => {
  it("a trusted browser is not locked out by garbage attempts from someone sharing its address (NAT/CGNAT)", async () => {
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      rateLimit: { account: { max: 3, window: 60 }, source: { max: 5, window: 60 } },
      authorize: ({ email, password }) => (email === "alice@example.com" && password === "alice-password" ? { id: "alice" } : null),
    });
    const cfg = config(provider);
    const SHARED_IP = "203.0.113.7";
    const owner = new EngineClient(ORIGIN, cfg);
    expect(signedIn(await post(owner, { email: "alice@example.com", password: "alice-password" }, SHARED_IP))).toBe(true);
    // Someone else behind the same NAT sprays wrong passwords at other names until the per-address count refuses them.
    const attacker = new EngineClient(ORIGIN, cfg);
    for (let i = 0; i < 6; i++) await post(attacker, { email: `user${i}@example.com`, password: "x" }, SHARED_IP);
    // The owner's trusted browser (its own device count untouched) is refused with 429.
    const again = await post(owner, { email: "alice@example.com", password: "alice-password" }, SHARED_IP);
    expect(again.response.status).not.toBe(429);
    expect(signedIn(again)).toBe(true);
  });

  it("one who once held the password cannot mint unlimited device counts of guesses at the new one", async () => {
    let password = "old-password";
    let wrongGuesses = 0;
    const provider = Credentials({
      credentials: { email: { type: "email" }, password: { type: "password" } },
      rateLimit: { account: { max: 3, window: 60 }, source: false },
      authorize: ({ email, password: given }) => {
        if (email !== "alice@example.com") return null;
        if (given === password) return { id: "alice" };
        wrongGuesses++;
        return null;
      },
    });
    const cfg = config(provider);
    // The password leaked; the thief signs in from 10 fresh cookie jars: 10 random device ids, each with a tag.
    const devices: EngineClient[] = [];
    for (let i = 0; i < 10; i++) {
      const device = new EngineClient(ORIGIN, cfg);
      expect(signedIn(await post(device, { email: "alice@example.com", password: "old-password" }))).toBe(true);
      devices.push(device);
    }
    password = "new-password"; // the owner notices and changes it
    // The shared count of alice@ is used up (3 guesses).
    for (let i = 0; i < 4; i++) await post(new EngineClient(ORIGIN, cfg), { email: "alice@example.com", password: `g-${i}` });
    // Every minted device then guesses at the new password with its own fresh count of 3.
    for (const [d, device] of devices.entries()) for (let i = 0; i < 4; i++) await post(device, { email: "alice@example.com", password: `d${d}-${i}` });
    // Without a cap: 3 (shared) + 10 × 3 (devices) = 33 guesses in one window at an account whose
    // limit is 3. The guesses one account takes in a window stay bounded however many devices were
    // collected: the shared count, and three times the limit for all trusted browsers together.
    expect(wrongGuesses).toBeLessThanOrEqual(3 + 3 * 3);
  });
  it("trust earned at an account of one's own in another organization (same username) does not vouch for the victim's", async () => {
    // A multi-tenant form: authorize looks users up by (organization, username). The default
    // identifier is the first declared non-password field, `username`; the tag names only it.
    const accounts = new Map([
      ["acme/alice", { id: "victim", password: "victim-password" }],
      ["evil/alice", { id: "attacker", password: "attacker-password" }],
    ]);
    let victimGuesses = 0;
    const provider = Credentials({
      credentials: { username: { type: "text" }, organization: { type: "text" }, password: { type: "password" } },
      rateLimit: { account: { max: 3, window: 60 }, source: false },
      authorize: ({ username, organization, password }) => {
        const row = accounts.get(`${String(organization)}/${String(username)}`);
        if (row?.id === "victim") victimGuesses++;
        return row && row.password === password ? { id: row.id } : null;
      },
    });
    const cfg = config(provider);
    const attacker = new EngineClient(ORIGIN, cfg);
    // The attacker signs in to their own organization's `alice`.
    expect(signedIn(await post(attacker, { username: "alice", organization: "evil", password: "attacker-password" }))).toBe(true);
    // acme's alice is locked by guesses from elsewhere.
    for (let i = 0; i < 4; i++) await post(new EngineClient(ORIGIN, cfg), { username: "alice", organization: "acme", password: `g-${i}` });
    const before = victimGuesses;
    // The attacker's browser is no one special for acme's alice: refused too. Today the tag for
    // the typed `alice` vouches, and the attacker gets a fresh count (and can mint more devices).
    const more = await post(attacker, { username: "alice", organization: "acme", password: "guess-attacker" });
    expect(more.response.status).toBe(429);
    expect(victimGuesses).toBe(before);
  });
});
