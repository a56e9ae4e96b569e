/**
 * Property tests of the `Authorization` header parser: any header is `none`, `invalid` or one
 * token68 of at most 8 KB, and every well-formed `Bearer <token68>` is read back exactly.
 */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAuthorization } from "../../src/core/bearer.js";
import { headerSafe, messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_HEADER = 8192;

const token68 = fc
  .tuple(fc.string({ unit: fc.constantFrom(..."ABCxyz0189-._~+/"), minLength: 1, maxLength: 64 }), fc.string({ unit: fc.constant("="), maxLength: 3 }))
  .map(([body, padding]) => `${body}${padding}`);
const scheme = fc.constantFrom("Bearer", "bearer", "BEARER", "BeArEr", "Basic", "Bearer:", "Bearerx", "Token", "", "DPoP");
const gap = fc.constantFrom(" ", "  ", "", "\t", ",", ", ", " Bearer ");

describe("parseAuthorization", () => {
  it("is none only without a header or for another scheme than Bearer, and any token it returns is one token68 of at most 8 KB", () => {
    const header = fc.oneof(
      fc.constant(null),
      messyString(20),
      fc.tuple(scheme, gap, fc.array(fc.oneof(token68, messyString(3)), { maxLength: 3 }), gap).map(([s, g, tokens, tail]) => `${s}${g}${tokens.join(" ")}${tail}`),
      fc.tuple(scheme, token68, fc.integer({ min: 1, max: 3_000 })).map(([s, t, n]) => `${s} ${t.repeat(n)}`),
    );
    fc.assert(
      fc.property(header, fc.boolean(), (raw, asReceived) => {
        const value = raw !== null && asReceived ? headerSafe(raw).trim() : raw;
        const result = parseAuthorization(value);
        expect(["none", "invalid", "token"]).toContain(result.kind);
        // The scheme is the header's first word (RFC 9110 §11.6.2); only Bearer's are latch's.
        const scheme = value?.split(/[ \t]/, 1)[0]?.toLowerCase();
        expect(result.kind === "none").toBe(scheme !== "bearer");
        if (result.kind === "token") {
          expect(result.token).toMatch(TOKEN68);
          expect(result.token.length).toBeLessThanOrEqual(MAX_HEADER);
          expect(value?.trimEnd().split(/ +/).slice(1)).toEqual([result.token]);
          expect(value?.slice(0, 7).toLowerCase()).toBe("bearer ");
        }
      }),
      fuzzRuns(500),
    );
  });

  it("reads back every well-formed `Bearer <token68>`, any case and spacing, up to 8 KB", () => {
    const long = fc.tuple(token68, fc.integer({ min: 1, max: 400 })).map(([t, n]) => t.replace(/=+$/, "").repeat(n).slice(0, 8000));
    fc.assert(
      fc.property(fc.constantFrom("Bearer", "bearer", "BEARER", "bEaReR"), fc.integer({ min: 1, max: 4 }), fc.oneof(token68, long), fc.integer({ min: 0, max: 3 }), (s, spaces, t, trailing) => {
        const value = `${s}${" ".repeat(spaces)}${t}${" ".repeat(trailing)}`;
        const result = parseAuthorization(value);
        expect(result).toEqual(value.length <= MAX_HEADER ? { kind: "token", token: t } : { kind: "invalid" });
      }),
      fuzzRuns(500),
    );
  });

  it("leaves other schemes alone (a proxy's Basic, an app's own): not latch's, so none", () => {
    fc.assert(
      fc.property(fc.constantFrom("Basic", "Token", "DPoP", "Bearer:", "Bearerx", "ApiKey"), token68, (s, t) => {
        expect(parseAuthorization(`${s} ${t}`)).toEqual({ kind: "none" });
      }),
      fuzzRuns(100),
    );
  });

  it("refuses two credentials, malformed Bearer headers and oversized ones, quickly", () => {
    const refused = fc.oneof(
      fc.tuple(token68, token68).map(([a, b]) => `Bearer ${a} ${b}`),
      fc.tuple(token68, token68).map(([a, b]) => `Bearer ${a}, Bearer ${b}`),
      token68.map((t) => `Bearer\t ${t}`),
      token68.map((t) => `Bearer ${t}!`),
      token68.map((t) => `Bearer ${t.replace(/=+$/, "")}`.padEnd(MAX_HEADER + 1, "A")),
      fc.integer({ min: 10_000, max: 1_000_000 }).map((n) => `Bearer ${"A".repeat(n)}`),
      fc.integer({ min: 10_000, max: 1_000_000 }).map((n) => `Bearer ${" ".repeat(n)}!`),
      // Backtracking bait under the size limit: a long token, long padding or spaces, then a bad character.
      fc.tuple(fc.integer({ min: 1, max: 4_000 }), fc.integer({ min: 1, max: 4_000 }), fc.constantFrom(" ", "="), fc.constantFrom("!", "A", "\t")).map(([n, m, filler, last]) => `Bearer ${"A".repeat(n)}${filler === "=" ? "=".repeat(m) + " " : filler.repeat(m)}${last}`),
    );
    fc.assert(
      fc.property(refused, (value) => {
        const started = performance.now();
        expect(parseAuthorization(value)).toEqual({ kind: "invalid" });
        expect(performance.now() - started).toBeLessThan(500);
      }),
      fuzzRuns(300),
    );
  });
});
