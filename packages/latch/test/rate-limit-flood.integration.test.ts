/**
 * The in-memory rate-limit store under a flood of keys from one client: a client over its
 * per-address limit adds no other key (its own count is hit first), and a full store forgets
 * windows hit once before the climbing ones, so throw-away account names can push out neither the
 * attacker's own count nor the guesses counted against a victim's account.
 */
import { describe, expect, it } from "vitest";
import Credentials from "../src/providers/credentials.js";
import { MemoryRateLimitStore } from "../src/rate-limit/memory.js";
import type { AuthConfig } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";

const ORIGIN = "http://127.0.0.1:3988";
const SECRET = "rate-limit-flood-secret-of-enough-length-0123456789";
const quiet = { error: () => undefined, warn: () => undefined };

describe("memory rate-limit store under a key flood from one client", () => {
  it("keeps refusing a victim's account (and the attacker's address) after the attacker floods the store with throw-away names", async () => {
    let authorizeCalls = 0;
    const config: AuthConfig = {
      secret: SECRET,
      trustHost: true,
      logger: quiet,
      // The default size: 10 000 keys.
      rateLimit: { store: MemoryRateLimitStore() },
      providers: [
        Credentials({
          credentials: { email: { type: "email" }, password: { type: "password" } },
          rateLimit: { account: { max: 3, window: 900 }, source: { max: 20, window: 900 } },
          authorize: ({ email, password }) => {
            authorizeCalls += 1;
            return email === "victim@example.com" && password === "right" ? { id: "victim", email: "victim@example.com" } : null;
          },
        }),
      ],
    };
    const client = new EngineClient(ORIGIN, config);
    const csrfToken = await client.csrfToken();
    const attacker = { "x-forwarded-for": "203.0.113.9" };
    const attempt = async (email: string) => (await client.fetch("/api/auth/callback/credentials", { form: { csrfToken, email, password: "guess" }, headers: attacker })).response.status;

    // Three wrong guesses at the victim, then the account limit refuses.
    for (let i = 0; i < 3; i++) expect(await attempt("victim@example.com")).toBe(303);
    expect(await attempt("victim@example.com")).toBe(429);

    // The flood: every request is refused (the address is far over its 20), yet each inserts
    // a new account key into the store.
    for (let i = 0; i < 10_000; i++) await attempt(`junk-${i}@example.net`);
    const before = authorizeCalls;

    // Same client, same victim, same window: must still be refused.
    expect(await attempt("victim@example.com")).toBe(429);
    expect(authorizeCalls - before).toBe(0);
  }, 120_000);
});
