/**
 * Property tests of the headers a proxy (or a client) sets about the request itself:
 * `Host`/`X-Forwarded-Host`/`X-Forwarded-Proto`, read into the site's origin, and
 * `X-Forwarded-For`, read into a rate-limit bucket. Neither ever throws on client input; the
 * origin is always a bare http(s) origin, and every address lands in the bucket it belongs to.
 */
import { BlockList } from "node:net";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressBucket, forwardedAddress } from "../../src/core/client-address.js";
import { resolveConfig, resolveOrigin } from "../../src/core/config.js";
import { UntrustedHost } from "../../src/errors.js";
import { headerSafe, messyString } from "./arbitraries.js";
import { fuzzRuns } from "./settings.js";

const trusting = resolveConfig({ secret: "forwarded-headers-fuzz-secret-0123456789", trustHost: true, providers: [] }, {});

const hostValue = fc.oneof(
  fc.constantFrom("app.test", "APP.test", "app.test:443", "app.test:80", "app.test:8443", "[::1]:3000", "[::1", "a b", "app.test/evil", "user@evil.test", "evil.test, app.test", ",", "", "xn--bcher-kva.example", "bücher.example", "0x7f.1", "app.test:99999"),
  fc.domain(),
  messyString(4),
);

describe("resolveOrigin", () => {
  it("answers a bare http(s) origin or throws UntrustedHost, whatever the headers say", () => {
    fc.assert(
      fc.property(
        fc.record({ host: fc.option(hostValue), forwardedHost: fc.option(hostValue), proto: fc.option(fc.oneof(fc.constantFrom("https", "http", "HTTPS", "https, http", "javascript"), messyString(2))) }),
        fc.constantFrom("http://internal:3000/api/auth/session", "https://app.test/api/auth/session", "not a url", undefined),
        ({ host, forwardedHost, proto }, requestUrl) => {
          const headers = new Headers();
          if (host !== null) headers.set("host", headerSafe(host));
          if (forwardedHost !== null) headers.set("x-forwarded-host", headerSafe(forwardedHost));
          if (proto !== null) headers.set("x-forwarded-proto", headerSafe(proto));
          let origin: string;
          try {
            origin = resolveOrigin(trusting, headers, requestUrl);
          } catch (error) {
            expect(error).toBeInstanceOf(UntrustedHost);
            return;
          }
          const url = new URL(origin);
          expect(["http:", "https:"]).toContain(url.protocol);
          expect(url.username + url.password + url.search + url.hash).toBe("");
          expect(url.pathname).toBe("/");
          // Its own URL origin: a default port the header spelled out is dropped, as in a browser's Origin.
          expect(origin).toBe(url.origin);
        },
      ),
      fuzzRuns(500),
    );
  });
});

describe("X-Forwarded-For", () => {
  it("never throws, and picks an entry of the header or nothing", () => {
    const header = fc.oneof(
      fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), messyString(2)), { maxLength: 6 }).map((entries) => entries.join(", ")),
      messyString(10),
    );
    fc.assert(
      fc.property(fc.option(header.map(headerSafe)), fc.integer({ min: -1, max: 8 }), (value, proxies) => {
        const picked = forwardedAddress(value, proxies);
        if (picked === undefined) return;
        expect(
          value
            ?.split(",")
            .map((entry) => entry.trim())
            .includes(picked),
        ).toBe(true);
        const bucket = addressBucket(picked);
        if (bucket !== undefined) expect(bucket).toMatch(/^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]{1,4}(:[0-9a-f]{1,4}){3}::\/64)$/);
      }),
      fuzzRuns(500),
    );
  });

  it("buckets an IPv4 address as itself, also IPv4-mapped, bracketed or with a port", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.constantFrom("", "::ffff:", "::FFFF:", "0:0:0:0:0:ffff:"), fc.boolean(), (ip, mapped, withPort) => {
        const text = mapped ? `${mapped}${ip}` : ip;
        const written = withPort ? (mapped ? `[${text}]:443` : `${text}:443`) : text;
        expect(addressBucket(written)).toBe(ip);
      }),
      fuzzRuns(500),
    );
  });

  it("buckets an IPv6 address by the /64 it lies in, however it is written", () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.boolean(), fc.constantFrom("", "%eth0", "%25"), (ip, upper, zone) => {
        const bucket = addressBucket(`[${upper ? ip.toUpperCase() : ip}${zone}]:8080`);
        const groups = new URL(`http://[${ip}]`).hostname;
        // IPv4-mapped addresses are buckets of their IPv4 address, checked above.
        fc.pre(!/^\[::ffff:/.test(groups));
        expect(bucket).toMatch(/::\/64$/);
        const subnet = new BlockList();
        subnet.addSubnet((bucket ?? "").replace("/64", ""), 64, "ipv6");
        expect(subnet.check(ip, "ipv6")).toBe(true);
      }),
      fuzzRuns(500),
    );
  });
});
