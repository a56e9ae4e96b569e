import { describe, it, expect, beforeAll, afterEach, vi } from "vitest";
import { CompactEncrypt, EncryptJWT, base64url, calculateJwkThumbprint, decodeProtectedHeader } from "jose";
import * as nodeJwt from "./jwt.js";
import type * as JwtModule from "./jwt.js";
import type * as JweFastModule from "./core/session/jwe-fast.js";
import type * as KeysModule from "./core/session/keys.js";
import { JWTSessionError, MissingSecret } from "./errors.js";
import type { JWT } from "./types.js";

const SECRET = "test-secret-that-is-long-enough-0123456789";
const SALT = "authjs.session-token";
const SECURE_SALT = "__Secure-authjs.session-token";
const THIRTY_DAYS = 30 * 24 * 60 * 60;

/** latch/jwt as an Edge runtime sees it: no process.getBuiltinModule, so jose does the work. */
let fallback: Promise<{ jwt: typeof JwtModule; fast: typeof JweFastModule; keys: typeof KeysModule }> | undefined;
function loadWithoutNodeCrypto() {
  fallback ??= (async () => {
    const original = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
    vi.resetModules();
    Object.defineProperty(process, "getBuiltinModule", { value: undefined, configurable: true, writable: true });
    try {
      const jwt = await import("./jwt.js");
      const fast = await import("./core/session/jwe-fast.js");
      const keys = await import("./core/session/keys.js");
      return { jwt, fast, keys };
    } finally {
      if (original) Object.defineProperty(process, "getBuiltinModule", original);
      vi.resetModules();
    }
  })();
  return fallback;
}

function tamperings(token: string): string[] {
  const parts = token.split(".");
  const flip = (index: number): string =>
    parts
      .map((part, i) => {
        if (i !== index) return part;
        const bytes = base64url.decode(part);
        bytes[0] = (bytes[0] ?? 0) ^ 1;
        return base64url.encode(bytes);
      })
      .join(".");
  return [flip(0), flip(2), flip(3), flip(4), token.slice(0, -3), `${token}.x`, token.replace("..", ".A."), "a.b.c.d.e", "not a token", "....", token.toUpperCase()];
}

const errorName = async (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => "resolved",
    (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : "non-error"),
  );

describe("fallback loading", () => {
  it("really runs without node:crypto", async () => {
    const { fast } = await loadWithoutNodeCrypto();
    expect(fast.nodeRuntime).toBeUndefined();
  });
});

describe.each([
  ["node:crypto", async () => nodeJwt],
  ["jose (no node:crypto)", async () => (await loadWithoutNodeCrypto()).jwt],
])("latch/jwt on %s", (_runtime, load) => {
  let jwt: typeof JwtModule;
  beforeAll(async () => {
    jwt = await load();
  });

  it("round-trips a payload and adds iat, exp = iat + maxAge (30 days by default) and jti", async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await jwt.encode({ token: { sub: "42", name: "Zoë 🙂" }, secret: SECRET, salt: SALT });
    const claims = await jwt.decode({ token, secret: SECRET, salt: SALT });
    expect(claims).toMatchObject({ sub: "42", name: "Zoë 🙂" });
    expect(claims?.iat).toBeGreaterThanOrEqual(before);
    expect(claims?.exp).toBe((claims?.iat ?? 0) + THIRTY_DAYS);
    expect(claims?.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const short = await jwt.decode({ token: await jwt.encode({ secret: SECRET, salt: SALT, maxAge: 60 }), secret: SECRET, salt: SALT });
    expect(Object.keys(short ?? {})).toEqual(["iat", "exp", "jti"]);
    expect(short?.exp).toBe((short?.iat ?? 0) + 60);
  });

  it("writes Auth.js's header: dir, A256CBC-HS512, kid = SHA-512 thumbprint of the derived key", async () => {
    const token = await jwt.encode({ token: {}, secret: SECRET, salt: SECURE_SALT });
    const header = decodeProtectedHeader(token);
    expect(Object.keys(header)).toEqual(["alg", "enc", "kid"]);
    const info = new TextEncoder();
    const ikm = await crypto.subtle.importKey("raw", info.encode(SECRET), "HKDF", false, ["deriveBits"]);
    const key = new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: info.encode(SECURE_SALT), info: info.encode(`Auth.js Generated Encryption Key (${SECURE_SALT})`) }, ikm, 512));
    expect(header).toEqual({ alg: "dir", enc: "A256CBC-HS512", kid: await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(key) }, "sha512") });
    expect(token.split(".")[1]).toBe("");
  });

  it("mints a new jti on every encode", async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 20; i++) ids.add((await jwt.decode({ token: await jwt.encode({ secret: SECRET, salt: SALT }), secret: SECRET, salt: SALT }))?.jti);
    expect(ids.size).toBe(20);
  });

  it("resolves to null without a token", async () => {
    expect(await jwt.decode({ token: "", secret: SECRET, salt: SALT })).toBeNull();
    expect(await jwt.decode({ secret: SECRET, salt: SALT })).toBeNull();
  });

  it("rejects an invalid token with JWTSessionError, never echoing the token", async () => {
    const token = await jwt.encode({ token: { sub: "1" }, secret: SECRET, salt: SALT });
    for (const bad of tamperings(token)) {
      const outcome = await errorName(jwt.decode({ token: bad, secret: SECRET, salt: SALT }));
      expect(outcome).toMatch(/^JWTSessionError: /);
      expect(outcome).not.toContain(bad);
      expect(outcome).not.toContain(SECRET);
    }
    expect(await errorName(jwt.decode({ token, secret: "another-secret", salt: SALT }))).toMatch(/^JWTSessionError: No secret matches/);
    expect(await errorName(jwt.decode({ token, secret: SECRET, salt: SECURE_SALT }))).toMatch(/^JWTSessionError: /);
  });

  it("encrypts with the first secret and decrypts with any (rotation)", async () => {
    const old = await jwt.encode({ token: { sub: "old" }, secret: "previous-secret", salt: SALT });
    const fresh = await jwt.encode({ token: { sub: "new" }, secret: ["current-secret", "previous-secret"], salt: SALT });
    expect(await jwt.decode({ token: old, secret: ["current-secret", "previous-secret"], salt: SALT })).toMatchObject({ sub: "old" });
    expect(await jwt.decode({ token: fresh, secret: "current-secret", salt: SALT })).toMatchObject({ sub: "new" });
    expect(await errorName(jwt.decode({ token: fresh, secret: "previous-secret", salt: SALT }))).toMatch(/^JWTSessionError/);
  });

  it("decodes a token without kid by trying every secret", async () => {
    const { keys } = await loadWithoutNodeCrypto();
    const derived = await keys.deriveSecretKeys("previous-secret", SALT);
    const token = await new EncryptJWT({ sub: "kidless" }).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512" }).setExpirationTime("1h").encrypt(derived.cbc.key);
    expect(await jwt.decode({ token, secret: ["current-secret", "previous-secret"], salt: SALT })).toMatchObject({ sub: "kidless" });
  });

  it("decodes A256GCM tokens (decode only), with their SHA-256 kid or none", async () => {
    const { keys } = await loadWithoutNodeCrypto();
    const derived = await keys.deriveSecretKeys("gcm-secret", SECURE_SALT);
    const body = new TextEncoder().encode(JSON.stringify({ sub: "gcm", exp: Math.floor(Date.now() / 1000) + 60 }));
    for (const header of [{ kid: derived.gcm.kid }, {}]) {
      const token = await new CompactEncrypt(body).setProtectedHeader({ alg: "dir", enc: "A256GCM", ...header }).encrypt(derived.gcm.key);
      expect(await jwt.decode({ token, secret: ["other", "gcm-secret"], salt: SECURE_SALT })).toMatchObject({ sub: "gcm" });
      expect(await jwt.createSessionCodec("gcm-secret", SALT).decode(token)).toBeNull();
    }
  });

  it("refuses empty secrets with MissingSecret and bad payloads with TypeError", async () => {
    for (const secret of ["", [], ["ok", ""]]) {
      expect(await errorName(jwt.encode({ token: {}, secret, salt: SALT }))).toMatch(/^MissingSecret: /);
      expect(await errorName(jwt.decode({ token: "x", secret, salt: SALT }))).toMatch(/^MissingSecret: /);
    }
    expect(await errorName(jwt.encode({ token: [] as unknown as JWT, secret: SECRET, salt: SALT }))).toMatch(/^TypeError/);
    expect(await errorName(jwt.encode({ token: {}, secret: SECRET, salt: SALT, maxAge: Number.NaN }))).toMatch(/^TypeError/);
  });

  describe("createSessionCodec", () => {
    it("is cached per secret list and salt", () => {
      expect(jwt.createSessionCodec(SECRET, SALT)).toBe(jwt.createSessionCodec(SECRET, SALT));
      expect(jwt.createSessionCodec([SECRET], SALT)).toBe(jwt.createSessionCodec(SECRET, SALT));
      expect(jwt.createSessionCodec(SECRET, SALT)).not.toBe(jwt.createSessionCodec(SECRET, SECURE_SALT));
      expect(jwt.createSessionCodec(["a", "bc"], SALT)).not.toBe(jwt.createSessionCodec(["ab", "c"], SALT));
    });

    it("round-trips and checks time against nowSeconds with 15 s tolerance", async () => {
      const codec = jwt.createSessionCodec(SECRET, SALT);
      const token = await codec.encode({ sub: "t" }, 100, 1_000_000);
      expect(await codec.decode(token, 1_000_114)).toMatchObject({ sub: "t", iat: 1_000_000, exp: 1_000_100 });
      expect(await codec.decode(token, 1_000_115)).toBeNull();
      const notYet = await codec.encode({ sub: "n", nbf: 2_000_000 }, 100, 2_000_000);
      expect(await codec.decode(notYet, 1_999_985)).toMatchObject({ sub: "n" });
      expect(await codec.decode(notYet, 1_999_984)).toBeNull();
      expect(await codec.decode(token, Number.NaN)).toBeNull();
    });

    it("resolves to null, never rejects, for anything invalid", async () => {
      const codec = jwt.createSessionCodec(SECRET, SALT);
      const token = await codec.encode({ sub: "1" }, 60);
      for (const bad of [...tamperings(token), "", "a".repeat(5000), 42 as unknown as string, null as unknown as string]) expect(await codec.decode(bad)).toBeNull();
    });
  });
});

describe("node:crypto and jose paths agree", () => {
  it("read each other's tokens and refuse the same tamperings for the same reason", async () => {
    const { jwt: edge } = await loadWithoutNodeCrypto();
    for (const salt of [SALT, SECURE_SALT]) {
      for (const secret of [SECRET, ["rotated-in", SECRET]]) {
        const payload: JWT = { sub: crypto.randomUUID(), name: "Ünïcødé 漢字", nested: { a: [1, 2, { b: null }] } };
        const fromNode = await nodeJwt.encode({ token: payload, secret, salt });
        const fromEdge = await edge.encode({ token: payload, secret, salt });
        expect(await edge.decode({ token: fromNode, secret, salt })).toMatchObject(payload);
        expect(await nodeJwt.decode({ token: fromEdge, secret, salt })).toMatchObject(payload);
        for (const bad of [...tamperings(fromNode), ...tamperings(fromEdge)]) {
          const nodeOutcome = await errorName(nodeJwt.decode({ token: bad, secret, salt }));
          const edgeOutcome = await errorName(edge.decode({ token: bad, secret, salt }));
          expect(edgeOutcome, bad).toBe(nodeOutcome);
        }
        const expired = await nodeJwt.createSessionCodec(secret, salt).encode(payload, 10, 1000);
        expect(await errorName(edge.decode({ token: expired, secret, salt }))).toBe(await errorName(nodeJwt.decode({ token: expired, secret, salt })));
        expect(await errorName(nodeJwt.decode({ token: expired, secret, salt }))).toBe("JWTSessionError: The session token has expired.");
      }
    }
  });
});

describe("getToken", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const codec = nodeJwt.createSessionCodec(SECRET, SALT);
  const secureCodec = nodeJwt.createSessionCodec(SECRET, SECURE_SALT);
  const request = (headers: Record<string, string>, url = "http://app.test/api") => new Request(url, { headers });

  it("reads and decodes the session cookie", async () => {
    vi.stubEnv("AUTH_URL", "");
    const token = await codec.encode({ sub: "cookie" }, 60);
    expect(await nodeJwt.getToken({ req: request({ cookie: `other=1; ${SALT}=${token}; x=y` }), secret: SECRET })).toMatchObject({ sub: "cookie" });
    expect(await nodeJwt.getToken({ req: request({ cookie: `${SALT}=${token}` }), secret: SECRET, raw: true })).toBe(token);
  });

  it("reassembles a chunked cookie in numeric order", async () => {
    vi.stubEnv("AUTH_URL", "");
    const token = await codec.encode({ sub: "chunked", padding: "x".repeat(9000) }, 60);
    const chunks = Array.from({ length: Math.ceil(token.length / 3936) }, (_, i) => token.slice(i * 3936, (i + 1) * 3936));
    expect(chunks.length).toBeGreaterThan(2);
    const cookie = chunks.map((chunk, i) => `${SALT}.${i}=${chunk}`).reverse().join("; ");
    expect(await nodeJwt.getToken({ req: request({ cookie }), secret: SECRET })).toMatchObject({ sub: "chunked" });
  });

  it("picks the __Secure- cookie from secureCookie, AUTH_URL or an https request", async () => {
    vi.stubEnv("AUTH_URL", "");
    const token = await secureCodec.encode({ sub: "secure" }, 60);
    const cookie = `${SECURE_SALT}=${token}`;
    expect(await nodeJwt.getToken({ req: request({ cookie }), secret: SECRET })).toBeNull();
    expect(await nodeJwt.getToken({ req: request({ cookie }), secret: SECRET, secureCookie: true })).toMatchObject({ sub: "secure" });
    expect(await nodeJwt.getToken({ req: request({ cookie }, "https://app.test/api"), secret: SECRET })).toMatchObject({ sub: "secure" });
    vi.stubEnv("AUTH_URL", "https://app.test");
    expect(await nodeJwt.getToken({ req: { headers: { cookie } }, secret: SECRET })).toMatchObject({ sub: "secure" });
  });

  it("falls back to Authorization: Bearer, URL-decoded", async () => {
    vi.stubEnv("AUTH_URL", "");
    const token = await codec.encode({ sub: "bearer" }, 60);
    expect(await nodeJwt.getToken({ req: request({ authorization: `Bearer ${encodeURIComponent(token)}` }), secret: SECRET })).toMatchObject({ sub: "bearer" });
    expect(await nodeJwt.getToken({ req: { headers: { Authorization: [`Bearer ${token}`] } }, secret: SECRET })).toMatchObject({ sub: "bearer" });
  });

  it("returns null, never throws, for malformed input (GHSA-xmf8-cvqr-rfgj)", async () => {
    vi.stubEnv("AUTH_URL", "");
    const malformed: Array<Record<string, string>> = [
      { authorization: "Bearer %" },
      { authorization: "Bearer %E0%A4%A" },
      { authorization: "Bearer" },
      { authorization: "Basic dXNlcjpwYXNz" },
      { cookie: `${SALT}=%` },
      { cookie: `${SALT}="unterminated` },
      { cookie: `${SALT}.0=abc; ${SALT}.2=def` },
      { cookie: `=${SALT}; ;;; ${SALT}` },
      { cookie: `${SALT}=${"A".repeat(100_000)}` },
    ];
    for (const headers of malformed) expect(await nodeJwt.getToken({ req: request(headers), secret: SECRET })).toBeNull();
    const chars = ["%", "=", ";", " ", ".", "\"", "a", "Z", "0", "-", "_", "Bearer ", SALT];
    let seed = 99;
    for (let i = 0; i < 300; i++) {
      let value = "";
      for (let j = 0; j < 12; j++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        value += chars[seed % chars.length] ?? "";
      }
      expect(await nodeJwt.getToken({ req: { headers: { cookie: value, authorization: value } }, secret: SECRET })).toBeNull();
    }
  });

  it("uses AUTH_SECRET by default and throws MissingSecret without any secret", async () => {
    vi.stubEnv("AUTH_URL", "");
    const token = await codec.encode({ sub: "env" }, 60);
    const req = { headers: { cookie: `${SALT}=${token}` } };
    vi.stubEnv("AUTH_SECRET", SECRET);
    expect(await nodeJwt.getToken({ req })).toMatchObject({ sub: "env" });
    vi.stubEnv("AUTH_SECRET", "");
    await expect(nodeJwt.getToken({ req })).rejects.toBeInstanceOf(MissingSecret);
    expect(await nodeJwt.getToken({ req: { headers: {} } })).toBeNull();
  });

  it("reads every secret the config reads from the environment: a rotated AUTH_SECRET_1, the old AUTH_SECRET, NEXTAUTH_SECRET", async () => {
    vi.stubEnv("AUTH_URL", "");
    const oldToken = await codec.encode({ sub: "old" }, 60);
    const newToken = await nodeJwt.createSessionCodec("the-new-secret-after-rotation-0123456789", SALT).encode({ sub: "new" }, 60);
    vi.stubEnv("AUTH_SECRET", SECRET);
    vi.stubEnv("AUTH_SECRET_1", "the-new-secret-after-rotation-0123456789");
    expect(await nodeJwt.getToken({ req: { headers: { cookie: `${SALT}=${oldToken}` } } })).toMatchObject({ sub: "old" });
    expect(await nodeJwt.getToken({ req: { headers: { cookie: `${SALT}=${newToken}` } } })).toMatchObject({ sub: "new" });
    vi.stubEnv("AUTH_SECRET", "");
    vi.stubEnv("AUTH_SECRET_1", "");
    vi.stubEnv("NEXTAUTH_SECRET", SECRET);
    expect(await nodeJwt.getToken({ req: { headers: { cookie: `${SALT}=${oldToken}` } } })).toMatchObject({ sub: "old" });
    vi.stubEnv("NEXTAUTH_SECRET", "");
  });

  it("with absoluteMaxAge, refuses a token whose session began (auth_time, else iat) that long ago, and throws on an invalid value", async () => {
    vi.stubEnv("AUTH_URL", "");
    const now = Math.floor(Date.now() / 1000);
    const hours = (n: number) => n * 3600;
    const read = async (payload: JWT, absoluteMaxAge?: number) => {
      const token = await codec.encode(payload, hours(24));
      return nodeJwt.getToken({ req: request({ cookie: `${SALT}=${token}` }), secret: SECRET, absoluteMaxAge });
    };
    expect(await read({ sub: "old", auth_time: now - hours(13) })).toMatchObject({ sub: "old" });
    expect(await read({ sub: "old", auth_time: now - hours(13) }, hours(12))).toBeNull();
    expect(await read({ sub: "fresh", auth_time: now - hours(11) }, hours(12))).toMatchObject({ sub: "fresh" });
    // next-auth writes no auth_time: the session counts from iat, which latch's codec sets to now.
    expect(await read({ sub: "next-auth" }, hours(12))).toMatchObject({ sub: "next-auth" });
    const custom = { decode: async (): Promise<JWT | null> => ({ sub: "custom", iat: now - hours(13) }) };
    const token = await codec.encode({ sub: "any" }, 60);
    expect(await nodeJwt.getToken({ req: request({ cookie: `${SALT}=${token}` }), secret: SECRET, absoluteMaxAge: hours(12), ...custom })).toBeNull();
    await expect(nodeJwt.getToken({ req: request({ cookie: `${SALT}=${token}` }), secret: SECRET, absoluteMaxAge: 0 })).rejects.toThrow(/absoluteMaxAge must be a positive number/);
  });

  it("honours cookieName, salt and a custom decode, treating its errors as no token", async () => {
    vi.stubEnv("AUTH_URL", "");
    const custom = nodeJwt.createSessionCodec(SECRET, "my-salt");
    const token = await custom.encode({ sub: "custom" }, 60);
    const req = { headers: new Headers({ cookie: `my-cookie=${token}` }) };
    expect(await nodeJwt.getToken({ req, secret: SECRET, cookieName: "my-cookie", salt: "my-salt" })).toMatchObject({ sub: "custom" });
    expect(await nodeJwt.getToken({ req, secret: SECRET, cookieName: "my-cookie" })).toBeNull();
    expect(await nodeJwt.getToken({ req, secret: SECRET, cookieName: "my-cookie", decode: async () => ({ sub: "decoded" }) })).toEqual({ sub: "decoded" });
    const failing = async (): Promise<JWT | null> => {
      throw new JWTSessionError("no");
    };
    expect(await nodeJwt.getToken({ req, secret: SECRET, cookieName: "my-cookie", decode: failing })).toBeNull();
  });
});
