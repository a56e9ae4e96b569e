/**
 * Property tests of the CSRF double-submit check: a forged or mangled cookie and any body token
 * never verify, and never throw; a genuine cookie verifies exactly its own token.
 */
import { createHash } from "node:crypto";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveCsrf } from "../../src/core/csrf.js";
import { messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";

const SECRETS = ["csrf-fuzz-current-secret-0123456789abcdef", "csrf-fuzz-previous-secret-abcdef0123456789"];

function genuineCookie(token: string, secret: string): string {
  return `${token}|${createHash("sha256").update(`${token}${secret}`).digest("hex")}`;
}

function isGenuine(cookie: string): boolean {
  const bar = cookie.indexOf("|");
  if (bar <= 0) return false;
  return SECRETS.some((secret) => genuineCookie(cookie.slice(0, bar), secret) === cookie);
}

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const token = fc.oneof(hex64, messyString(4).filter((t) => t !== "" && !t.includes("|")));

/** Genuine cookies with one edit: the shapes a forger would try. */
const tamperedCookie = fc
  .tuple(token, fc.constantFrom(...SECRETS), fc.nat(), fc.constantFrom("flip", "cut", "extend", "case", "swap-token", "other-secret", "pad"))
  .map(([t, secret, at, edit]) => {
    const cookie = genuineCookie(t, secret);
    const index = at % cookie.length;
    switch (edit) {
      case "flip":
        return `${cookie.slice(0, index)}${cookie[index] === "0" ? "1" : "0"}${cookie.slice(index + 1)}`;
      case "cut":
        return cookie.slice(0, index);
      case "extend":
        return `${cookie}0`;
      case "case":
        return cookie.toUpperCase();
      case "swap-token":
        return `${t}x${cookie.slice(cookie.indexOf("|"))}`;
      case "other-secret":
        return genuineCookie(t, "not-one-of-the-secrets");
      default:
        return ` ${cookie} `;
    }
  });

const bodyToken = fc.oneof(token, fc.anything(), fc.constant(undefined));

describe("resolveCsrf", () => {
  it("never throws and never verifies a cookie latch did not mint, whatever the body sends", async () => {
    const cookie = fc.oneof(messyString(10), tamperedCookie, fc.tuple(messyString(3), hex64).map(([t, h]) => `${t}|${h}`), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(cookie, bodyToken, async (value, body) => {
        fc.pre(value === undefined || !isGenuine(value));
        const state = await resolveCsrf(value, SECRETS, body);
        expect(state.verified).toBe(false);
        expect(state.token).toMatch(/^[0-9a-f]{64}$/);
        expect(state.cookie).toBe(genuineCookie(state.token, SECRETS[0] ?? ""));
      }),
      fuzzRuns(400),
    );
  });

  it("verifies a genuine cookie, minted with any of the secrets, exactly when the body repeats its token", async () => {
    await fc.assert(
      fc.asyncProperty(token, fc.constantFrom(...SECRETS), fc.oneof(bodyToken, fc.constant("same")), async (t, secret, body) => {
        const sent = body === "same" ? t : body;
        const state = await resolveCsrf(genuineCookie(t, secret), SECRETS, sent);
        expect(state.token).toBe(t);
        expect(state.cookie).toBeUndefined();
        expect(state.verified).toBe(sent === t);
      }),
      fuzzRuns(300),
    );
  });
});
