/**
 * `latch/proxy` loaded as a Next 15 middleware on the Edge runtime loads it: no
 * `process.getBuiltinModule`, so no node:crypto. It must pick WebCrypto by itself and read and
 * renew sessions the engine (on Node) reads.
 */
import { describe, expect, it, vi } from "vitest";
import { issuedSession, request } from "../../test/helpers/proxy-requests.js";
import { decode, encode } from "../jwt.js";
import type * as ProxyEntry from "./index.js";

const SECRET = "edge-runtime-secret-of-enough-length-01234";
const SALT = "authjs.session-token";

async function loadWithoutNodeCrypto(): Promise<typeof ProxyEntry> {
  const original = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
  vi.resetModules();
  Object.defineProperty(process, "getBuiltinModule", { value: undefined, configurable: true, writable: true });
  try {
    const fast = await import("../core/session/jwe-fast.js");
    expect(fast.nodeRuntime).toBeUndefined();
    return await import("./index.js");
  } finally {
    if (original) Object.defineProperty(process, "getBuiltinModule", original);
    vi.resetModules();
  }
}

describe("latch/proxy without node:crypto (Edge)", () => {
  it("reads and renews with WebCrypto, in tokens the engine reads", async () => {
    const { default: NextAuth } = await loadWithoutNodeCrypto();
    const decrypt = vi.spyOn(crypto.subtle, "decrypt");
    try {
      const { auth } = NextAuth({ secret: SECRET, trustHost: true, providers: [], callbacks: { authorized: ({ auth: session }) => !!session } });
      const cookie = `${SALT}=${await encode({ token: { name: "Edna", sub: "e1" }, secret: SECRET, salt: SALT })}`;
      const response = await auth(request("/dashboard", { cookie }));
      expect(response.status).toBe(200);
      expect(decrypt).toHaveBeenCalled();
      expect(await decode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject({ name: "Edna", sub: "e1" });
      expect((await auth(request("/dashboard", { cookie: `${cookie.slice(0, -3)}AAA` }))).status).toBe(307);
    } finally {
      decrypt.mockRestore();
    }
  });
});
