import { describe, expect, it } from "vitest";
import { applyNormalizer, normalizeEmailAddress } from "./identifier.js";

describe("normalizeEmailAddress", () => {
  it.each([
    ["alice@example.com", "alice@example.com"],
    ["  Alice@Example.COM\t", "alice@example.com"],
    ["ａｌｉｃｅ@ｅｘａｍｐｌｅ.ｃｏｍ", "alice@example.com"],
    ["o'brien+tag@example.com", "o'brien+tag@example.com"],
    ["user@localhost", "user@localhost"],
    ["jürgen@bücher.de", "jürgen@bücher.de"],
  ])("accepts %j as %j", (input, expected) => {
    expect(normalizeEmailAddress(input)).toBe(expected);
  });

  it.each([
    ["two addresses, comma", "a@x.com,b@y.com"],
    ["two addresses, semicolon", "a@x.com;b@y.com"],
    ["quoted local part", '"a@x.com"@y.com'],
    ["full-width @ that NFKC folds into a second @", "a@x.com＠evil.com"],
    ["small form @", "a@x.com﹫evil.com"],
    ["full-width comma", "a@x.com，b@y.com"],
    ["header injection", "a@x.com\r\nBcc: c@z.com"],
    ["line feed", "a@x.com\nb@y.com"],
    ["angle brackets", "<script>@x.com"],
    ["display name", "Alice <alice@x.com>"],
    ["inner space", "a @x.com"],
    ["no-break space", "a\u00a0@x.com"],
    ["zero-width space", "a\u200b@x.com"],
    ["NUL", "a\u0000@x.com"],
    ["comment", "a(b)@x.com"],
    ["route", "@a.com:b@x.com"],
    ["backslash", "a\\@x.com"],
    ["domain literal", "a@[127.0.0.1]"],
    ["no @", "alice.example.com"],
    ["two @", "a@b@x.com"],
    ["empty local part", "@x.com"],
    ["empty domain", "a@"],
    ["empty", ""],
    ["only spaces", "   "],
    ["leading dot in domain", "a@.x.com"],
    ["trailing dot in domain", "a@x.com."],
    ["doubled dot in domain", "a@x..com"],
    ["over 254 characters", `${"a".repeat(60)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`],
    ["local part over 64", `${"a".repeat(65)}@x.com`],
    ["huge input", `${"a".repeat(5000)}@x.com`],
  ])("refuses %s", (_, input) => {
    expect(normalizeEmailAddress(input)).toBeUndefined();
  });

  it("refuses what is not a string", () => {
    for (const value of [undefined, null, 42, ["a@x.com"], { email: "a@x.com" }]) expect(normalizeEmailAddress(value)).toBeUndefined();
  });
});

describe("applyNormalizer", () => {
  it("uses latch's normalizer when the app has none", () => {
    expect(applyNormalizer(undefined, " A@X.com ")).toBe("a@x.com");
    expect(applyNormalizer(undefined, "a@x.com,b@y.com")).toBeUndefined();
  });

  it("uses the app's, refusing a throw, an empty result, and line breaks or control characters whatever it returns", () => {
    const lenient = (value: string) => value;
    expect(applyNormalizer(lenient, "+1 555 0100")).toBe("+1 555 0100");
    expect(applyNormalizer(lenient, "a@x.com\r\nBcc: c@z.com")).toBeUndefined();
    expect(applyNormalizer(lenient, "a@x.com\u2028")).toBeUndefined();
    expect(applyNormalizer(lenient, "")).toBeUndefined();
    expect(applyNormalizer(() => {
      throw new Error("no");
    }, "a@x.com")).toBeUndefined();
    expect(applyNormalizer(lenient, 42)).toBeUndefined();
  });
});
