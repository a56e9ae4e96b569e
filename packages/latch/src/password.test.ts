import { scryptSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MAX_PASSWORD_BYTES, createPasswordHasher, hashPassword, needsRehash, verifyPassword } from "./password.js";

// Low costs keep the suite fast (unsafeLowCost: tests only); only one test below runs the
// defaults (ln=17, 128 MiB).
const fast = createPasswordHasher({ logN: 10, unsafeLowCost: true });
const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$/;

function parts(stored: string): { ln: number; r: number; p: number; salt: Buffer; key: Buffer } {
  const match = PHC.exec(stored);
  if (!match) throw new Error(`not a PHC scrypt string: ${stored}`);
  const [, ln, r, p, salt, key] = match;
  return {
    ln: Number(ln),
    r: Number(r),
    p: Number(p),
    salt: Buffer.from(salt ?? "", "base64"),
    key: Buffer.from(key ?? "", "base64"),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

describe("hash and verify", () => {
  it("round-trips and refuses a wrong password", async () => {
    const stored = await fast.hash("correct horse battery staple");
    expect(await fast.verify("correct horse battery staple", stored)).toBe(true);
    expect(await fast.verify("correct horse battery stapl", stored)).toBe(false);
    expect(await fast.verify("Correct horse battery staple", stored)).toBe(false);
  });

  it("writes the PHC-style format, with a fresh salt every time", async () => {
    const a = await fast.hash("hunter2");
    const b = await fast.hash("hunter2");
    expect(a).toMatch(PHC);
    expect(a.startsWith("$scrypt$ln=10,r=8,p=1$")).toBe(true);
    expect(parts(a).salt).toHaveLength(16);
    expect(parts(a).key).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(parts(a).salt.equals(parts(b).salt)).toBe(false);
    expect(parts(a).key.equals(parts(b).key)).toBe(false);
    expect(await fast.verify("hunter2", b)).toBe(true);
  });

  it("derives exactly scrypt(NFKC(password), salt, 32) — checked with an independent scryptSync", async () => {
    const hasher = createPasswordHasher({ logN: 11, r: 4, p: 2, unsafeLowCost: true });
    const password = "Ｐａｓｓ ﬁle ①"; // full-width letters, a ligature and a circled digit
    const stored = await hasher.hash(password);
    const { ln, r, p, salt, key } = parts(stored);
    expect({ ln, r, p }).toEqual({ ln: 11, r: 4, p: 2 });
    const expected = scryptSync(Buffer.from("Pass file 1", "utf8"), salt, 32, { N: 2 ** ln, r, p, maxmem: 2 * 128 * 2 ** ln * r });
    expect(key.equals(expected)).toBe(true);
  });

  it("never truncates: 200- and 1,000-character passwords differ in their last character", async () => {
    for (const length of [200, 1000]) {
      const password = `${"x".repeat(length - 1)}a`;
      const stored = await fast.hash(password);
      expect(await fast.verify(password, stored)).toBe(true);
      expect(await fast.verify(`${"x".repeat(length - 1)}b`, stored)).toBe(false);
      expect(await fast.verify(password.slice(0, -1), stored)).toBe(false);
    }
  });

  it("normalizes with NFKC on both sides", async () => {
    const ligature = await fast.hash("ﬁnance"); // U+FB01 LATIN SMALL LIGATURE FI
    expect(await fast.verify("finance", ligature)).toBe(true);
    const fullWidth = await fast.hash("ＡＢＣ１２３"); // full-width letters and digits
    expect(await fast.verify("ABC123", fullWidth)).toBe(true);
    const plain = await fast.hash("ABC123");
    expect(await fast.verify("ＡＢＣ１２３", plain)).toBe(true);
    // Composed and decomposed é are the same password.
    const composed = await fast.hash("caf\u00e9");
    expect(await fast.verify("cafe\u0301", composed)).toBe(true);
    // NFKC, not case folding.
    expect(await fast.verify("FINANCE", ligature)).toBe(false);
  });

  it("accepts 4096 UTF-8 bytes after normalization and refuses 4097", async () => {
    expect(MAX_PASSWORD_BYTES).toBe(4096);
    const max = "a".repeat(4096);
    const stored = await fast.hash(max);
    expect(await fast.verify(max, stored)).toBe(true);
    await expect(fast.hash("a".repeat(4097))).rejects.toThrow(TypeError);
    await expect(fast.hash("a".repeat(4097))).rejects.toThrow(/4096 UTF-8 bytes/);
    expect(await fast.verify("a".repeat(4097), stored)).toBe(false);
    expect(await fast.verify(`${max}a`, stored)).toBe(false);
    // Counted in bytes: 2048 × "é" is 4096 bytes, one more is over.
    await expect(fast.hash("é".repeat(2048))).resolves.toMatch(PHC);
    await expect(fast.hash("é".repeat(2049))).rejects.toThrow(TypeError);
    // Counted after normalization: "ﬁ" is 3 bytes but normalizes to "fi" (2 bytes) …
    const ligatures = "ﬁ".repeat(2048);
    expect(Buffer.byteLength(ligatures)).toBe(6144);
    expect(await fast.verify("fi".repeat(2048), await fast.hash(ligatures))).toBe(true);
    // … while U+FDFA (3 bytes) expands to 18 characters.
    await expect(fast.hash("\uFDFA".repeat(200))).rejects.toThrow(TypeError);
    // Huge input is refused without being normalized.
    await expect(fast.hash("a".repeat(5_000_000))).rejects.toThrow(TypeError);
    expect(await fast.verify("a".repeat(5_000_000), stored)).toBe(false);
  });

  it("refuses empty, ill-formed and non-string passwords", async () => {
    await expect(fast.hash("")).rejects.toThrow(/must not be empty/);
    await expect(fast.hash("abc\ud800")).rejects.toThrow(/lone UTF-16 surrogate/);
    await expect(fast.hash(42 as unknown as string)).rejects.toThrow(TypeError);
    const stored = await fast.hash("abc\ufffd");
    expect(await fast.verify("abc\ud800", stored)).toBe(false);
    expect(await fast.verify("", stored)).toBe(false);
    expect(await fast.verify(undefined as unknown as string, stored)).toBe(false);
    // A well-formed astral character is fine.
    expect(await fast.verify("🔑🔑", await fast.hash("🔑🔑"))).toBe(true);
  });
});

describe("stored hashes", () => {
  const SALT = "AAAAAAAAAAAAAAAAAAAAAA"; // 16 zero bytes
  const KEY = "A".repeat(43); // 32 zero bytes
  const valid = `$scrypt$ln=10,r=8,p=1$${SALT}$${KEY}`;

  it.each([
    ["empty string", ""],
    ["wrong prefix", `$scrypt2$ln=10,r=8,p=1$${SALT}$${KEY}`],
    ["other algorithm", `$argon2id$v=19$m=65536,t=3,p=4$${SALT}$${KEY}`],
    ["bcrypt", "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW"],
    ["no leading $", valid.slice(1)],
    ["extra field", `${valid}$AAAA`],
    ["extra parameter", `$scrypt$ln=10,r=8,p=1,k=1$${SALT}$${KEY}`],
    ["parameters reordered", `$scrypt$r=8,ln=10,p=1$${SALT}$${KEY}`],
    ["missing parameter", `$scrypt$ln=10,r=8$${SALT}$${KEY}`],
    ["ln=40", `$scrypt$ln=40,r=8,p=1$${SALT}$${KEY}`],
    ["ln=9", `$scrypt$ln=9,r=8,p=1$${SALT}$${KEY}`],
    ["ln=21", `$scrypt$ln=21,r=1,p=1$${SALT}$${KEY}`],
    ["r=0", `$scrypt$ln=10,r=0,p=1$${SALT}$${KEY}`],
    ["r=33", `$scrypt$ln=10,r=33,p=1$${SALT}$${KEY}`],
    ["p=0", `$scrypt$ln=10,r=8,p=0$${SALT}$${KEY}`],
    ["p=17", `$scrypt$ln=10,r=8,p=17$${SALT}$${KEY}`],
    ["ln=20,r=32 (4 GiB)", `$scrypt$ln=20,r=32,p=1$${SALT}$${KEY}`],
    ["ln=20,r=8 (1 GiB)", `$scrypt$ln=20,r=8,p=1$${SALT}$${KEY}`],
    ["ln=17,r=8,p=16 (16× the work)", `$scrypt$ln=17,r=8,p=16$${SALT}$${KEY}`],
    ["negative", `$scrypt$ln=-10,r=8,p=1$${SALT}$${KEY}`],
    ["fraction", `$scrypt$ln=10.5,r=8,p=1$${SALT}$${KEY}`],
    ["leading zero", `$scrypt$ln=010,r=8,p=1$${SALT}$${KEY}`],
    ["huge number", `$scrypt$ln=99999999999999999999,r=8,p=1$${SALT}$${KEY}`],
    ["empty salt", `$scrypt$ln=10,r=8,p=1$$${KEY}`],
    ["empty key", `$scrypt$ln=10,r=8,p=1$${SALT}$`],
    ["short salt (8 bytes)", `$scrypt$ln=10,r=8,p=1$AAAAAAAAAAA$${KEY}`],
    ["long salt (32 bytes)", `$scrypt$ln=10,r=8,p=1$${KEY}$${KEY}`],
    ["short key (16 bytes)", `$scrypt$ln=10,r=8,p=1$${SALT}$${SALT}`],
    ["padded salt", `$scrypt$ln=10,r=8,p=1$${SALT}==$${KEY}`],
    ["non-base64 salt", `$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAA!A$${KEY}`],
    ["base64url key", `$scrypt$ln=10,r=8,p=1$${SALT}$${"_".repeat(42)}A`],
    ["non-canonical salt (pad bits set)", `$scrypt$ln=10,r=8,p=1$${SALT.slice(0, -1)}B$${KEY}`],
    ["whitespace", ` ${valid}`],
    ["trailing newline", `${valid}\n`],
    ["very long", `${valid}${"A".repeat(100_000)}`],
  ])("refuses %s without throwing", async (_name, stored) => {
    const started = performance.now();
    await expect(fast.verify("password", stored)).resolves.toBe(false);
    expect(needsRehash(stored)).toBe(true);
    expect(fast.needsRehash(stored)).toBe(true);
    // Only the hasher's ln=10 dummy ran, never the row's costs (ln=20,r=32 alone is 4 GiB).
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("accepts the table's well-formed baseline (so the cases above fail for their own reason)", async () => {
    await expect(fast.verify("password", valid)).resolves.toBe(false);
    expect(fast.needsRehash(valid)).toBe(false);
    const real = await fast.hash("password");
    const { salt, key } = parts(real);
    const rebuilt = `$scrypt$ln=10,r=8,p=1$${salt.toString("base64").replace(/=+$/, "")}$${key.toString("base64").replace(/=+$/, "")}`;
    expect(rebuilt).toBe(real);
    expect(await fast.verify("password", rebuilt)).toBe(true);
  });

  it("verifies hashes made with other costs: ln=14 under the default hasher", async () => {
    const ln14 = createPasswordHasher({ logN: 14, unsafeLowCost: true });
    const stored = await ln14.hash("s3cret");
    expect(stored.startsWith("$scrypt$ln=14,r=8,p=1$")).toBe(true);
    expect(await verifyPassword("s3cret", stored)).toBe(true);
    expect(await verifyPassword("s3creT", stored)).toBe(false);
    expect(await fast.verify("s3cret", stored)).toBe(true);
    const odd = await createPasswordHasher({ logN: 10, r: 1, p: 3, unsafeLowCost: true }).hash("s3cret");
    expect(await fast.verify("s3cret", odd)).toBe(true);
  });

  it("needsRehash flags weaker costs only", async () => {
    const ln14 = await createPasswordHasher({ logN: 14, unsafeLowCost: true }).hash("pw");
    const r4 = await createPasswordHasher({ logN: 10, r: 4, unsafeLowCost: true }).hash("pw");
    const current = await fast.hash("pw");
    const stronger = await createPasswordHasher({ logN: 11, r: 16, p: 2, unsafeLowCost: true }).hash("pw");

    expect(needsRehash(ln14)).toBe(true);
    expect(needsRehash(`$scrypt$ln=17,r=8,p=1$${"A".repeat(22)}$${"A".repeat(43)}`)).toBe(false);
    expect(needsRehash(`$scrypt$ln=18,r=8,p=1$${"A".repeat(22)}$${"A".repeat(43)}`)).toBe(false);
    expect(needsRehash(`$scrypt$ln=17,r=4,p=2$${"A".repeat(22)}$${"A".repeat(43)}`)).toBe(true);
    expect(needsRehash(null)).toBe(true);
    expect(needsRehash(undefined)).toBe(true);

    expect(fast.needsRehash(current)).toBe(false);
    expect(fast.needsRehash(ln14)).toBe(false);
    expect(fast.needsRehash(stronger)).toBe(false);
    expect(fast.needsRehash(r4)).toBe(true);
    const p2 = createPasswordHasher({ logN: 10, p: 2, unsafeLowCost: true });
    expect(p2.needsRehash(current)).toBe(true);
    expect(p2.needsRehash(await p2.hash("pw"))).toBe(false);
  });
});

describe("unknown users", () => {
  it("answers false for null and undefined", async () => {
    expect(await fast.verify("anything", null)).toBe(false);
    expect(await fast.verify("anything", undefined)).toBe(false);
    expect(await fast.verify("", null)).toBe(false);
  });

  it("take as long as a wrong password (dummy verification at the hasher's costs)", async () => {
    const hasher = createPasswordHasher({ logN: 14, unsafeLowCost: true });
    const stored = await hasher.hash("the real password");
    await hasher.verify("warm-up", null);
    await hasher.verify("warm-up", stored);

    const wrong: number[] = [];
    const missing: number[] = [];
    const malformed: number[] = [];
    for (let i = 0; i < 5; i++) {
      wrong.push(await elapsed(() => hasher.verify("not the password", stored)));
      missing.push(await elapsed(() => hasher.verify("not the password", i % 2 === 0 ? null : undefined)));
      malformed.push(await elapsed(() => hasher.verify("not the password", "$scrypt$ln=40,r=8,p=1$x$y")));
    }
    const reference = median(wrong);
    // Without the dummy scrypt these paths take microseconds against ~tens of milliseconds.
    expect(reference).toBeGreaterThan(1);
    for (const [label, samples] of [["missing", missing], ["malformed", malformed]] as const) {
      const ratio = median(samples) / reference;
      expect(ratio, `${label}: ${median(samples).toFixed(1)} ms vs wrong password ${reference.toFixed(1)} ms`).toBeGreaterThan(0.33);
      expect(ratio).toBeLessThan(3);
    }
  });

  it("uses the configured costs for the dummy, not the defaults", async () => {
    // ln=10 is ~1 ms; a dummy at the defaults (ln=17, 128 MiB) would take hundreds.
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(await elapsed(() => fast.verify("x", null)));
    expect(median(samples)).toBeLessThan(100);
  });
});

describe("createPasswordHasher", () => {
  it.each([
    [{ logN: 9 }],
    [{ logN: 21 }],
    [{ logN: 16.5 }],
    [{ logN: Number.NaN }],
    [{ r: 0 }],
    [{ r: 33 }],
    [{ p: 0 }],
    [{ p: 17 }],
    [{ logN: 20, r: 8 }],
    [{ logN: 17, p: 16 }],
  ])("refuses out-of-bounds costs %o", (options) => {
    expect(() => createPasswordHasher(options)).toThrow(RangeError);
    // unsafeLowCost lowers the floor for new hashes, not the bounds every hash must keep.
    expect(() => createPasswordHasher({ ...options, unsafeLowCost: true })).toThrow(RangeError);
  });

  it("returns functions that work destructured", async () => {
    const { hash, verify, needsRehash: rehash } = createPasswordHasher({ logN: 10, unsafeLowCost: true });
    const stored = await hash("pw");
    expect(await verify("pw", stored)).toBe(true);
    expect(rehash(stored)).toBe(false);
  });
});

describe("createPasswordHasher: OWASP's minimum for new hashes", () => {
  /** OWASP's weakest scrypt settings (N = 2^14, r = 8, p = 5 and N = 2^13, r = 8, p = 10): N·r·p = 655,360. */
  const OWASP_MIN_WORK = 2 ** 14 * 8 * 5;
  const work = (stored: string) => {
    const { ln, r, p } = parts(stored);
    return 2 ** ln * r * p;
  };

  it.each([
    ["trivially cheap (1,024 units of work)", { logN: 10, r: 1, p: 1 }],
    ["the low-memory example password.ts once documented (N = 2^14, p = 1: a fifth of the minimum)", { logN: 14 }],
    ["N = 2^16, p = 1", { logN: 16 }],
    ["N = 2^13, p = 9 (just under the work)", { logN: 13, p: 9 }],
    ["enough work but 5 MiB (memory traded for passes)", { logN: 12, r: 10, p: 16 }],
  ])("refuses to make new hashes %s, saying the minimum, why, and what to do", (_name, options) => {
    expect(() => createPasswordHasher(options)).toThrow(RangeError);
    expect(() => createPasswordHasher(options)).toThrow(/OWASP.*655360.*8 MiB.*crack.*raise p.*unsafeLowCost: true/s);
  });

  it.each([[{}], [{ logN: 16, p: 2 }], [{ logN: 15, p: 3 }], [{ logN: 14, p: 5 }], [{ logN: 13, p: 10 }], [{ logN: 18 }]])("accepts OWASP's settings %o", (options) => {
    expect(() => createPasswordHasher(options)).not.toThrow();
  });

  it("the documented low-memory hasher ({ logN: 14, p: 5 }) stores hashes at least as costly as OWASP's minimum", async () => {
    const stored = await createPasswordHasher({ logN: 14, p: 5 }).hash("correct horse battery staple");
    expect(stored.startsWith("$scrypt$ln=14,r=8,p=5$")).toBe(true);
    expect(work(stored)).toBeGreaterThanOrEqual(OWASP_MIN_WORK);
  });

  it("makes cheap hashes only when a test opts out with unsafeLowCost, and still verifies them under any hasher", async () => {
    const cheap = await createPasswordHasher({ logN: 10, r: 1, p: 1, unsafeLowCost: true }).hash("pw");
    expect(work(cheap)).toBe(1024);
    // Verifying keeps the wider bounds: hashes stored before the minimum keep signing users in,
    // and needsRehash asks for them to be replaced.
    expect(await verifyPassword("pw", cheap)).toBe(true);
    expect(needsRehash(cheap)).toBe(true);
    expect(() => createPasswordHasher({ logN: 10, r: 1, p: 1, unsafeLowCost: false })).toThrow(RangeError);
  });
});

describe("defaults", () => {
  it("hashes and verifies at ln=17, r=8, p=1 (the one slow test)", async () => {
    const stored = await hashPassword("correct horse battery staple");
    expect(stored.startsWith("$scrypt$ln=17,r=8,p=1$")).toBe(true);
    expect(stored).toMatch(PHC);
    expect(needsRehash(stored)).toBe(false);
    expect(await verifyPassword("correct horse battery staple", stored)).toBe(true);
    expect(await verifyPassword("correct horse battery stapler", stored)).toBe(false);
  });
});
