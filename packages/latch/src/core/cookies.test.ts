import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CookieOption } from "../types.js";
import {
  CHECK_COOKIE_MAX_AGE,
  clearChunkedCookie,
  defaultCookies,
  expireCookie,
  parseCookieHeader,
  readChunkedCookie,
  resolveCookies,
  serializeCookie,
  writeChunkedCookie,
  type OutgoingCookie,
} from "./cookies.js";

const CHUNK = 3936;
const NOW = new Date("2030-01-01T00:00:00.000Z");

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

function sessionOption(): CookieOption {
  return defaultCookies(false).sessionToken;
}

/** Parses a `Set-Cookie` value into its name, value and attributes (lower-cased keys). */
function attributesOf(header: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair = "", ...rest] = header.split("; ");
  const eq = pair.indexOf("=");
  const attrs = new Map<string, string>();
  for (const part of rest) {
    const i = part.indexOf("=");
    attrs.set((i === -1 ? part : part.slice(0, i)).toLowerCase(), i === -1 ? "" : part.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

describe("parseCookieHeader", () => {
  it("returns an empty map for a missing or empty header", () => {
    expect(parseCookieHeader(null).size).toBe(0);
    expect(parseCookieHeader(undefined).size).toBe(0);
    expect(parseCookieHeader("").size).toBe(0);
  });

  it("parses pairs and trims whitespace around names and values", () => {
    const cookies = parseCookieHeader("a=1;  b = two ;c=3");
    expect([...cookies]).toEqual([
      ["a", "1"],
      ["b", "two"],
      ["c", "3"],
    ]);
  });

  it("removes the double quotes around a quoted value", () => {
    expect(parseCookieHeader('a="quoted value"').get("a")).toBe("quoted value");
    expect(parseCookieHeader('a=""').get("a")).toBe("");
  });

  it("leaves a lone or unbalanced quote alone", () => {
    expect(parseCookieHeader('a="').get("a")).toBe('"');
    expect(parseCookieHeader('a="open').get("a")).toBe('"open');
  });

  it("keeps the first of duplicate names", () => {
    const cookies = parseCookieHeader("token=first; token=second; token=third");
    expect(cookies.get("token")).toBe("first");
    expect(cookies.size).toBe(1);
  });

  it("keeps everything after the first = in the value", () => {
    expect(parseCookieHeader("a=b=c==").get("a")).toBe("b=c==");
  });

  it("skips malformed pairs and keeps the good ones", () => {
    const cookies = parseCookieHeader("novalue; =orphan; ;; good=1;   ; =; also=2");
    expect([...cookies]).toEqual([
      ["good", "1"],
      ["also", "2"],
    ]);
  });

  it("keeps an empty value", () => {
    expect(parseCookieHeader("empty=").get("empty")).toBe("");
  });

  it("percent-decodes values", () => {
    expect(parseCookieHeader("a=hello%20world%7Cx").get("a")).toBe("hello world|x");
  });

  it("skips a value with bad percent-encoding without throwing, and keeps the others", () => {
    const header = "bad=%E0%A4%A; ok=1; worse=%%%; zz=%zz; fine=%41";
    expect(() => parseCookieHeader(header)).not.toThrow();
    const cookies = parseCookieHeader(header);
    expect(cookies.has("bad")).toBe(false);
    expect(cookies.has("worse")).toBe(false);
    expect(cookies.has("zz")).toBe(false);
    expect(cookies.get("ok")).toBe("1");
    expect(cookies.get("fine")).toBe("A");
  });

  it("survives 10 KB of junk", () => {
    const junk = Array.from({ length: 10_000 }, (_, i) => String.fromCharCode(32 + ((i * 7919) % 95))).join("");
    expect(() => parseCookieHeader(junk)).not.toThrow();
  });

  it("round-trips a value written by serializeCookie", () => {
    const value = "a b;c,d|e=f\"g'h%é🙂";
    const header = serializeCookie({ name: "x", value, options: {} }).split("; ")[0]!;
    expect(parseCookieHeader(header).get("x")).toBe(value);
  });
});

describe("serializeCookie", () => {
  it("writes the name, the encoded value and the usual attributes", () => {
    const header = serializeCookie({ name: "n", value: "a|b c", options: { httpOnly: true, secure: true, sameSite: "lax", path: "/" } });
    expect(header).toBe("n=a%7Cb%20c; Path=/; HttpOnly; Secure; SameSite=Lax");
  });

  it("defaults Path to /", () => {
    expect(serializeCookie({ name: "n", value: "v", options: {} })).toBe("n=v; Path=/");
  });

  it("writes other paths, a domain, and the other SameSite values", () => {
    const strict = attributesOf(serializeCookie({ name: "n", value: "v", options: { path: "/api", domain: "app.test", sameSite: "strict" } }));
    expect(strict.attrs.get("path")).toBe("/api");
    expect(strict.attrs.get("domain")).toBe("app.test");
    expect(strict.attrs.get("samesite")).toBe("Strict");
    const none = attributesOf(serializeCookie({ name: "n", value: "v", options: { sameSite: "none", secure: true } }));
    expect(none.attrs.get("samesite")).toBe("None");
  });

  it("omits HttpOnly, Secure and SameSite when they are not set", () => {
    const { attrs } = attributesOf(serializeCookie({ name: "n", value: "v", options: { httpOnly: false, secure: false } }));
    expect(attrs.has("httponly")).toBe(false);
    expect(attrs.has("secure")).toBe(false);
    expect(attrs.has("samesite")).toBe(false);
  });

  it("writes Max-Age together with the matching Expires", () => {
    const { attrs } = attributesOf(serializeCookie({ name: "n", value: "v", options: { maxAge: 900 } }));
    expect(attrs.get("max-age")).toBe("900");
    expect(attrs.get("expires")).toBe(new Date(NOW.getTime() + 900_000).toUTCString());
  });

  it("floors a fractional Max-Age", () => {
    const { attrs } = attributesOf(serializeCookie({ name: "n", value: "v", options: { maxAge: 59.9 } }));
    expect(attrs.get("max-age")).toBe("59");
  });

  it("writes Max-Age=0 for a deletion", () => {
    const header = serializeCookie({ name: "n", value: "", options: { maxAge: 0 } });
    expect(header.startsWith("n=;")).toBe(true);
    expect(attributesOf(header).attrs.get("max-age")).toBe("0");
  });

  it("writes an explicit Expires once, even with Max-Age", () => {
    const expires = new Date("2031-06-01T12:00:00.000Z");
    const header = serializeCookie({ name: "n", value: "v", options: { maxAge: 60, expires } });
    expect(header.match(/Expires=/g)).toHaveLength(1);
    expect(attributesOf(header).attrs.get("expires")).toBe(expires.toUTCString());
    expect(attributesOf(header).attrs.get("max-age")).toBe("60");
  });

  it.each(["", "a b", "a;b", "a=b", "a,b", "a\nb", "a\tb", 'a"b', "a(b)", "a/b", "ä", "a@b", "[a]", "{a}"])("throws a TypeError for the invalid name %j", (name) => {
    expect(() => serializeCookie({ name, value: "v", options: {} })).toThrow(TypeError);
  });

  it("accepts the prefixed and chunked names latch writes", () => {
    for (const name of ["__Secure-authjs.session-token.12", "__Host-authjs.csrf-token", "authjs.pkce.code_verifier"]) {
      expect(serializeCookie({ name, value: "v", options: {} }).startsWith(`${name}=v`)).toBe(true);
    }
  });

  it("cannot be made to inject attributes through the value", () => {
    const header = serializeCookie({ name: "n", value: "x; Domain=evil.test; Path=/evil", options: { path: "/" } });
    const { attrs, value } = attributesOf(header);
    expect(value).toBe("x%3B%20Domain%3Devil.test%3B%20Path%3D%2Fevil");
    expect(attrs.has("domain")).toBe(false);
    expect(attrs.get("path")).toBe("/");
  });
});

describe("defaultCookies", () => {
  it("uses the authjs.* names without prefixes over http", () => {
    const cookies = defaultCookies(false);
    expect({
      sessionToken: cookies.sessionToken.name,
      callbackUrl: cookies.callbackUrl.name,
      csrfToken: cookies.csrfToken.name,
      pkceCodeVerifier: cookies.pkceCodeVerifier.name,
      state: cookies.state.name,
      nonce: cookies.nonce.name,
    }).toEqual({
      sessionToken: "authjs.session-token",
      callbackUrl: "authjs.callback-url",
      csrfToken: "authjs.csrf-token",
      pkceCodeVerifier: "authjs.pkce.code_verifier",
      state: "authjs.state",
      nonce: "authjs.nonce",
    });
  });

  it("uses __Secure- prefixes over https, and __Host- for the CSRF cookie", () => {
    const cookies = defaultCookies(true);
    expect({
      sessionToken: cookies.sessionToken.name,
      callbackUrl: cookies.callbackUrl.name,
      csrfToken: cookies.csrfToken.name,
      pkceCodeVerifier: cookies.pkceCodeVerifier.name,
      state: cookies.state.name,
      nonce: cookies.nonce.name,
    }).toEqual({
      sessionToken: "__Secure-authjs.session-token",
      callbackUrl: "__Secure-authjs.callback-url",
      csrfToken: "__Host-authjs.csrf-token",
      pkceCodeVerifier: "__Secure-authjs.pkce.code_verifier",
      state: "__Secure-authjs.state",
      nonce: "__Secure-authjs.nonce",
    });
  });

  it.each([true, false])("makes every cookie HttpOnly, SameSite=Lax, Path=/ (secure=%s)", (secure) => {
    const cookies = defaultCookies(secure);
    const options: CookieOption[] = [cookies.sessionToken, cookies.callbackUrl, cookies.csrfToken, cookies.pkceCodeVerifier, cookies.state, cookies.nonce];
    for (const option of options) {
      expect(option.options).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/", secure });
    }
  });

  it("gives the __Host- CSRF cookie what the prefix demands: Secure, Path=/, no Domain", () => {
    const { options } = defaultCookies(true).csrfToken;
    expect(options.secure).toBe(true);
    expect(options.path).toBe("/");
    expect(options.domain).toBeUndefined();
  });

  it("gives the check cookies 15 minutes and the others no Max-Age", () => {
    const cookies = defaultCookies(false);
    expect(CHECK_COOKIE_MAX_AGE).toBe(900);
    expect(cookies.pkceCodeVerifier.options.maxAge).toBe(900);
    expect(cookies.state.options.maxAge).toBe(900);
    expect(cookies.nonce.options.maxAge).toBe(900);
    expect(cookies.sessionToken.options.maxAge).toBeUndefined();
    expect(cookies.csrfToken.options.maxAge).toBeUndefined();
    expect(cookies.callbackUrl.options.maxAge).toBeUndefined();
  });

  it("returns fresh objects: mutating one result does not change the next", () => {
    const first = defaultCookies(false);
    first.sessionToken.options.path = "/mutated";
    first.state.options.maxAge = 1;
    expect(defaultCookies(false).sessionToken.options.path).toBe("/");
    expect(defaultCookies(false).state.options.maxAge).toBe(900);
  });
});

describe("resolveCookies", () => {
  it("returns the defaults without overrides", () => {
    expect(resolveCookies(true, undefined)).toEqual(defaultCookies(true));
  });

  it("merges a name and attributes over the defaults, key by key", () => {
    const cookies = resolveCookies(false, { sessionToken: { name: "my-session", options: { domain: "app.test" } } });
    expect(cookies.sessionToken.name).toBe("my-session");
    expect(cookies.sessionToken.options).toMatchObject({ domain: "app.test", httpOnly: true, sameSite: "lax", path: "/" });
    expect(cookies.csrfToken).toEqual(defaultCookies(false).csrfToken);
  });
});

describe("chunked cookies", () => {
  const names = (cookies: OutgoingCookie[]): string[] => cookies.map((c) => c.name);

  it("writes a value of exactly 3936 characters as one cookie with the base name", () => {
    const value = "v".repeat(CHUNK);
    const out = writeChunkedCookie(sessionOption(), value, [], 3600);
    expect(names(out)).toEqual(["authjs.session-token"]);
    expect(out[0]!.value).toBe(value);
  });

  it("writes a short value as one cookie with the base name", () => {
    const out = writeChunkedCookie(sessionOption(), "short", [], 3600);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ name: "authjs.session-token", value: "short" });
  });

  it("splits 3937 characters into .0 (3936) and .1 (1)", () => {
    const value = `${"a".repeat(CHUNK)}b`;
    const out = writeChunkedCookie(sessionOption(), value, [], 3600);
    expect(names(out)).toEqual(["authjs.session-token.0", "authjs.session-token.1"]);
    expect(out[0]!.value).toBe("a".repeat(CHUNK));
    expect(out[1]!.value).toBe("b");
  });

  it("splits a long value into 3936-character chunks .0 … .n that join back to it", () => {
    const value = Array.from({ length: CHUNK * 3 + 17 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
    const out = writeChunkedCookie(sessionOption(), value, [], 3600);
    expect(names(out)).toEqual(["authjs.session-token.0", "authjs.session-token.1", "authjs.session-token.2", "authjs.session-token.3"]);
    expect(out.slice(0, 3).every((c) => c.value.length === CHUNK)).toBe(true);
    expect(out[3]!.value).toHaveLength(17);
    expect(out.map((c) => c.value).join("")).toBe(value);
  });

  it("gives every chunk the cookie's attributes and Expires = now + maxAge", () => {
    const out = writeChunkedCookie(defaultCookies(true).sessionToken, "x".repeat(CHUNK * 2), [], 3600);
    for (const cookie of out) {
      expect(cookie.options).toMatchObject({ httpOnly: true, secure: true, sameSite: "lax", path: "/" });
      expect(cookie.options.expires?.getTime()).toBe(NOW.getTime() + 3_600_000);
      const { attrs } = attributesOf(serializeCookie(cookie));
      expect(attrs.get("expires")).toBe(new Date(NOW.getTime() + 3_600_000).toUTCString());
    }
  });

  it("keeps every chunk under the browser's 4096-byte limit once serialized", () => {
    const out = writeChunkedCookie(defaultCookies(true).sessionToken, "x".repeat(CHUNK * 2 + 5), [], 30 * 24 * 3600);
    for (const cookie of out) expect(serializeCookie(cookie).length).toBeLessThanOrEqual(4096);
  });

  it("deletes stale chunks (Max-Age=0, empty value) when a shorter value replaces a chunked one", () => {
    const existing = ["authjs.session-token.0", "authjs.session-token.1", "authjs.session-token.2"];
    const out = writeChunkedCookie(sessionOption(), "short", existing, 3600);
    const deletions = out.filter((c) => c.options.maxAge === 0);
    expect(names(deletions).sort()).toEqual(existing);
    for (const cookie of deletions) {
      expect(cookie.value).toBe("");
      expect(cookie.options.expires).toBeUndefined();
      expect(attributesOf(serializeCookie(cookie)).attrs.get("max-age")).toBe("0");
    }
    const written = out.filter((c) => c.options.maxAge !== 0);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ name: "authjs.session-token", value: "short" });
  });

  it("emits the deletions before the new cookies", () => {
    const out = writeChunkedCookie(sessionOption(), "short", ["authjs.session-token.0", "authjs.session-token.1"], 3600);
    expect(out.at(-1)?.name).toBe("authjs.session-token");
    expect(out.slice(0, -1).every((c) => c.options.maxAge === 0)).toBe(true);
  });

  it("deletes only the chunks the new value no longer uses", () => {
    const existing = ["authjs.session-token.0", "authjs.session-token.1", "authjs.session-token.2"];
    const out = writeChunkedCookie(sessionOption(), "y".repeat(CHUNK + 1), existing, 3600);
    expect(names(out.filter((c) => c.options.maxAge === 0))).toEqual(["authjs.session-token.2"]);
    expect(names(out.filter((c) => c.options.maxAge !== 0))).toEqual(["authjs.session-token.0", "authjs.session-token.1"]);
  });

  it("deletes the unchunked cookie when the value grows into chunks", () => {
    const out = writeChunkedCookie(sessionOption(), "z".repeat(CHUNK + 1), ["authjs.session-token"], 3600);
    expect(names(out.filter((c) => c.options.maxAge === 0))).toEqual(["authjs.session-token"]);
  });

  it("does not delete a cookie it rewrites", () => {
    const out = writeChunkedCookie(sessionOption(), "same-size", ["authjs.session-token"], 3600);
    expect(out).toHaveLength(1);
    expect(out[0]!.options.maxAge).toBeUndefined();
  });

  it("reassembles chunks in numeric order whatever the header order (.10 after .9)", () => {
    const parts = Array.from({ length: 12 }, (_, i) => `<${i}>`);
    const header = [11, 10, 2, 9, 0, 1, 5, 3, 8, 4, 7, 6].map((i) => `authjs.session-token.${i}=${parts[i]!}`).join("; ");
    const result = readChunkedCookie(parseCookieHeader(header), "authjs.session-token");
    expect(result.value).toBe(parts.join(""));
    expect(result.names).toEqual(parts.map((_, i) => `authjs.session-token.${i}`));
  });

  it("reads an unchunked cookie", () => {
    const result = readChunkedCookie(parseCookieHeader("authjs.session-token=abc; other=1"), "authjs.session-token");
    expect(result).toEqual({ value: "abc", names: ["authjs.session-token"] });
  });

  it("returns no value and no names when the cookie is absent", () => {
    expect(readChunkedCookie(parseCookieHeader("other=1"), "authjs.session-token")).toEqual({ value: undefined, names: [] });
  });

  it("ignores cookies that only share a prefix with the base name", () => {
    const header = "authjs.session-token-evil=1; authjs.session-tokenx=2; authjs.session-token.x=3; authjs.session-token.=4; authjs.session-token.-1=5; authjs.session-token.0=ok";
    expect(readChunkedCookie(parseCookieHeader(header), "authjs.session-token")).toEqual({ value: "ok", names: ["authjs.session-token.0"] });
  });

  it("round-trips a chunked write through a Cookie header in reverse order", () => {
    const value = Array.from({ length: CHUNK * 4 + 3 }, (_, i) => "0123456789abcdef"[i % 16]).join("");
    const out = writeChunkedCookie(sessionOption(), value, [], 3600);
    const header = out
      .map((c) => serializeCookie(c).split("; ")[0]!)
      .reverse()
      .join("; ");
    expect(readChunkedCookie(parseCookieHeader(header), "authjs.session-token").value).toBe(value);
  });

  it("clearChunkedCookie deletes every chunk it is given, keeping path and domain", () => {
    const option: CookieOption = { name: "s", options: { path: "/app", domain: "app.test", httpOnly: true, expires: new Date() } };
    const out = clearChunkedCookie(option, ["s.0", "s.1"]);
    expect(out).toEqual([
      { name: "s.0", value: "", options: { path: "/app", domain: "app.test", httpOnly: true, maxAge: 0 } },
      { name: "s.1", value: "", options: { path: "/app", domain: "app.test", httpOnly: true, maxAge: 0 } },
    ]);
  });

  it("expireCookie drops Expires and sets Max-Age=0 on the option's own name by default", () => {
    const out = expireCookie({ name: "s", options: { path: "/", maxAge: 900, expires: new Date() } });
    expect(out).toEqual({ name: "s", value: "", options: { path: "/", maxAge: 0 } });
  });
});
