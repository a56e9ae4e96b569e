import { randomBytes, randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkSecrets } from "./secret.js";
import { measureSecret } from "./secret-strength.js";

const strong = () => randomBytes(32).toString("base64");

function codes(env: Record<string, string>): string[] {
  return checkSecrets(env, {}).map((f) => `${f.severity}:${f.code}`);
}

describe("measureSecret", () => {
  it("rates what `latch secret` and openssl print at 256 bits or more", () => {
    expect(measureSecret(strong()).bits).toBeGreaterThanOrEqual(256);
    expect(measureSecret(randomBytes(33).toString("base64")).bits).toBeGreaterThanOrEqual(256);
    expect(measureSecret(randomBytes(32).toString("hex")).bits).toBe(256);
    expect(measureSecret(strong()).flaw).toBeUndefined();
  });

  it("flags placeholders, repeated patterns and phrases", () => {
    for (const value of ["secret", "changeme", "CHANGE_ME", "<your-secret>", "your-secret-here", "change-me-in-production", "..."]) {
      expect(measureSecret(value).flaw, value).toBe("placeholder");
    }
    for (const value of ["a".repeat(64), "abcabcabcabcabcabcabcabcabcabcabcabc", "0101010101010101010101010101010101010101"]) {
      expect(measureSecret(value).flaw, value).toBe("repetitive");
    }
    expect(measureSecret("correct horse battery staple").flaw).toBe("phrase");
  });

  it("does not take a long random hex or digit string for a repeated pattern: it uses its whole alphabet", () => {
    // `openssl rand -hex 128`: 256 characters, all 16 hex digits.
    expect(measureSecret(randomBytes(128).toString("hex")).flaw).toBeUndefined();
    expect(measureSecret(randomBytes(512).toString("hex")).flaw).toBeUndefined();
    expect(measureSecret(Array.from({ length: 300 }, () => randomInt(10)).join("")).flaw).toBeUndefined();
    // Still: a long value of a few characters.
    expect(measureSecret("ab".repeat(100) + "ba".repeat(100) + "cd".repeat(60)).flaw).toBe("repetitive");
  });
});

describe("checkSecrets", () => {
  it("errors when no secret is set", () => {
    expect(codes({})).toEqual(["error:secret-missing"]);
    expect(codes({ AUTH_SECRET: "" })).toEqual(["error:secret-missing"]);
  });

  it("errors on placeholder, repetitive and short secrets; warns below 256 bits and on phrases", () => {
    expect(codes({ AUTH_SECRET: "changeme" })).toEqual(["error:secret-placeholder"]);
    expect(codes({ AUTH_SECRET: "x".repeat(40) })).toEqual(["error:secret-repetitive"]);
    expect(codes({ AUTH_SECRET: "Zk3p9Q" })).toEqual(["error:secret-weak"]);
    expect(codes({ AUTH_SECRET: randomBytes(24).toString("base64") })).toEqual(["warn:secret-short"]);
    expect(codes({ AUTH_SECRET: "correct horse battery staple" })).toEqual(["warn:secret-phrase"]);
    expect(codes({ AUTH_SECRET: ` ${strong()}` })).toEqual(["warn:secret-whitespace", "ok:secret-ok"]);
  });

  it("is content with a long random hex secret (openssl rand -hex 128)", () => {
    expect(codes({ AUTH_SECRET: randomBytes(128).toString("hex") })).toEqual(["ok:secret-ok"]);
  });

  it("never prints a secret; prints a fingerprint only for strong ones", () => {
    const value = strong();
    const [ok] = checkSecrets({ AUTH_SECRET: value }, { AUTH_SECRET: ".env.local" });
    expect(ok?.message).toMatch(/AUTH_SECRET \(from \.env\.local\): 44 characters, ~258 bits if random; fingerprint sha256:[0-9a-f]{8}/);
    expect(ok?.message).not.toContain(value);
    const [weak] = checkSecrets({ AUTH_SECRET: "changeme" }, {});
    expect(`${weak?.message ?? ""} ${weak?.fix ?? ""}`).not.toMatch(/changeme|sha256/);
  });

  it("reads the rotation list as latch does: the highest AUTH_SECRET_n encrypts", () => {
    const findings = checkSecrets({ AUTH_SECRET: strong(), AUTH_SECRET_1: strong(), AUTH_SECRET_2: strong() }, {});
    expect(findings.map((f) => f.code)).toEqual(["secret-ok", "secret-ok", "secret-ok", "secret-rotation"]);
    expect(findings.at(-1)?.message).toContain("AUTH_SECRET_2 encrypts new sessions; AUTH_SECRET_1, AUTH_SECRET still decrypt");
  });

  it("checks each rotated secret and warns about duplicates and a shadowed NEXTAUTH_SECRET", () => {
    const value = strong();
    expect(codes({ AUTH_SECRET: value, AUTH_SECRET_1: "changeme" })).toEqual(["error:secret-placeholder", "ok:secret-ok", "ok:secret-rotation"]);
    expect(codes({ AUTH_SECRET: value, AUTH_SECRET_1: value })).toContain("warn:secret-duplicate");
    expect(codes({ AUTH_SECRET: value, NEXTAUTH_SECRET: strong() })).toContain("warn:secret-legacy-shadowed");
    expect(codes({ NEXTAUTH_SECRET: value })).toEqual(["ok:secret-ok"]);
  });
});
