import { describe, expect, it } from "vitest";
import { AdapterError } from "../errors.js";
import type { Adapter, AdapterUser } from "../adapters/types.js";
import type { ProviderTokenStore } from "../provider-tokens/types.js";
import { limitAdapter, limitProviderTokens } from "./time-limit.js";

const alice: AdapterUser = { id: "1", email: "alice@example.test", emailVerified: null };

describe("limitAdapter", () => {
  it("passes results and errors through, and gives up on a call that hangs", async () => {
    const adapter: Adapter = {
      getUser: async (id) => (id === "1" ? alice : null),
      getUserByEmail: async () => {
        throw new Error("boom");
      },
      getSessionAndUser: () => new Promise(() => undefined),
    };
    const limited = limitAdapter(adapter, 50);
    expect(await limited?.getUser?.("1")).toEqual(alice);
    await expect(limited?.getUserByEmail?.("x")).rejects.toThrow("boom");
    const hung = limited?.getSessionAndUser?.("t");
    await expect(hung).rejects.toBeInstanceOf(AdapterError);
    await expect(hung).rejects.toThrow("adapter.getSessionAndUser did not answer within 50 ms");
  });

  it("keeps `this` for class-based adapters, whose methods live on the prototype", async () => {
    class ClassAdapter {
      private readonly users = new Map([["1", alice]]);
      async getUser(id: string): Promise<AdapterUser | null> {
        return this.users.get(id) ?? null;
      }
    }
    const limited = limitAdapter(new ClassAdapter(), 50);
    expect(await limited?.getUser?.("1")).toEqual(alice);
  });

  it("leaves the adapter alone when the limit is off", () => {
    const adapter: Adapter = { getUser: async () => null };
    expect(limitAdapter(adapter, false)).toBe(adapter);
  });
});

describe("limitProviderTokens", () => {
  /** A store whose lock is always free, released by `release`. */
  const storeReleasingWith = (release: () => Promise<void>): ProviderTokenStore => ({
    get: async () => null,
    put: async () => 1,
    delete: async () => undefined,
    lock: async () => ({ release }),
  });

  it("gives up on a lock release that hangs, as on any other call", async () => {
    const limited = limitProviderTokens(storeReleasingWith(() => new Promise(() => undefined)), 50);
    const lock = await limited.lock("user", "github", 10_000);
    const release = lock?.release();
    await expect(release).rejects.toBeInstanceOf(AdapterError);
    await expect(release).rejects.toThrow("provider-token store lock.release did not answer within 50 ms");
  });

  it("passes a release's answer through, and turns one that throws at once into a rejection", async () => {
    let released = 0;
    const limited = limitProviderTokens(storeReleasingWith(async () => void released++), 50);
    await (await limited.lock("user", "github", 10_000))?.release();
    expect(released).toBe(1);
    const throwing = limitProviderTokens(
      storeReleasingWith(() => {
        throw new Error("connection closed");
      }),
      50,
    );
    const lock = await throwing.lock("user", "github", 10_000);
    await expect(lock?.release()).rejects.toThrow("connection closed");
  });
});
