import { describe, expect, it } from "vitest";
import { isHttpUrl, sameOriginUrl } from "./callback-url.js";

const BASE = "https://app.test";

describe("sameOriginUrl", () => {
  it("prefixes a path with the base origin", () => {
    expect(sameOriginUrl("/dashboard", BASE)).toBe("https://app.test/dashboard");
  });

  it("keeps the query string and the fragment of a path", () => {
    expect(sameOriginUrl("/orders?id=42&sort=desc#row-7", BASE)).toBe("https://app.test/orders?id=42&sort=desc#row-7");
  });

  it("keeps a same-origin absolute URL with its path, query and fragment", () => {
    expect(sameOriginUrl("https://app.test/a/b?c=d#e", BASE)).toBe("https://app.test/a/b?c=d#e");
  });

  it("normalizes the case of scheme and host, and the default port, of a same-origin URL", () => {
    expect(sameOriginUrl("HTTPS://APP.TEST/Path", BASE)).toBe("https://app.test/Path");
    expect(sameOriginUrl("https://app.test:443/x", BASE)).toBe("https://app.test/x");
  });

  it("resolves relative paths and dot segments without leaving the origin", () => {
    expect(sameOriginUrl("../../../etc/passwd", BASE)).toBe("https://app.test/etc/passwd");
    expect(sameOriginUrl("/a/../../b", BASE)).toBe("https://app.test/b");
    expect(sameOriginUrl("dashboard", BASE)).toBe("https://app.test/dashboard");
    expect(sameOriginUrl("?tab=2", BASE)).toBe("https://app.test/?tab=2");
    expect(sameOriginUrl("#top", BASE)).toBe("https://app.test/#top");
  });

  it("returns the origin only, not the base's path, for anything it refuses", () => {
    expect(sameOriginUrl("https://evil.test", "https://app.test/api/auth")).toBe("https://app.test");
    expect(sameOriginUrl(undefined, "https://app.test/api/auth/")).toBe("https://app.test");
  });

  it("works with an http base and a port", () => {
    const base = "http://localhost:3000";
    expect(sameOriginUrl("/x", base)).toBe("http://localhost:3000/x");
    expect(sameOriginUrl("http://localhost:3000/y?z=1", base)).toBe("http://localhost:3000/y?z=1");
    expect(sameOriginUrl("http://localhost:3001/y", base)).toBe("http://localhost:3000");
    expect(sameOriginUrl("http://localhost/y", base)).toBe("http://localhost:3000");
    expect(sameOriginUrl("https://localhost:3000/y", base)).toBe("http://localhost:3000");
  });

  it("refuses another origin", () => {
    expect(sameOriginUrl("https://evil.test/dashboard", BASE)).toBe(BASE);
  });

  it("refuses the same host over another scheme (no https → http downgrade)", () => {
    expect(sameOriginUrl("http://app.test/x", BASE)).toBe(BASE);
  });

  it("refuses a same-origin URL that carries credentials", () => {
    expect(sameOriginUrl("https://user:pass@app.test/x", BASE)).toBe(BASE);
    expect(sameOriginUrl("https://user@app.test/x", BASE)).toBe(BASE);
  });

  it("refuses the empty string", () => {
    expect(sameOriginUrl("", BASE)).toBe(BASE);
  });

  it("refuses input that does not parse, without throwing", () => {
    expect(sameOriginUrl("https://", BASE)).toBe(BASE);
    expect(sameOriginUrl("http://[", BASE)).toBe(BASE);
    expect(sameOriginUrl("https://app.test:99999/x", BASE)).toBe(BASE);
  });

  it("accepts a path of 4096 characters and refuses a longer one", () => {
    const ok = `/${"a".repeat(4095)}`;
    expect(sameOriginUrl(ok, BASE)).toBe(`${BASE}${ok}`);
    expect(sameOriginUrl(`/${"a".repeat(4096)}`, BASE)).toBe(BASE);
  });

  it.each<[string, unknown]>([
    ["undefined", undefined],
    ["null", null],
    ["a number", 42],
    ["a boolean", true],
    ["an object", { url: "/x" }],
    ["an array of a path", ["/x"]],
    ["an object with toString", { toString: () => "/x" }],
    ["a URL object", new URL("https://app.test/x")],
  ])("refuses a non-string: %s", (_label, value) => {
    expect(sameOriginUrl(value, BASE)).toBe(BASE);
  });

  it("throws for an invalid base, which is the server's own configuration", () => {
    expect(() => sameOriginUrl("/x", "not a url")).toThrow(TypeError);
  });
});

describe("isHttpUrl", () => {
  it.each(["/dashboard", "dashboard", "https://evil.test/x", "http://app.test", "//evil.test"])("is true for the http(s) shape %j", (url) => {
    expect(isHttpUrl(url, BASE)).toBe(true);
  });

  it.each(["javascript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd", "blob:https://app.test/x", "mailto:a@b.test", "http://[", "https://"])(
    "is false for %j",
    (url) => {
      expect(isHttpUrl(url, BASE)).toBe(false);
    },
  );
});
