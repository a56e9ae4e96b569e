/**
 * Property tests of callbackUrl validation: whatever URL-ish string a client sends, latch
 * redirects to its own origin (the URL itself or the fallback), never throws, and never produces
 * a Location a header could not carry; plain same-origin paths pass through unchanged.
 */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isHttpUrl, sameOriginUrl } from "../../src/core/callback-url.js";
import { messyString, urlish } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";

const BASES = ["https://app.test", "http://app.test:3000", "http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:8080", "https://xn--bcher-kva.example"];
const OWN_HOSTS = BASES.map((base) => new URL(base).host).concat(["app.test", "app.test:443", "app.test:3000", "bücher.example"]);
const base = fc.constantFrom(...BASES);
const candidate = urlish(OWN_HOSTS);

/** A path a signed-in page would pass as callbackUrl: segments, query and fragment, nothing odd. */
const plainPath = fc
  .tuple(fc.array(fc.webSegment(), { minLength: 1, maxLength: 4 }), fc.webQueryParameters(), fc.webFragments())
  .filter(([segments]) => segments[0] !== "")
  .map(([segments, query, fragment]) => `/${segments.join("/")}${query ? `?${query}` : ""}${fragment ? `#${fragment}` : ""}`);

describe("sameOriginUrl", () => {
  it("always answers with the base's origin: the URL itself, resolved, or the bare origin", () => {
    fc.assert(
      fc.property(candidate, base, (url, baseUrl) => {
        const result = sameOriginUrl(url, baseUrl);
        const parsed = new URL(result);
        const origin = new URL(baseUrl);
        expect(parsed.origin).toBe(origin.origin);
        expect(parsed.protocol).toBe(origin.protocol);
        expect(parsed.username).toBe("");
        expect(parsed.password).toBe("");
        // Safe in a Location header: printable ASCII only, so no header splitting.
        expect(result).toMatch(/^[\x21-\x7e]+$/);
        if (result !== origin.origin) expect(result).toBe(new URL(url, origin).href);
      }),
      fuzzRuns(1000),
    );
  });

  it("is idempotent, so a callbackUrl checked again (cookie, then redirect) leads to the same place", () => {
    fc.assert(
      fc.property(candidate, base, (url, baseUrl) => {
        const once = sameOriginUrl(url, baseUrl);
        // The bare origin comes back with its root slash: the same URL.
        expect(new URL(sameOriginUrl(once, baseUrl)).href).toBe(new URL(once).href);
      }),
      fuzzRuns(500),
    );
  });

  it("keeps plain same-origin paths and absolute same-origin URLs", () => {
    fc.assert(
      fc.property(plainPath, base, fc.boolean(), (path, baseUrl, absolute) => {
        const url = absolute ? `${baseUrl}${path}` : path;
        expect(sameOriginUrl(url, baseUrl)).toBe(new URL(url, baseUrl).href);
      }),
      fuzzRuns(500),
    );
  });

  it("answers the bare origin for anything that is not a string", () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => typeof value !== "string"),
        base,
        (value, baseUrl) => {
          expect(sameOriginUrl(value, baseUrl)).toBe(new URL(baseUrl).origin);
        },
      ),
      fuzzRuns(300),
    );
  });
});

describe("isHttpUrl", () => {
  it("never throws, and is true only for what parses as http(s)", () => {
    fc.assert(
      fc.property(fc.oneof(candidate, messyString()), base, (url, baseUrl) => {
        const result = isHttpUrl(url, baseUrl);
        if (result) expect(["http:", "https:"]).toContain(new URL(url, baseUrl).protocol);
      }),
      fuzzRuns(500),
    );
  });
});
