/**
 * Property tests of session-token decoding (`latch/jwt` and the fast JWE path), on Node and as
 * an Edge runtime runs it (jose): arbitrary strings and every edit of a valid token decode to
 * nothing — `null` from the engine's codec, a `JWTSessionError` from `decode` — and a valid
 * token round-trips. Both runtimes accept exactly the same tokens.
 */
import { base64url } from "jose";
import * as fc from "fast-check";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type * as JwtModule from "../../src/jwt.js";
import { createSessionCodec, decode, encode } from "../../src/jwt.js";
import { checkClaims, checkHeader, isStrictBase64url, nodeRuntime, sealCbcHs512, splitCompact } from "../../src/core/session/jwe-fast.js";
import { deriveSecretKeys } from "../../src/core/session/keys.js";
import type { JWT } from "../../src/types.js";
import { isWellFormed, messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";
import { applyEdit, tokenEdit } from "./token-mutations.js";

if (!nodeRuntime) throw new Error("these properties compare the node:crypto path with jose and need Node ≥ 20.16");
const node = nodeRuntime;

const SECRET = "session-token-fuzz-secret-0123456789abcdef";
const OTHER_SECRET = "session-token-fuzz-other-secret-abcdef0123";
const SALT = "authjs.session-token";
const NOW = 1_800_000_000;
const HOUR = 3600;

const codec = createSessionCodec(SECRET, SALT);
const keys = (() => {
  const derived = deriveSecretKeys(SECRET, SALT);
  if (derived instanceof Promise) throw new Error("node:crypto derives keys synchronously");
  return derived;
})();

/** latch/jwt loaded without node:crypto, as on Edge: jose does the work. */
let edge: typeof JwtModule;
let edgeCodec: JwtModule.SessionCodec;

beforeAll(async () => {
  const original = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
  vi.resetModules();
  Object.defineProperty(process, "getBuiltinModule", { value: undefined, configurable: true, writable: true });
  try {
    edge = await import("../../src/jwt.js");
    const fast = await import("../../src/core/session/jwe-fast.js");
    if (fast.nodeRuntime) throw new Error("the Edge copy of latch/jwt still found node:crypto");
  } finally {
    if (original) Object.defineProperty(process, "getBuiltinModule", original);
    vi.resetModules();
  }
  edgeCodec = edge.createSessionCodec(SECRET, SALT);
});

/** How `decode` ended: the claims, `null`, or the name of the error it rejected with. */
async function outcome(promise: Promise<JWT | null>): Promise<JWT | null | string> {
  try {
    return await promise;
  } catch (error) {
    return error instanceof Error ? error.name : "non-error";
  }
}

/** Claims a session carries: JSON values under names the codec does not set itself. */
const payload = fc
  .dictionary(
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("sub", "name", "email", "picture", "sid", "__proto__", "constructor", "toString")),
    fc.jsonValue({ maxDepth: 3 }),
    { maxKeys: 8 },
  )
  .map((claims): JWT => {
    for (const reserved of ["iat", "exp", "jti", "nbf"]) Reflect.deleteProperty(claims, reserved);
    return claims;
  });

/** What a JSON round trip makes of a value (-0 becomes 0, undefined disappears). */
function viaJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function withoutTimes(claims: JWT): JWT {
  const { iat: _iat, exp: _exp, jti: _jti, ...rest } = claims;
  return rest;
}

describe("valid tokens", () => {
  it("round-trip any claims, on Node and on Edge, through the codec and decode", async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (claims) => {
        const token = await encode({ token: claims, secret: SECRET, salt: SALT, maxAge: HOUR });
        for (const part of token.split(".")) expect(isStrictBase64url(part)).toBe(true);
        const expected = viaJson(claims);
        const decoded = await decode({ token, secret: SECRET, salt: SALT });
        expect(decoded && withoutTimes(decoded)).toEqual(expected);
        expect(await codec.decode(token)).toEqual(decoded);
        expect(await edge.decode({ token, secret: SECRET, salt: SALT })).toEqual(decoded);
        // And the other way: a token jose wrote opens on Node.
        const edgeToken = await edge.encode({ token: claims, secret: SECRET, salt: SALT, maxAge: HOUR });
        expect(withoutTimes((await codec.decode(edgeToken)) ?? {})).toEqual(expected);
      }),
      fuzzRuns(100),
    );
  });

  it("are accepted exactly while exp and nbf allow, with 15 s of tolerance", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -100_000, max: 100_000 }), fc.option(fc.integer({ min: -100_000, max: 100_000 })), async (maxAge, nbfOffset) => {
        const claims: JWT = nbfOffset === null ? { sub: "1" } : { sub: "1", nbf: NOW + nbfOffset };
        const token = await codec.encode(claims, maxAge, NOW);
        const valid = maxAge > -15 && (nbfOffset === null || nbfOffset <= 15);
        expect((await codec.decode(token, NOW)) !== null).toBe(valid);
        expect((await edgeCodec.decode(token, NOW)) !== null).toBe(valid);
      }),
      fuzzRuns(200),
    );
  });
});

describe("edited tokens", () => {
  const otherHeaders = [keys.gcm.header, base64url.encode('{"alg":"dir","enc":"A256CBC-HS512"}'), base64url.encode(`{"alg":"dir","enc":"A256CBC-HS512","kid":"${keys.cbc.kid}","zip":"DEF"}`), base64url.encode('{"alg":"none"}'), ""];

  it("never decode, whatever one to three edits an attacker makes", async () => {
    const [token, other] = await Promise.all([codec.encode({ sub: "user-1", name: "Alice" }, HOUR, NOW), codec.encode({ sub: "user-2", name: "Mallory" }, HOUR, NOW)]);
    await fc.assert(
      fc.asyncProperty(fc.array(tokenEdit(otherHeaders), { minLength: 1, maxLength: 3 }), async (edits) => {
        const edited = edits.reduce((current, edit) => applyEdit(current, edit, other), token);
        fc.pre(edited !== token && edited !== other);
        expect(await codec.decode(edited, NOW)).toBeNull();
        expect(await edgeCodec.decode(edited, NOW)).toBeNull();
        const refused = await outcome(decode({ token: edited, secret: SECRET, salt: SALT }));
        expect(refused).toBe(edited === "" ? null : "JWTSessionError");
      }),
      fuzzRuns(400),
    );
  });

  it("never decode under another salt or another secret, and decode again once it is listed", async () => {
    const salt = messyString(4).filter((s) => s !== SALT && isWellFormed(s));
    await fc.assert(
      fc.asyncProperty(payload, salt, async (claims, otherSalt) => {
        const token = await encode({ token: claims, secret: SECRET, salt: SALT, maxAge: HOUR });
        expect(await outcome(decode({ token, secret: SECRET, salt: otherSalt }))).toBe("JWTSessionError");
        expect(await outcome(decode({ token, secret: OTHER_SECRET, salt: SALT }))).toBe("JWTSessionError");
        expect(await createSessionCodec(SECRET, otherSalt).decode(token)).toBeNull();
        expect(await edge.createSessionCodec(OTHER_SECRET, SALT).decode(token)).toBeNull();
        const rotated = await decode({ token, secret: [OTHER_SECRET, SECRET], salt: SALT });
        expect(rotated && withoutTimes(rotated)).toEqual(viaJson(claims));
      }),
      fuzzRuns(150),
    );
  });
});

describe("arbitrary input", () => {
  const segment = fc.oneof(
    fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
    fc.constantFrom("", "A", "AA", "AAA", "AAAA", "_-_-", "AQ==", "+/+/"),
    messyString(2),
  );
  const header = fc
    .record(
      {
        alg: fc.oneof(fc.constantFrom("dir", "none", "A256KW", "RSA-OAEP", "DIR"), fc.jsonValue()),
        enc: fc.oneof(fc.constantFrom("A256CBC-HS512", "A256GCM", "A128CBC-HS256", "A128GCM"), fc.jsonValue()),
        kid: fc.oneof(fc.constantFrom(keys.cbc.kid, keys.gcm.kid, ""), fc.jsonValue()),
        zip: fc.constantFrom("DEF"),
        crit: fc.constantFrom(["exp"], [], "b64"),
        iss: fc.jsonValue(),
      },
      { requiredKeys: ["alg", "enc"] },
    )
    .map((fields) => base64url.encode(JSON.stringify(fields)));
  const shaped = fc
    .tuple(fc.oneof(header, segment), fc.oneof(fc.constant(""), segment), segment, segment, segment)
    .map((parts) => parts.join("."));
  const anyToken = fc.oneof(shaped, messyString(20), fc.string({ unit: "binary", maxLength: 300 }));

  it("never decodes: null from the codecs, JWTSessionError from decode, on Node and on Edge", async () => {
    await fc.assert(
      fc.asyncProperty(anyToken, async (token) => {
        expect(await codec.decode(token, NOW)).toBeNull();
        expect(await edgeCodec.decode(token, NOW)).toBeNull();
        const expected = token === "" ? null : "JWTSessionError";
        expect(await outcome(decode({ token, secret: SECRET, salt: SALT }))).toBe(expected);
        expect(await outcome(edge.decode({ token, secret: SECRET, salt: SALT }))).toBe(expected);
      }),
      fuzzRuns(500),
    );
  });

  it("refuses values that are not strings, as plain JavaScript callers may pass", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything().filter((value) => typeof value !== "string"),
        async (value) => {
          const token = value as string;
          expect(await codec.decode(token, NOW)).toBeNull();
          expect(await outcome(decode({ token, secret: SECRET, salt: SALT }))).toBe(value ? "JWTSessionError" : null);
        },
      ),
      fuzzRuns(200),
    );
  });

  it("accepts a strict base64url string exactly when it survives a decode/encode round trip", () => {
    fc.assert(
      fc.property(fc.oneof(segment, fc.string({ unit: fc.constantFrom(..."AQgw_-=+/ ."), maxLength: 12 })), (value) => {
        expect(isStrictBase64url(value)).toBe(Buffer.from(value, "base64url").toString("base64url") === value);
      }),
      fuzzRuns(500),
    );
  });

  it("splits only five-part tokens it could join back, and never throws", () => {
    fc.assert(
      fc.property(anyToken, (token) => {
        const parts = splitCompact(token);
        if (typeof parts !== "string") expect([parts.header, "", parts.iv, parts.ciphertext, parts.tag].join(".")).toBe(token);
      }),
      fuzzRuns(500),
    );
  });

  it("checks any protected header JSON without throwing, keeping only dir with a known enc", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), messyString(8), header.map((h) => Buffer.from(h, "base64url").toString("utf8"))), (json) => {
        const checked = checkHeader(json);
        if (typeof checked === "string") return;
        expect(checked.fields.alg).toBe("dir");
        expect(["A256CBC-HS512", "A256GCM"]).toContain(checked.enc);
        expect(Object.hasOwn(checked.fields, "zip") || Object.hasOwn(checked.fields, "crit")).toBe(false);
        expect(checked.kid === undefined || typeof checked.kid === "string").toBe(true);
      }),
      fuzzRuns(500),
    );
  });
});

describe("tokens sealed with the right key (as a holder of the secret could)", () => {
  const claimsJson = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({
        sub: fc.jsonValue(),
        iat: fc.oneof(fc.integer(), fc.jsonValue()),
        exp: fc.oneof(fc.integer({ min: NOW - 100, max: NOW + 100 }), fc.double(), fc.jsonValue()),
        nbf: fc.oneof(fc.integer({ min: NOW - 100, max: NOW + 100 }), fc.jsonValue()),
      }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
    messyString(8),
  );
  const protectedHeader = fc.record(
    {
      alg: fc.constantFrom("dir"),
      enc: fc.constantFrom("A256CBC-HS512"),
      kid: fc.constantFrom(keys.cbc.kid),
      iss: fc.jsonValue(),
      sub: fc.jsonValue(),
      aud: fc.jsonValue(),
      zip: fc.constant("DEF"),
      typ: fc.constantFrom("JWT", "at+jwt"),
    },
    { requiredKeys: ["alg", "enc"] },
  );

  it("yield a plain object whose times are numbers within tolerance, or nothing; Node and Edge agree", async () => {
    await fc.assert(
      fc.asyncProperty(claimsJson, protectedHeader, async (json, fields) => {
        const token = sealCbcHs512(node, { ...keys.cbc, header: base64url.encode(JSON.stringify(fields)) }, json);
        const decoded = await codec.decode(token, NOW);
        expect(await edgeCodec.decode(token, NOW)).toEqual(decoded);
        if (!decoded) return;
        expect(checkClaims(json, fields, NOW)).toEqual(decoded);
        expect(Object.prototype.toString.call(decoded)).toBe("[object Object]");
        for (const time of ["iat", "exp", "nbf"] as const) expect(["undefined", "number"]).toContain(typeof decoded[time]);
        if (typeof decoded.exp === "number") expect(decoded.exp).toBeGreaterThan(NOW - 15);
        if (typeof decoded.nbf === "number") expect(decoded.nbf).toBeLessThanOrEqual(NOW + 15);
      }),
      fuzzRuns(300),
    );
  });
});
