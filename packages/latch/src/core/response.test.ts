import { describe, expect, it } from "vitest";
import { toResponse } from "./response.js";

describe("toResponse", () => {
  it("sends a redirect as Location with its status (302 by default, 303 when asked)", () => {
    const found = toResponse({ redirect: "http://app.test/a" }, false);
    expect(found.status).toBe(302);
    expect(found.headers.get("location")).toBe("http://app.test/a");
    expect(toResponse({ redirect: "http://app.test/a", status: 303 }, false).status).toBe(303);
  });

  it("turns a redirect into 200 {url} for X-Auth-Return-Redirect clients", async () => {
    const response = toResponse({ redirect: "http://app.test/a", status: 303 }, true);
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.json()).toEqual({ url: "http://app.test/a" });
  });

  it("keeps a refusal's status (429): the page for browsers, {url} with the same status for JSON clients", async () => {
    const internal = { status: 429, redirect: "http://app.test/signin?error=RateLimited", body: "<p>Too many</p>", headers: { "content-type": "text/html", "retry-after": "60" } };
    const page = toResponse(internal, false);
    expect(page.status).toBe(429);
    expect(page.headers.get("location")).toBeNull();
    expect(page.headers.get("retry-after")).toBe("60");
    expect(await page.text()).toBe("<p>Too many</p>");
    const json = toResponse(internal, true);
    expect(json.status).toBe(429);
    expect(await json.json()).toEqual({ url: "http://app.test/signin?error=RateLimited" });
  });

  it("never lets a cache keep an auth response, and never serializes the internal error", async () => {
    const response = toResponse({ body: { ok: true }, error: new Error("secret detail") }, false);
    expect(response.headers.get("cache-control")).toBe("private, no-cache, no-store");
    expect(await response.text()).toBe('{"ok":true}');
  });
});
