/**
 * Property tests of the `Cookie` header parser and the chunked session cookie: whatever a client
 * sends, parsing never throws, and what latch writes reads back exactly, however the browser
 * orders, pads or mixes the cookies.
 */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultCookies, parseCookieHeader, readChunkedCookie, serializeCookie, writeChunkedCookie, type OutgoingCookie } from "../../src/core/cookies.js";
import { isWellFormed, messyString, TRICKY_FRAGMENTS } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";

const cookieName = fc.stringMatching(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,16}$/);
const sessionOption = defaultCookies(false).sessionToken;

/** The `name=value` part of a `Set-Cookie` line, as a browser sends it back. */
function sentBack(cookie: OutgoingCookie): string {
  return serializeCookie(cookie).split(";")[0] ?? "";
}

/** Separators as browsers and hand-written clients put them between pairs. */
const separator = fc.constantFrom(";", "; ", " ; ", ";;", "; ;", ";\t");

/** Segments the parser must skip: no `=` before a `;`. */
const junkSegment = messyString(4).map((s) => s.replace(/[;=]/g, ""));

describe("parseCookieHeader", () => {
  it("never throws, and every pair it returns has a trimmed name free of ; and =", () => {
    const header = fc.oneof(
      messyString(40),
      fc.string({ unit: "binary", maxLength: 200 }),
      fc.array(fc.tuple(messyString(3), messyString(3)), { maxLength: 30 }).map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join(";")),
    );
    fc.assert(
      fc.property(header, (value) => {
        const cookies = parseCookieHeader(value);
        expect(cookies.size).toBeLessThanOrEqual(value.split(";").length);
        for (const [name] of cookies) {
          expect(name).not.toBe("");
          expect(name).toBe(name.trim());
          expect(name).not.toMatch(/[;=]/);
        }
      }),
      fuzzRuns(500),
    );
  });

  it("reads back every cookie latch serializes, first occurrence winning, around junk the parser skips", () => {
    const pair = fc.tuple(cookieName, fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.constantFrom(...TRICKY_FRAGMENTS.filter(isWellFormed))));
    const item = fc.oneof({ weight: 4, arbitrary: pair.map((p) => ({ pair: p })) }, { weight: 1, arbitrary: junkSegment.map((junk) => ({ junk })) });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), fc.array(separator, { minLength: 20, maxLength: 20 }), (items, separators) => {
        const expected = new Map<string, string>();
        const parts: string[] = [];
        for (const entry of items) {
          if ("junk" in entry) {
            parts.push(entry.junk);
            continue;
          }
          const [name, value] = entry.pair;
          if (!expected.has(name)) expected.set(name, value);
          parts.push(sentBack({ name, value, options: {} }));
        }
        const header = parts.map((part, i) => `${i === 0 ? "" : (separators[i] ?? ";")}${part}`).join("");
        expect(parseCookieHeader(header)).toEqual(expected);
      }),
      fuzzRuns(500),
    );
  });

  it("skips a value with a broken percent escape instead of throwing, keeping the other cookies", () => {
    const broken = fc.constantFrom("%", "%2", "%zz", "%E0%A4%A", "%C0", "%uD800", "a%", "%%");
    fc.assert(
      fc.property(cookieName, broken, cookieName, fc.string({ maxLength: 20 }), (badName, value, goodName, goodValue) => {
        fc.pre(badName !== goodName);
        const header = `${badName}=${value}; ${sentBack({ name: goodName, value: goodValue, options: {} })}`;
        const cookies = parseCookieHeader(header);
        expect(cookies.has(badName)).toBe(false);
        expect(cookies.get(goodName)).toBe(goodValue);
      }),
      fuzzRuns(300),
    );
  });

  it("handles huge headers in linear time", () => {
    const unit = fc.constantFrom("=", ";", "%", '"', "a=%", "a=b;", " ", "a=\"\";");
    fc.assert(
      fc.property(unit, fc.integer({ min: 10_000, max: 200_000 }), (piece, repeat) => {
        const started = performance.now();
        parseCookieHeader(piece.repeat(Math.ceil(repeat / piece.length)));
        expect(performance.now() - started).toBeLessThan(2_000);
      }),
      fuzzRuns(20),
    );
  });
});

describe("chunked session cookie", () => {
  // What latch writes into the session cookie: a compact JWE, or any printable ASCII a custom encoder returns.
  const tokenValue = fc.oneof(
    fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), maxLength: 20_000 }),
    fc.string({ unit: "grapheme-ascii", maxLength: 9_000 }),
  );
  const strangers = fc.array(
    fc.tuple(
      fc.oneof(
        cookieName,
        fc.constantFrom(
          "authjs.session-token-x",
          "authjs.session-token.",
          "authjs.session-token.a",
          "authjs.session-token.1a",
          "authjs.session-token.1234",
          "authjs.session-token.-1",
          "xauthjs.session-token",
          "__Secure-authjs.session-token",
          "__Secure-authjs.session-token.0",
        ),
      ),
      fc.string({ maxLength: 30 }),
    ),
    { maxLength: 6 },
  );

  it("reads back what it wrote, whatever the order of the cookies and the strangers among them", () => {
    fc.assert(
      fc.property(tokenValue, strangers, fc.array(fc.nat(), { minLength: 32, maxLength: 32 }), (value, others, keys) => {
        const written = writeChunkedCookie(sessionOption, value, [], 3600);
        for (const cookie of written) expect(new TextEncoder().encode(serializeCookie(cookie)).length).toBeLessThanOrEqual(4096 + 200);
        const pairs = [...written.map(sentBack), ...others.map(([name, v]) => sentBack({ name, value: v, options: {} }))];
        const shuffled = pairs.map((pair, i) => ({ pair, key: keys[i] ?? 0 })).sort((a, b) => a.key - b.key).map((entry) => entry.pair);
        const read = readChunkedCookie(parseCookieHeader(shuffled.join("; ")), sessionOption.name);
        expect(read.value).toBe(value);
        expect([...read.names].sort()).toEqual(written.map((c) => c.name).sort());
      }),
      fuzzRuns(200),
    );
  });

  it("deletes every stale chunk the new value does not use", () => {
    fc.assert(
      fc.property(tokenValue, fc.integer({ min: 0, max: 12 }), (value, staleCount) => {
        const stale = [sessionOption.name, ...Array.from({ length: staleCount }, (_, i) => `${sessionOption.name}.${i}`)];
        const written = writeChunkedCookie(sessionOption, value, stale, 3600);
        const kept = new Set(written.filter((c) => c.options.maxAge !== 0).map((c) => c.name));
        const deleted = new Set(written.filter((c) => c.options.maxAge === 0).map((c) => c.name));
        for (const name of stale) expect(kept.has(name) || deleted.has(name)).toBe(true);
        for (const name of kept) expect(deleted.has(name)).toBe(false);
      }),
      fuzzRuns(200),
    );
  });

  it("never throws on arbitrary cookie maps, and joins exactly the chunks of its own name in index order", () => {
    const name = fc.oneof(
      fc.constantFrom(sessionOption.name, `${sessionOption.name}.`),
      fc.integer({ min: 0, max: 1200 }).map((i) => `${sessionOption.name}.${i}`),
      fc.stringMatching(/^\d{1,5}$/).map((suffix) => `${sessionOption.name}.${suffix}`),
      messyString(3).map((suffix) => `${sessionOption.name}${suffix}`),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.string({ maxLength: 10 })), { maxLength: 60 }), (entries) => {
        const cookies = new Map(entries);
        const read = readChunkedCookie(cookies, sessionOption.name);
        const own = [...cookies].filter(([n]) => n === sessionOption.name || new RegExp(`^${sessionOption.name.replace(/\./g, "\\.")}\\.\\d{1,3}$`).test(n));
        expect(read.names.sort()).toEqual(own.map(([n]) => n).sort());
        if (own.length === 0) expect(read.value).toBeUndefined();
        else expect(read.value?.length).toBe(own.reduce((sum, [, v]) => sum + v.length, 0));
      }),
      fuzzRuns(300),
    );
  });
});
