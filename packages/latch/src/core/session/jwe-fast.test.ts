import { describe, it, expect } from "vitest";
import { CompactEncrypt, EncryptJWT, base64url, calculateJwkThumbprint, decodeProtectedHeader, jwtDecrypt } from "jose";
import type { JWT } from "../../types.js";
import { checkClaims, checkHeader, isStrictBase64url, nodeRuntime, openCompact, sealCbcHs512, type ContentKey, type SecretKeys } from "./jwe-fast.js";
import { deriveSecretKeys, keyInfo } from "./keys.js";

if (!nodeRuntime) throw new Error("these tests exercise the node:crypto path and need Node ≥ 20.16");
const node = nodeRuntime;
const { Buffer } = node.buffer;

const SALTS = ["authjs.session-token", "__Secure-authjs.session-token"] as const;
const NOW = 1_800_000_000;

/** Deterministic PRNG (mulberry32) so every run checks the same vectors. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

const FRAGMENTS = ["a", "Z", "0", " ", "\"", "\\", "\n", "\u0000", "é", "ß", "Ω", "漢字", "🙂", "👩‍💻", "\u2028", "</script>", "%", "="];
function randomString(rand: () => number, max: number): string {
  let out = "";
  const length = Math.floor(rand() * max);
  for (let i = 0; i < length; i++) out += pick(rand, FRAGMENTS);
  return out;
}
function randomPayload(rand: () => number, size: number): JWT {
  const payload: JWT = { sub: crypto.randomUUID(), name: randomString(rand, 12), email: "alice@example.com" };
  const fields = Math.floor(rand() * size);
  for (let i = 0; i < fields; i++) {
    const kind = Math.floor(rand() * 5);
    const key = `${randomString(rand, 4)}${i}`;
    payload[key] = kind === 0 ? randomString(rand, 40) : kind === 1 ? Math.floor(rand() * 1e9) : kind === 2 ? rand() < 0.5 : kind === 3 ? null : { nested: [randomString(rand, 8), i] };
  }
  return payload;
}

async function keysFor(secret: string, salt: string): Promise<SecretKeys> {
  return deriveSecretKeys(secret, salt);
}

/** Auth.js's decoder, with jose doing every check; without a kid it tries each secret, as latch does. */
async function joseOpen(token: string, secrets: readonly SecretKeys[], now = NOW): Promise<JWT | "rejected"> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return "rejected";
  }
  const keys = secrets.map((s) => (header.enc === "A256GCM" ? s.gcm : s.cbc)).filter((k) => header.kid === undefined || k.kid === header.kid);
  for (const key of keys) {
    try {
      const { payload } = await jwtDecrypt<JWT>(token, key.key, { clockTolerance: 15, keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256CBC-HS512", "A256GCM"], currentDate: new Date(now * 1000) });
      return payload;
    } catch {
      // try the next secret
    }
  }
  return "rejected";
}

function fastOpen(token: string, secrets: readonly SecretKeys[], now = NOW): JWT | "rejected" {
  const result = openCompact(node, token, secrets, now);
  return typeof result === "string" ? "rejected" : result;
}

function claims(payload: JWT, now = NOW, maxAge = 3600): JWT {
  return { ...payload, iat: now, exp: now + maxAge, jti: crypto.randomUUID() };
}

/** Seals with any header, as someone holding the key could. */
function sealWithHeader(key: ContentKey, header: Record<string, unknown>, plaintext: string): string {
  return sealCbcHs512(node, { ...key, header: base64url.encode(JSON.stringify(header)) }, plaintext);
}

async function joseGcm(key: ContentKey, header: Record<string, unknown>, plaintext: string): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: "dir", enc: "A256GCM", ...header }).encrypt(key.key);
}

function mutatePart(token: string, part: number, mutate: (bytes: Buffer) => void): string {
  const parts = token.split(".");
  const bytes = Buffer.from(parts[part] ?? "", "base64url");
  mutate(bytes);
  parts[part] = bytes.toString("base64url");
  return parts.join(".");
}

describe("isStrictBase64url", () => {
  it("accepts exactly the strings that survive a decode/encode round trip", () => {
    const rand = prng(7);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= .";
    for (let i = 0; i < 5000; i++) {
      let value = "";
      const length = Math.floor(rand() * 9);
      for (let j = 0; j < length; j++) value += rand() < 0.9 ? pick(rand, alphabet.slice(0, 64).split("")) : pick(rand, alphabet.split(""));
      const roundTrips = /^[A-Za-z0-9_-]*$/.test(value) && Buffer.from(value, "base64url").toString("base64url") === value;
      expect(isStrictBase64url(value), value).toBe(roundTrips);
    }
  });

  it("refuses padding, the standard alphabet and whitespace", () => {
    for (const value of ["AQ==", "AQ=", "a+b/", "AQID\n", " AQID", "AQ.I"]) expect(isStrictBase64url(value)).toBe(false);
    expect(isStrictBase64url("")).toBe(true);
  });
});

describe("checkHeader", () => {
  it("accepts dir with either content encryption, and unknown harmless fields", () => {
    expect(checkHeader('{"alg":"dir","enc":"A256CBC-HS512","kid":"k"}')).toMatchObject({ enc: "A256CBC-HS512", kid: "k" });
    expect(checkHeader('{"alg":"dir","enc":"A256GCM","typ":"JWT"}')).toMatchObject({ enc: "A256GCM", kid: undefined });
  });

  it.each([
    ['{"alg":"none","enc":"A256CBC-HS512"}', "unsupported"],
    ['{"alg":"A256KW","enc":"A256CBC-HS512"}', "unsupported"],
    ['{"alg":"dir","enc":"A128GCM"}', "unsupported"],
    ['{"alg":"dir"}', "unsupported"],
    ['{"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}', "unsupported"],
    ['{"alg":"dir","enc":"A256CBC-HS512","crit":["exp"],"exp":1}', "unsupported"],
    ['{"alg":"dir","enc":"A256CBC-HS512","kid":7}', "no-key"],
    ["[]", "malformed"],
    ["null", "malformed"],
    ["{", "malformed"],
  ])("refuses %s", (json, reason) => {
    expect(checkHeader(json)).toBe(reason);
  });
});

describe("checkClaims (jose's jwtDecrypt rules, clockTolerance 15)", () => {
  it.each([
    [{ exp: NOW - 15 }, "expired"],
    [{ exp: NOW - 14 }, null],
    [{ nbf: NOW + 15 }, null],
    [{ nbf: NOW + 16 }, "not-yet-valid"],
    [{ iat: "now" }, "invalid-claims"],
    [{ exp: "tomorrow" }, "invalid-claims"],
    [{ nbf: null }, "invalid-claims"],
    [{ iat: NOW + 10_000 }, null],
  ])("%j → %s", (payload, reason) => {
    const result = checkClaims(JSON.stringify(payload), undefined, NOW);
    expect(typeof result === "string" ? result : null).toBe(reason);
  });

  it("refuses anything but a JSON object", () => {
    for (const json of ["[]", "1", '"x"', "null", "{", ""]) expect(checkClaims(json, undefined, NOW)).toBe("invalid-claims");
  });

  it("requires claims copied into the header to match", () => {
    expect(checkClaims('{"sub":"a"}', { sub: "b" }, NOW)).toBe("invalid-claims");
    expect(checkClaims('{"aud":["x"]}', { aud: ["x"] }, NOW)).toEqual({ aud: ["x"] });
  });
});

describe("keys", () => {
  it("derives Auth.js's HKDF-SHA-256 key and RFC 7638 kid", async () => {
    for (const salt of SALTS) {
      const keys = await keysFor("a-secret", salt);
      const utf8 = new TextEncoder();
      const ikm = await crypto.subtle.importKey("raw", utf8.encode("a-secret"), "HKDF", false, ["deriveBits"]);
      const params = { name: "HKDF", hash: "SHA-256", salt: utf8.encode(salt), info: utf8.encode(`Auth.js Generated Encryption Key (${salt})`) };
      expect(Buffer.from(keys.cbc.key)).toEqual(Buffer.from(await crypto.subtle.deriveBits(params, ikm, 512)));
      expect(Buffer.from(keys.gcm.key)).toEqual(Buffer.from(await crypto.subtle.deriveBits(params, ikm, 256)));
      expect(keys.cbc.kid).toBe(await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(keys.cbc.key) }, "sha512"));
      expect(keys.gcm.kid).toBe(await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(keys.gcm.key) }, "sha256"));
      expect(JSON.parse(Buffer.from(keys.cbc.header, "base64url").toString())).toEqual({ alg: "dir", enc: "A256CBC-HS512", kid: keys.cbc.kid });
    }
    expect(keyInfo("x")).toBe("Auth.js Generated Encryption Key (x)");
  });

  it("caches: the same secret and salt give the same object", () => {
    expect(deriveSecretKeys("cache-me", SALTS[0])).toBe(deriveSecretKeys("cache-me", SALTS[0]));
    expect(deriveSecretKeys("cache-me", SALTS[0])).not.toBe(deriveSecretKeys("cache-me", SALTS[1]));
  });

  it("refuses an empty secret and an oversized salt", () => {
    expect(() => deriveSecretKeys("", SALTS[0])).toThrow(/AUTH_SECRET/);
    expect(() => deriveSecretKeys("s", "x".repeat(2000))).toThrow(TypeError);
  });
});

describe("sealCbcHs512", () => {
  it("writes byte-for-byte what jose writes for the same key, header, IV and plaintext", async () => {
    const rand = prng(11);
    for (const salt of SALTS) {
      const keys = await keysFor("byte-compat", salt);
      for (let i = 0; i < 20; i++) {
        const plaintext = JSON.stringify(claims(randomPayload(rand, i)));
        const iv = node.crypto.randomBytes(16);
        const ours = sealCbcHs512(node, keys.cbc, plaintext, iv);
        const theirs = await new CompactEncrypt(new TextEncoder().encode(plaintext))
          .setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: keys.cbc.kid })
          .setInitializationVector(iv)
          .encrypt(keys.cbc.key);
        expect(ours).toBe(theirs);
      }
    }
  });
});

describe("sealCbcHs512 IVs", () => {
  it("never repeats an IV, across several refills of the IV pool", async () => {
    const keys = await keysFor("iv-pool", SALTS[0]);
    const ivs = new Set<string>();
    for (let i = 0; i < 1000; i++) ivs.add(sealCbcHs512(node, keys.cbc, "{}").split(".")[2] ?? "");
    expect(ivs.size).toBe(1000);
    expect([...ivs].every((iv) => Buffer.from(iv, "base64url").length === 16)).toBe(true);
  });
});

describe("openCompact cross-checked against jose", () => {
  it("fast-sealed tokens open in jose, and jose-sealed tokens open fast, with the same payload", async () => {
    const rand = prng(42);
    const secretSets = [["one-secret"], ["new-secret", "old-secret"], ["ü-nicode secret 🙂", "b", "c"]];
    for (const salt of SALTS) {
      for (const set of secretSets) {
        const keys = await Promise.all(set.map((s) => keysFor(s, salt)));
        for (const size of [0, 1, 5, 30, 200]) {
          const payload = claims(randomPayload(rand, size));
          const first = keys[0] as SecretKeys;
          const fast = sealCbcHs512(node, first.cbc, JSON.stringify(payload));
          expect(await joseOpen(fast, keys)).toEqual(payload);
          expect(fastOpen(fast, keys)).toEqual(payload);

          // jose-sealed with the last secret: the engine has to find it among the others.
          const last = keys[keys.length - 1] as SecretKeys;
          const body: Record<string, unknown> = payload;
          const viaJose = await new EncryptJWT(body).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: last.cbc.kid }).encrypt(last.cbc.key);
          expect(fastOpen(viaJose, keys)).toEqual(payload);
          const gcm = await joseGcm(last.gcm, { kid: last.gcm.kid }, JSON.stringify(payload));
          expect(fastOpen(gcm, keys)).toEqual(payload);
          expect(await joseOpen(gcm, keys)).toEqual(payload);
        }
      }
    }
  });

  it("opens tokens without a kid by trying every secret", async () => {
    const keys = [await keysFor("current", SALTS[0]), await keysFor("previous", SALTS[0])];
    const payload = claims({ sub: "no-kid" });
    const previous = keys[1] as SecretKeys;
    expect(fastOpen(sealWithHeader(previous.cbc, { alg: "dir", enc: "A256CBC-HS512" }, JSON.stringify(payload)), keys)).toEqual(payload);
    expect(fastOpen(await joseGcm(previous.gcm, {}, JSON.stringify(payload)), keys)).toEqual(payload);
  });

  it("refuses every tampering jose refuses (property loop over bits, parts and truncations)", async () => {
    const rand = prng(1234);
    const keys = [await keysFor("tamper-secret", SALTS[1]), await keysFor("tamper-old", SALTS[1])];
    const first = keys[0] as SecretKeys;
    let checked = 0;
    for (let round = 0; round < 16; round++) {
      const payload = claims(randomPayload(rand, round * 3));
      const token = sealCbcHs512(node, first.cbc, JSON.stringify(payload));
      const other = sealCbcHs512(node, first.cbc, JSON.stringify(claims({ sub: "other" })));
      const gcm = await joseGcm(first.gcm, { kid: first.gcm.kid }, JSON.stringify(payload));
      const tampered: string[] = [];
      for (const source of [token, gcm]) {
        for (const part of [0, 2, 3, 4]) {
          const length = Buffer.from(source.split(".")[part] ?? "", "base64url").length;
          for (let k = 0; k < 4; k++) {
            const bit = Math.floor(rand() * length * 8);
            tampered.push(mutatePart(source, part, (bytes) => void (bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) ^ (1 << (bit & 7)))));
          }
          tampered.push(mutatePart(source, part, (bytes) => void bytes.fill(0, 0, 1)));
        }
        tampered.push(source.replace("..", ".AAAA."));
        for (let k = 0; k < 6; k++) tampered.push(source.slice(0, Math.floor(rand() * source.length)));
        tampered.push(source.slice(1), `${source}.`, `${source}A`, source.replace("..", "."), `.${source}`, source.split(".").slice(0, 4).join("."));
      }
      const swap = (a: string, b: string, part: number) => a.split(".").map((p, i) => (i === part ? b.split(".")[i] : p)).join(".");
      for (const part of [0, 2, 3, 4]) tampered.push(swap(token, other, part), swap(token, gcm, part), swap(gcm, token, part));

      for (const candidate of tampered) {
        const jose = await joseOpen(candidate, keys);
        const fast = fastOpen(candidate, keys);
        if (jose === "rejected") expect(fast, candidate).toBe("rejected");
        else expect(fast, candidate).toEqual(jose);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("refuses wrong secrets, wrong salts, expired and not-yet-valid tokens, as jose does", async () => {
    const keys = await keysFor("right", SALTS[0]);
    const cases: Array<[string, SecretKeys[]]> = [
      [sealCbcHs512(node, keys.cbc, JSON.stringify(claims({}))), [await keysFor("wrong", SALTS[0])]],
      [sealCbcHs512(node, keys.cbc, JSON.stringify(claims({}))), [await keysFor("right", SALTS[1])]],
      [sealWithHeader(keys.cbc, { alg: "dir", enc: "A256CBC-HS512" }, JSON.stringify(claims({}))), [await keysFor("wrong", SALTS[0])]],
      [sealCbcHs512(node, keys.cbc, JSON.stringify(claims({}, NOW - 3600 - 15))), [keys]],
      [sealCbcHs512(node, keys.cbc, JSON.stringify({ ...claims({}), nbf: NOW + 16 })), [keys]],
    ];
    for (const [token, secrets] of cases) {
      expect(await joseOpen(token, secrets)).toBe("rejected");
      expect(fastOpen(token, secrets)).toBe("rejected");
    }
    const edge = sealCbcHs512(node, keys.cbc, JSON.stringify(claims({}, NOW - 3600 - 14)));
    expect(fastOpen(edge, [keys])).toEqual(await joseOpen(edge, [keys]));
    expect(openCompact(node, cases[0]?.[0] ?? "", cases[0]?.[1] ?? [], NOW)).toBe("no-key");
    expect(openCompact(node, cases[2]?.[0] ?? "", cases[2]?.[1] ?? [], NOW)).toBe("decryption-failed");
    expect(openCompact(node, cases[3]?.[0] ?? "", [keys], NOW)).toBe("expired");
    expect(openCompact(node, cases[4]?.[0] ?? "", [keys], NOW)).toBe("not-yet-valid");
  });

  it("treats validly encrypted but odd headers and payloads as jose does, and refuses zip and crit regardless", async () => {
    const keys = await keysFor("header-games", SALTS[0]);
    const body = JSON.stringify(claims({ sub: "s" }));
    const headers: Array<Record<string, unknown>> = [
      { alg: "none", enc: "A256CBC-HS512" },
      { alg: "RSA-OAEP", enc: "A256CBC-HS512" },
      { alg: "dir", enc: "A128CBC-HS256" },
      { alg: "dir", enc: "A256GCM", kid: keys.cbc.kid },
      { alg: "dir", enc: "A256CBC-HS512", kid: keys.gcm.kid },
      { alg: "dir", enc: "A256CBC-HS512", kid: 1 },
      { alg: "dir", enc: "A256CBC-HS512", typ: "JWT" },
      { alg: "dir", enc: "A256CBC-HS512", sub: "s" },
      { alg: "dir", enc: "A256CBC-HS512", sub: "not-s" },
      { alg: "dir", enc: "A256CBC-HS512", crit: ["b64"], b64: true },
      { alg: "dir", enc: "A256CBC-HS512", crit: "x" },
      { alg: "dir", enc: "A256CBC-HS512", zip: "XYZ" },
    ];
    for (const header of headers) {
      const token = sealWithHeader(keys.cbc, header, body);
      const jose = await joseOpen(token, [keys]);
      const fast = fastOpen(token, [keys]);
      if (jose === "rejected") expect(fast, JSON.stringify(header)).toBe("rejected");
      else expect(fast, JSON.stringify(header)).toEqual(jose);
    }
    // jose inflates zip:"DEF"; latch never writes it and refuses it (no compression oracle).
    const zipped = await new CompactEncrypt(new TextEncoder().encode(body)).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", zip: "DEF" }).encrypt(keys.cbc.key);
    expect(fastOpen(zipped, [keys])).toBe("rejected");
    expect(fastOpen(sealWithHeader(keys.cbc, { alg: "dir", enc: "A256CBC-HS512", crit: ["exp"], exp: 1 }, body), [keys])).toBe("rejected");

    for (const plaintext of ["[]", "42", '"str"', "null", "{not json", '{"iat":"x"}', '{"exp":null}']) {
      const token = sealCbcHs512(node, keys.cbc, plaintext);
      expect(await joseOpen(token, [keys]), plaintext).toBe("rejected");
      expect(fastOpen(token, [keys]), plaintext).toBe("rejected");
    }
  });

  it("refuses payloads that are not UTF-8 even when authentic", async () => {
    const keys = await keysFor("utf8", SALTS[0]);
    const bytes = Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
    const token = await new CompactEncrypt(bytes).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: keys.cbc.kid }).encrypt(keys.cbc.key);
    expect(await joseOpen(token, [keys])).toBe("rejected");
    expect(openCompact(node, token, [keys], NOW)).toBe("invalid-claims");
  });

  it("refuses non-canonical base64url that lenient decoders (and so jose) would accept", async () => {
    const keys = await keysFor("canonical", SALTS[0]);
    const token = sealCbcHs512(node, keys.cbc, JSON.stringify(claims({})));
    const parts = token.split(".");
    const iv = parts[2] ?? "";
    // 16 bytes → 22 characters; the last carries 4 unused bits.
    const last = iv.charAt(iv.length - 1);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = alphabet.charAt(alphabet.indexOf(last) + 1);
    parts[2] = iv.slice(0, -1) + twin;
    const nonCanonical = parts.join(".");
    expect(Buffer.from(parts[2], "base64url")).toEqual(Buffer.from(iv, "base64url"));
    expect(fastOpen(nonCanonical, [keys])).toBe("rejected");
    const padded = [`${token}==`, token.replace("..", "=.."), token.replace(/-/g, "+"), token.replace(/_/g, "/"), token.replace("..", ".. ")];
    for (const variant of padded.filter((v) => v !== token)) expect(fastOpen(variant, [keys])).toBe("rejected");
  });

  it("refuses huge input without decoding it", async () => {
    const keys = await keysFor("huge", SALTS[0]);
    const token = sealCbcHs512(node, keys.cbc, JSON.stringify(claims({})));
    const huge = token.replace("..", `..${"A".repeat(2_000_000)}`);
    expect(openCompact(node, huge, [keys], NOW)).toBe("malformed");
    expect(openCompact(node, ".".repeat(3_000_000), [keys], NOW)).toBe("malformed");
    expect(await joseOpen(huge, [keys])).toBe("rejected");
  });
});
