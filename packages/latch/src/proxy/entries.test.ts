/**
 * The two entries of `latch/proxy`: index.ts, which every runtime but Node.js resolves (a Next 15
 * middleware on the Edge runtime), reads and renews with WebCrypto even where node:crypto exists;
 * node.ts, which Node.js resolves (a Next 16 proxy), with node:crypto only. Both write tokens the
 * engine reads. scripts/check-bundles.mjs proves each condition resolves to its entry and that
 * neither bundle carries the other's cryptography.
 */
import type * as NodeCrypto from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { issuedSession, request } from "../../test/helpers/proxy-requests.js";
import { decode, encode } from "../jwt.js";
import EdgeNextAuth from "./index.js";
import NodeNextAuth from "./node.js";

const SECRET = "proxy-entries-secret-of-enough-length-0123";
const SALT = "authjs.session-token";

const ENTRIES = [
  { name: "index.ts (Edge and every other runtime): WebCrypto", NextAuth: EdgeNextAuth, webCrypto: true },
  { name: "node.ts (Node.js): node:crypto", NextAuth: NodeNextAuth, webCrypto: false },
] as const;

describe.each(ENTRIES)("latch/proxy from $name", ({ NextAuth, webCrypto }) => {
  it("reads and renews in tokens the engine reads, on its own cryptography", async () => {
    const decrypt = vi.spyOn(crypto.subtle, "decrypt");
    const encrypt = vi.spyOn(crypto.subtle, "encrypt");
    try {
      const { auth } = NextAuth({ secret: SECRET, trustHost: true, providers: [], callbacks: { authorized: ({ auth: session }) => !!session } });
      const cookie = `${SALT}=${await encode({ token: { name: "Edna", sub: "e1" }, secret: SECRET, salt: SALT })}`;
      decrypt.mockClear();
      encrypt.mockClear();
      const response = await auth(request("/dashboard", { cookie }));
      expect(response.status).toBe(200);
      expect(decrypt.mock.calls.length > 0).toBe(webCrypto);
      expect(encrypt.mock.calls.length > 0).toBe(webCrypto);
      expect(await decode({ token: issuedSession(response) ?? "", secret: SECRET, salt: SALT })).toMatchObject({ name: "Edna", sub: "e1" });
      expect((await auth(request("/dashboard", { cookie: `${cookie.slice(0, -3)}AAA` }))).status).toBe(307);
      expect((await auth(request("/dashboard"))).status).toBe(307);
    } finally {
      decrypt.mockRestore();
      encrypt.mockRestore();
    }
  });
});

describe("latch/proxy's Node.js build on a runtime whose node:crypto is partial", () => {
  it("counts every request as signed out, keeps the cookie, and logs what is missing and what to do", async () => {
    vi.resetModules();
    vi.doMock("node:crypto", async () => {
      const actual = await vi.importActual<typeof NodeCrypto>("node:crypto");
      return { ...actual, default: actual, createDecipheriv: undefined, hkdfSync: undefined };
    });
    try {
      const { default: PartialNextAuth } = await import("./node.js");
      const errors: Error[] = [];
      const { auth } = PartialNextAuth({
        secret: SECRET,
        trustHost: true,
        providers: [],
        logger: { error: (error) => errors.push(error) },
        callbacks: { authorized: ({ auth: session }) => !!session },
      });
      const cookie = `${SALT}=${await encode({ token: { name: "Edna", sub: "e1" }, secret: SECRET, salt: SALT })}`;
      const response = await auth(request("/dashboard", { cookie }));
      expect(response.status).toBe(307);
      expect(response.headers.getSetCookie(), "a broken runtime clears nobody's cookie").toEqual([]);
      const cause = errors[0]?.cause;
      expect(cause instanceof Error ? cause.message : "").toMatch(/lacks createDecipheriv, hkdfSync\. Build the proxy for the Edge runtime/);
    } finally {
      vi.doUnmock("node:crypto");
      vi.resetModules();
    }
  });
});
