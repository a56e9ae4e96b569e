/**
 * Property tests of bearer-token verification as `auth()` and the proxy run it
 * (`readRequestAuth`): whatever `Authorization` header a client sends — garbage, forged or
 * edited JWS, algorithm confusion, a session cookie or another site's token — there is no
 * session and nothing throws; a genuine token is a session, and a browser-bound one only with
 * its own fingerprint cookie.
 */
import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { base64url, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { bearerJwks, issueBearerToken, parseAuthorization } from "../../src/core/bearer.js";
import { createRequestContext, resolveConfig, type RequestContext, type ResolvedConfig } from "../../src/core/config.js";
import { readRequestAuth } from "../../src/core/session/read-session.js";
import { createSessionCodec } from "../../src/jwt.js";
import { messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";
import { applyEdit, tokenEdit } from "./token-mutations.js";

const ORIGIN = "http://app.test";
const SECRET = "bearer-fuzz-secret-0123456789abcdef0123456789";

function contextFor(secret: string): { resolved: ResolvedConfig; ctx: RequestContext } {
  const resolved = resolveConfig({ secret, trustHost: true, providers: [], bearer: true, logger: { error: () => undefined, warn: () => undefined } }, {});
  return { resolved, ctx: createRequestContext(resolved, new Headers({ host: "app.test" }), `${ORIGIN}/api/auth/session`) };
}

const { resolved, ctx } = contextFor(SECRET);
const bearer = resolved.bearer;
if (!bearer) throw new Error("bearer tokens are configured");
const FINGERPRINT = "f".repeat(64);

let genuine: string;
let bound: string;
let forgeries: string[];
let knownKid: string;

beforeAll(async () => {
  genuine = (await issueBearerToken(ctx, bearer, { sub: "user-1", name: "Alice" })).token;
  bound = (await issueBearerToken(ctx, bearer, { sub: "user-1", fgp: createHash("sha256").update(FINGERPRINT).digest("hex") })).token;
  const other = contextFor("bearer-fuzz-other-secret-abcdef0123456789abcd");
  const [jwk] = (await bearerJwks(resolved, bearer)).keys;
  if (!jwk || typeof jwk.x !== "string" || typeof jwk.kid !== "string") throw new Error("the derived key is an Ed25519 JWK with a kid");
  knownKid = jwk.kid;
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: "user-1", iss: ctx.authUrl, aud: ctx.origin, iat: now, exp: now + 600, jti: "j" };
  forgeries = [
    // Another secret's key, a session cookie, and HMAC keyed with our public key (algorithm confusion).
    (await issueBearerToken(other.ctx, other.resolved.bearer ?? bearer, { sub: "user-1" })).token,
    await createSessionCodec(SECRET, "authjs.session-token").encode({ sub: "user-1" }, 600),
    await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: jwk.kid }).sign(base64url.decode(jwk.x)),
    `${base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt", kid: jwk.kid }))}.${base64url.encode(JSON.stringify(claims))}.`,
  ];
});

const json = fc.jsonValue({ maxDepth: 2 });
const forgedJws = fc
  .record({
    alg: fc.constantFrom("EdDSA", "ES256", "HS256", "none", "RS256", "Ed25519"),
    typ: fc.constantFrom("at+jwt", "JWT", "application/at+jwt"),
    kidKnown: fc.boolean(),
    extra: fc.dictionary(fc.constantFrom("crit", "b64", "jku", "jwk", "x5u"), json, { maxKeys: 2 }),
    claims: fc.record({ sub: json, iss: fc.oneof(fc.constant(`${ORIGIN}/api/auth`), json), aud: fc.oneof(fc.constant(ORIGIN), json), exp: fc.oneof(fc.constant(4_000_000_000), json), iat: json, jti: json }, { requiredKeys: [] }),
    signature: fc.oneof(fc.constant(""), fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => base64url.encode(bytes))),
  })
  .map(({ alg, typ, kidKnown, extra, claims, signature }) => {
    const kid = kidKnown ? knownKid : "unknown";
    return `${base64url.encode(JSON.stringify({ ...extra, alg, typ, kid }))}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
  });

describe("readRequestAuth with an Authorization header", () => {
  it("reads a genuine bearer token as its session, and a browser-bound one only with its fingerprint cookie", async () => {
    const plain = await readRequestAuth(ctx, `Bearer ${genuine}`, new Map(), { renew: false });
    expect(plain.status).toBe("valid");
    expect(plain.session?.user?.name).toBe("Alice");
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(FINGERPRINT), fc.stringMatching(/^[0-9a-f]{64}$/), messyString(3)), async (cookie) => {
        const result = await readRequestAuth(ctx, `Bearer ${bound}`, new Map([["latch.bearer-fingerprint", cookie]]), { renew: false });
        expect(result.status).toBe(cookie === FINGERPRINT ? "valid" : "invalid");
        expect(result.session === null).toBe(cookie !== FINGERPRINT);
      }),
      fuzzRuns(100),
    );
  });

  it("refuses the genuine token respelled: signature padded, or its unused trailing bits set", async () => {
    const [header, payload, signature = ""] = genuine.split(".");
    // An Ed25519 signature is 64 bytes: 86 characters, the last carrying 2 data bits and 4 unused ones.
    const last = signature.charAt(signature.length - 1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const flipped = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    for (const respelled of [`${header}.${payload}.${signature}=`, `${header}.${payload}.${signature}==`, `${header}.${payload}.${signature.slice(0, -1)}${flipped}`]) {
      expect(Buffer.from(respelled.split(".")[2] ?? "", "base64url").equals(Buffer.from(signature, "base64url")), "the same signature bytes").toBe(true);
      const result = await readRequestAuth(ctx, `Bearer ${respelled}`, new Map(), { renew: false });
      expect(result.session).toBeNull();
    }
  });

  it("gives no session, and never throws, for any other header", async () => {
    const header = fc.oneof(
      messyString(8),
      fc.array(tokenEdit([""]), { minLength: 1, maxLength: 3 }).map((edits) => `Bearer ${edits.reduce((token, edit) => applyEdit(token, edit, bound), genuine)}`),
      forgedJws.map((token) => `Bearer ${token}`),
      fc.nat().map((i) => `Bearer ${forgeries[i % forgeries.length] ?? ""}`),
      fc.constantFrom("Bearer", "Basic dXNlcjpwYXNz", `bearer  ${"A".repeat(9000)}`),
    );
    await fc.assert(
      fc.asyncProperty(header, async (value) => {
        // `Bearer  <token>` (more spaces) is the genuine token still. Any other spelling of it
        // (padding, unused trailing bits) is refused: one spelling per token.
        const parsed = parseAuthorization(value);
        fc.pre(parsed.kind !== "token" || (parsed.token !== genuine && parsed.token !== bound));
        const result = await readRequestAuth(ctx, value, new Map(), { renew: false });
        expect(result.session).toBeNull();
        // A Bearer header that is not the token is refused; another scheme is not latch's, and no cookie came.
        expect(result.status).toBe(parsed.kind === "none" ? "none" : "invalid");
        expect(result.cookies).toEqual([]);
      }),
      fuzzRuns(400),
    );
  });
});
