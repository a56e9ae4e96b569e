/**
 * The WebCrypto JWE path (jwe-web.ts, what the lean proxy runs on Edge) cross-checked against
 * jose, the oracle, and against the node:crypto path: tokens sealed by each open in the others,
 * and every token one refuses the others refuse. Keys are derived with WebCrypto here too
 * (deriveSecretKeys with no node runtime), so the whole Edge path is under test.
 */
import { describe, expect, it } from "vitest";
import { CompactEncrypt, EncryptJWT, base64url, calculateJwkThumbprint, decodeProtectedHeader, jwtDecrypt } from "jose";
import type { JWT } from "../../types.js";
import { decodeBase64url, encodeBase64url } from "./base64url.js";
import { nodeKeys, nodeRuntime, openCompact, sealCbcHs512, type ContentKey, type SecretKeys } from "./jwe-fast.js";
import { openCompactWeb, sealCbcHs512Web, webCryptoKeys } from "./jwe-web.js";
import { deriveKeysWith } from "./key-derivation.js";

if (!nodeRuntime) throw new Error("these tests compare with the node:crypto path and need Node ≥ 20.16");
const node = nodeRuntime;

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
const FRAGMENTS = ["a", "Z", "0", " ", '"', "\\", "\n", "\u0000", "é", "漢字", "🙂", "👩‍💻", "\u2028", "\ufeff", "</script>", "%"];
function randomString(rand: () => number, max: number): string {
  let out = "";
  const length = Math.floor(rand() * max);
  for (let i = 0; i < length; i++) out += pick(rand, FRAGMENTS);
  return out;
}
function randomPayload(rand: () => number, size: number): JWT {
  const payload: JWT = { sub: crypto.randomUUID(), name: randomString(rand, 12), email: "alice@example.com" };
  for (let i = 0; i < Math.floor(rand() * size); i++) payload[`${randomString(rand, 3)}${i}`] = rand() < 0.5 ? randomString(rand, 40) : { n: [i, null, true] };
  return payload;
}
const claims = (payload: JWT, now = NOW, maxAge = 3600): JWT => ({ ...payload, iat: now, exp: now + maxAge, jti: crypto.randomUUID() });

/** The keys as the Edge path derives them: WebCrypto only (cached apart from node:crypto's). */
async function webKeys(secret: string, salt: string): Promise<SecretKeys> {
  return deriveKeysWith(webCryptoKeys, secret, salt);
}

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
      // the next secret
    }
  }
  return "rejected";
}

async function webOpen(token: string, secrets: readonly SecretKeys[], now = NOW): Promise<JWT | "rejected"> {
  const result = await openCompactWeb(token, secrets, now);
  return typeof result === "string" ? "rejected" : result;
}

function nodeOpen(token: string, secrets: readonly SecretKeys[], now = NOW): JWT | "rejected" {
  const result = openCompact(node, token, secrets, now);
  return typeof result === "string" ? "rejected" : result;
}

function sealWithHeader(key: ContentKey, header: Record<string, unknown>, plaintext: string): Promise<string> {
  return sealCbcHs512Web({ ...key, header: encodeBase64url(JSON.stringify(header)) }, plaintext);
}

function joseGcm(key: ContentKey, header: Record<string, unknown>, plaintext: string | Uint8Array): Promise<string> {
  const bytes = typeof plaintext === "string" ? new TextEncoder().encode(plaintext) : plaintext;
  return new CompactEncrypt(bytes).setProtectedHeader({ alg: "dir", enc: "A256GCM", ...header }).encrypt(key.key);
}

function mutatePart(token: string, part: number, mutate: (bytes: Uint8Array) => void): string {
  const parts = token.split(".");
  const bytes = decodeBase64url(parts[part] ?? "");
  mutate(bytes);
  parts[part] = encodeBase64url(bytes);
  return parts.join(".");
}

describe("base64url without Buffer", () => {
  it("round-trips and agrees with jose's encoder", () => {
    const rand = prng(3);
    for (let i = 0; i < 300; i++) {
      const bytes = Uint8Array.from({ length: Math.floor(rand() * 70) }, () => Math.floor(rand() * 256));
      expect(encodeBase64url(bytes)).toBe(base64url.encode(bytes));
      expect(decodeBase64url(encodeBase64url(bytes))).toEqual(bytes);
    }
    expect(encodeBase64url("é🙂")).toBe(base64url.encode("é🙂"));
    const big = new Uint8Array(100_000).fill(7);
    expect(decodeBase64url(encodeBase64url(big))).toEqual(big);
  });
});

describe("keys derived with WebCrypto", () => {
  it("equal the node:crypto derivation, with jose's RFC 7638 thumbprint as kid", async () => {
    for (const salt of SALTS) {
      for (const secret of ["a-secret", "ü-nicode secret 🙂"]) {
        const web = await webKeys(secret, salt);
        const fast = deriveKeysWith(nodeKeys(node), secret, salt) as SecretKeys;
        expect(web).toEqual(fast);
        expect(web.cbc.kid).toBe(await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(web.cbc.key) }, "sha512"));
        expect(web.gcm.kid).toBe(await calculateJwkThumbprint({ kty: "oct", k: base64url.encode(web.gcm.key) }, "sha256"));
      }
    }
  });

  it("are cached apart from the node:crypto ones, and refuse an empty secret", async () => {
    expect(deriveKeysWith(nodeKeys(node), "cache-web", SALTS[0])).not.toBeInstanceOf(Promise);
    const web = deriveKeysWith(webCryptoKeys, "cache-web", SALTS[0]);
    expect(web, "WebCrypto derives asynchronously, whatever node:crypto has cached").toBeInstanceOf(Promise);
    expect(deriveKeysWith(webCryptoKeys, "cache-web", SALTS[0])).toBe(web);
    await web;
    expect(deriveKeysWith(webCryptoKeys, "cache-web", SALTS[0])).not.toBeInstanceOf(Promise);
    expect(() => deriveKeysWith(webCryptoKeys, "", SALTS[0])).toThrow(/AUTH_SECRET/);
  });
});

describe("sealCbcHs512Web", () => {
  it("writes byte-for-byte what jose and the node:crypto path write for the same key, header, IV and plaintext", async () => {
    const rand = prng(11);
    for (const salt of SALTS) {
      const keys = await webKeys("byte-compat", salt);
      for (let i = 0; i < 15; i++) {
        const plaintext = JSON.stringify(claims(randomPayload(rand, i)));
        const iv = crypto.getRandomValues(new Uint8Array(16));
        const ours = await sealCbcHs512Web(keys.cbc, plaintext, iv);
        const theirs = await new CompactEncrypt(new TextEncoder().encode(plaintext)).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: keys.cbc.kid }).setInitializationVector(iv).encrypt(keys.cbc.key);
        expect(ours).toBe(theirs);
        expect(ours).toBe(sealCbcHs512(node, keys.cbc, plaintext, iv));
      }
    }
  });

  it("never repeats an IV", async () => {
    const keys = await webKeys("iv", SALTS[0]);
    const ivs = new Set<string>();
    for (let i = 0; i < 300; i++) ivs.add((await sealCbcHs512Web(keys.cbc, "{}")).split(".")[2] ?? "");
    expect(ivs.size).toBe(300);
  });
});

describe("openCompactWeb cross-checked against jose and the node:crypto path", () => {
  it("opens what jose and node:crypto seal, and they open what it seals, with the same payload", async () => {
    const rand = prng(42);
    for (const salt of SALTS) {
      for (const set of [["one-secret"], ["new-secret", "old-secret"], ["ü 🙂", "b", "c"]]) {
        const keys = await Promise.all(set.map((s) => webKeys(s, salt)));
        const first = keys[0] as SecretKeys;
        const last = keys[keys.length - 1] as SecretKeys;
        for (const size of [0, 1, 5, 30, 200]) {
          const payload = claims(randomPayload(rand, size));
          const web = await sealCbcHs512Web(first.cbc, JSON.stringify(payload));
          expect(await joseOpen(web, keys)).toEqual(payload);
          expect(nodeOpen(web, keys)).toEqual(payload);
          expect(await webOpen(web, keys)).toEqual(payload);

          const body: Record<string, unknown> = payload;
          const viaJose = await new EncryptJWT(body).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: last.cbc.kid }).encrypt(last.cbc.key);
          expect(await webOpen(viaJose, keys)).toEqual(payload);
          expect(await webOpen(sealCbcHs512(node, last.cbc, JSON.stringify(payload)), keys)).toEqual(payload);
          const gcm = await joseGcm(last.gcm, { kid: last.gcm.kid }, JSON.stringify(payload));
          expect(await webOpen(gcm, keys)).toEqual(payload);
        }
      }
    }
  });

  it("opens tokens without a kid by trying every secret", async () => {
    const keys = [await webKeys("current", SALTS[0]), await webKeys("previous", SALTS[0])];
    const previous = keys[1] as SecretKeys;
    const payload = claims({ sub: "no-kid" });
    expect(await webOpen(await sealWithHeader(previous.cbc, { alg: "dir", enc: "A256CBC-HS512" }, JSON.stringify(payload)), keys)).toEqual(payload);
    expect(await webOpen(await joseGcm(previous.gcm, {}, JSON.stringify(payload)), keys)).toEqual(payload);
  });

  it("refuses every tampering jose refuses, with the same reason as node:crypto (property loop over bits, parts and truncations)", async () => {
    const rand = prng(1234);
    const keys = [await webKeys("tamper-secret", SALTS[1]), await webKeys("tamper-old", SALTS[1])];
    const first = keys[0] as SecretKeys;
    let checked = 0;
    for (let round = 0; round < 10; round++) {
      const payload = claims(randomPayload(rand, round * 3));
      const token = await sealCbcHs512Web(first.cbc, JSON.stringify(payload));
      const other = await sealCbcHs512Web(first.cbc, JSON.stringify(claims({ sub: "other" })));
      const gcm = await joseGcm(first.gcm, { kid: first.gcm.kid }, JSON.stringify(payload));
      const tampered: string[] = [];
      for (const source of [token, gcm]) {
        for (const part of [0, 2, 3, 4]) {
          const length = decodeBase64url(source.split(".")[part] ?? "").length;
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
        const web = await openCompactWeb(candidate, keys, NOW);
        if (jose === "rejected") expect(typeof web, candidate).toBe("string");
        else expect(web, candidate).toEqual(jose);
        expect(web, candidate).toEqual(openCompact(node, candidate, keys, NOW));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(700);
  });

  it("refuses wrong secrets, wrong salts, expired and not-yet-valid tokens, as jose does, with node:crypto's reasons", async () => {
    const keys = await webKeys("right", SALTS[0]);
    const cases: Array<[string, SecretKeys[], string]> = [
      [await sealCbcHs512Web(keys.cbc, JSON.stringify(claims({}))), [await webKeys("wrong", SALTS[0])], "no-key"],
      [await sealCbcHs512Web(keys.cbc, JSON.stringify(claims({}))), [await webKeys("right", SALTS[1])], "no-key"],
      [await sealWithHeader(keys.cbc, { alg: "dir", enc: "A256CBC-HS512" }, JSON.stringify(claims({}))), [await webKeys("wrong", SALTS[0])], "decryption-failed"],
      [await sealCbcHs512Web(keys.cbc, JSON.stringify(claims({}, NOW - 3600 - 15))), [keys], "expired"],
      [await sealCbcHs512Web(keys.cbc, JSON.stringify({ ...claims({}), nbf: NOW + 16 })), [keys], "not-yet-valid"],
    ];
    for (const [token, secrets, reason] of cases) {
      expect(await joseOpen(token, secrets)).toBe("rejected");
      expect(await openCompactWeb(token, secrets, NOW)).toBe(reason);
      expect(openCompact(node, token, secrets, NOW)).toBe(reason);
    }
    const edge = await sealCbcHs512Web(keys.cbc, JSON.stringify(claims({}, NOW - 3600 - 14)));
    expect(await webOpen(edge, [keys])).toEqual(await joseOpen(edge, [keys]));
  });

  it("treats validly encrypted but odd headers and payloads as jose does, and refuses zip and crit regardless", async () => {
    const keys = await webKeys("header-games", SALTS[0]);
    const body = JSON.stringify(claims({ sub: "s" }));
    const headers: Array<Record<string, unknown>> = [
      { alg: "none", enc: "A256CBC-HS512" },
      { alg: "dir", enc: "A128CBC-HS256" },
      { alg: "dir", enc: "A256GCM", kid: keys.cbc.kid },
      { alg: "dir", enc: "A256CBC-HS512", kid: keys.gcm.kid },
      { alg: "dir", enc: "A256CBC-HS512", kid: 1 },
      { alg: "dir", enc: "A256CBC-HS512", typ: "JWT" },
      { alg: "dir", enc: "A256CBC-HS512", sub: "s" },
      { alg: "dir", enc: "A256CBC-HS512", sub: "not-s" },
      { alg: "dir", enc: "A256CBC-HS512", crit: "x" },
    ];
    for (const header of headers) {
      const token = await sealWithHeader(keys.cbc, header, body);
      const jose = await joseOpen(token, [keys]);
      const web = await webOpen(token, [keys]);
      if (jose === "rejected") expect(web, JSON.stringify(header)).toBe("rejected");
      else expect(web, JSON.stringify(header)).toEqual(jose);
      expect(web).toEqual(nodeOpen(token, [keys]));
    }
    const zipped = await new CompactEncrypt(new TextEncoder().encode(body)).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", zip: "DEF" }).encrypt(keys.cbc.key);
    expect(await webOpen(zipped, [keys])).toBe("rejected");
    expect(await webOpen(await sealWithHeader(keys.cbc, { alg: "dir", enc: "A256CBC-HS512", crit: ["exp"], exp: 1 }, body), [keys])).toBe("rejected");

    for (const plaintext of ["[]", "42", '"str"', "null", "{not json", '{"iat":"x"}', '{"exp":null}']) {
      const token = await sealCbcHs512Web(keys.cbc, plaintext);
      expect(await joseOpen(token, [keys]), plaintext).toBe("rejected");
      expect(await webOpen(token, [keys]), plaintext).toBe("rejected");
    }
  });

  it("refuses payloads that are not UTF-8, and (as node:crypto does, unlike jose) one that starts with a byte-order mark", async () => {
    const keys = await webKeys("utf8", SALTS[0]);
    const invalid = Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]); // {"a":"\xff"}
    const token = await new CompactEncrypt(invalid).setProtectedHeader({ alg: "dir", enc: "A256CBC-HS512", kid: keys.cbc.kid }).encrypt(keys.cbc.key);
    expect(await joseOpen(token, [keys])).toBe("rejected");
    expect(await openCompactWeb(token, [keys], NOW)).toBe("invalid-claims");
    expect(openCompact(node, token, [keys], NOW)).toBe("invalid-claims");

    // Only a key holder can write one and latch never does; both latch paths refuse it alike.
    const bom = await sealCbcHs512Web(keys.cbc, `\ufeff${JSON.stringify(claims({}))}`);
    expect(await openCompactWeb(bom, [keys], NOW)).toBe("invalid-claims");
    expect(openCompact(node, bom, [keys], NOW)).toBe("invalid-claims");
    const bomGcm = await joseGcm(keys.gcm, { kid: keys.gcm.kid }, `\ufeff{}`);
    expect(await openCompactWeb(bomGcm, [keys], NOW)).toBe(openCompact(node, bomGcm, [keys], NOW));
  });

  it("refuses non-canonical base64url that lenient decoders (and so jose) would accept, and huge input", async () => {
    const keys = await webKeys("canonical", SALTS[0]);
    const token = await sealCbcHs512Web(keys.cbc, JSON.stringify(claims({})));
    const parts = token.split(".");
    const iv = parts[2] ?? "";
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    parts[2] = iv.slice(0, -1) + alphabet.charAt(alphabet.indexOf(iv.charAt(iv.length - 1)) + 1);
    expect(await webOpen(parts.join("."), [keys])).toBe("rejected");
    for (const variant of [`${token}==`, token.replace("..", "=.."), token.replace("..", ".. ")]) expect(await webOpen(variant, [keys])).toBe("rejected");
    expect(await openCompactWeb(token.replace("..", `..${"A".repeat(2_000_000)}`), [keys], NOW)).toBe("malformed");
  });
});
