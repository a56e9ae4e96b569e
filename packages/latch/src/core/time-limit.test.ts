import { describe, expect, it } from "vitest";
import { AdapterError } from "../errors.js";
import type { Adapter, AdapterUser } from "../adapters/types.js";
import { limitAdapter } from "./time-limit.js";

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
