/**
 * Edges of three of latch's defences: URL passwords holding a raw `#` or `?` are redacted whole;
 * a provider option merge ignores own `__proto__` keys (options parsed from JSON); and a passkey's
 * counter stays held within one process even when the in-memory store forgets the hold under a
 * flood of keys.
 */
import { describe, expect, it } from "vitest";
import type { AdapterAuthenticator } from "../src/adapters/types.js";
import { redact, redactString } from "../src/core/redact.js";
import { storeSignatureCounter } from "../src/core/webauthn/counter.js";
import type { WebAuthnAdapter } from "../src/core/webauthn/adapter.js";
import GitHub from "../src/providers/github.js";
import { MemoryRateLimitStore } from "../src/rate-limit/memory.js";

describe("redact: URL passwords", () => {
  it.each([
    ["#", "connect ECONNREFUSED postgres://app:hunter#42x@db.internal:5432/app", "hunter#42x"],
    ["?", "connect ECONNREFUSED postgres://app:hunter?42x@db.internal:5432/app", "hunter?42x"],
    ["# in a Redis URL without a user", "Redis error at redis://:s3cr3t#pw@cache:6379/0", "s3cr3t#pw"],
  ])("does not log a URL password holding a raw %s", (_, text, password) => {
    expect(redactString(text)).not.toContain(password);
    expect(JSON.stringify(redact({ message: text }))).not.toContain(password);
  });
});

describe("mergeProvider: an own `__proto__` key in the options", () => {
  it("does not change the merged provider's prototype (options parsed from JSON)", () => {
    // JSON.parse makes `__proto__` an own key; the old `{ ...defaults, ...options }` kept it an own
    // data property. deepMerge assigns `out["__proto__"] = …`, which swaps the prototype: the
    // provider then inherits keys the app never set on it.
    const options = JSON.parse('{"clientId":"id","__proto__":{"allowDangerousEmailAccountLinking":true}}') as Record<string, unknown>;
    const provider = GitHub(options) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(provider)).toBe(Object.prototype);
    expect(provider.allowDangerousEmailAccountLinking).toBeUndefined();
  });
});

describe("passkey counter hold in the memory rate-limit store", () => {
  it("is not evicted as a 'single hit' while held: a concurrent sign-in with the same counter is refused", async () => {
    const store = MemoryRateLimitStore({ maxKeys: 10 });
    const stored: AdapterAuthenticator = {
      credentialID: "AQIDBA==",
      userId: "u1",
      providerAccountId: "AQIDBA==",
      credentialPublicKey: "pk",
      counter: 5,
      credentialDeviceType: "singleDevice",
      credentialBackedUp: false,
      transports: null,
    };
    let counter = 5;
    let releaseFirstWrite!: () => void;
    const firstWriteGate = new Promise<void>((resolve) => (releaseFirstWrite = resolve));
    let writes = 0;
    let firstWriteStarted!: () => void;
    const firstWriteReached = new Promise<void>((resolve) => (firstWriteStarted = resolve));
    const adapter = {
      getAuthenticator: async () => ({ ...stored, counter }),
      updateAuthenticatorCounter: async (_id: string, next: number) => {
        writes += 1;
        if (writes === 1) {
          firstWriteStarted();
          await firstWriteGate;
        }
        counter = next;
        return { ...stored, counter };
      },
    } as unknown as WebAuthnAdapter;

    // Sign-in A holds the passkey and is storing counter 6.
    const first = storeSignatureCounter(store, adapter, stored, 6, () => undefined);
    await firstWriteReached;
    // Meanwhile the store fills up (throw-away names of a credentials flood, hit once each).
    for (let i = 0; i < 10; i++) await store.hit(`credentials:x:account:${i}`, 60_000);
    // Sign-in B, same counter (a cloned authenticator): must wait for A, then be refused.
    const second = storeSignatureCounter(store, adapter, stored, 6, () => undefined);
    setTimeout(releaseFirstWrite, 200);
    const results = await Promise.allSettled([first, second]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
  });
});
