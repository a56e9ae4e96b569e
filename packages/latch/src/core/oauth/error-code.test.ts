import { describe, expect, it } from "vitest";
import { quotedErrorCode } from "./error-code.js";

describe("quotedErrorCode", () => {
  it("quotes an ordinary code as it is", () => {
    expect(quotedErrorCode("invalid_grant")).toBe('"invalid_grant"');
  });

  it("escapes every character that could end a log line or hide one: C0 and C1 controls, DEL, U+2028, U+2029", () => {
    const quoted = quotedErrorCode("a\r\nb\u0085c\u2028d\u2029e\u007ff\u0000");
    expect(quoted).not.toMatch(/[\p{Cc}\u2028\u2029]/u);
    expect(JSON.parse(quoted.replace(/\\u(00[89][0-9a-f]|007f|202[89])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))))).toBe("a\r\nb\u0085c\u2028d\u2029e\u007ff\u0000");
  });

  it("keeps at most 100 characters of the code", () => {
    expect(quotedErrorCode("x".repeat(500))).toBe(`"${"x".repeat(100)}"`);
  });
});
