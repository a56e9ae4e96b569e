import { describe, expect, it } from "vitest";
import { conformJson, withHeaders } from "./wrap-fetch.js";

/** A fetch that answers what it was asked, for assertions. */
function echo(body: unknown = {}, init: ResponseInit = { headers: { "content-type": "application/json" } }) {
  const seen: Array<{ url: string; headers: Headers }> = [];
  const fetcher: typeof fetch = async (input, options) => {
    seen.push({ url: input instanceof Request ? input.url : String(input), headers: new Headers(options?.headers) });
    return new Response(JSON.stringify(body), init);
  };
  return { fetcher, seen };
}

describe("withHeaders", () => {
  it("adds the headers to matching requests only, over the caller's", async () => {
    const { fetcher, seen } = echo();
    const wrapped = withHeaders(fetcher, (url) => url.hostname.endsWith("reddit.com"), { "user-agent": "web:app:1" });
    await wrapped("https://oauth.reddit.com/api/v1/me", { headers: { "user-agent": "generic", authorization: "Bearer t" } });
    await wrapped("https://example.com/");
    expect(seen[0]?.headers.get("user-agent")).toBe("web:app:1");
    expect(seen[0]?.headers.get("authorization")).toBe("Bearer t");
    expect(seen[1]?.headers.has("user-agent")).toBe(false);
  });
});

describe("conformJson", () => {
  const joinScope = (body: Record<string, unknown>) => (Array.isArray(body.scope) ? { ...body, scope: body.scope.join(" ") } : body);

  it("rewrites the JSON body of matching successful responses", async () => {
    const { fetcher } = echo({ access_token: "a", scope: ["openid", "user:read:email"] });
    const response = await conformJson(fetcher, (url) => url.pathname === "/oauth2/token", joinScope)("https://id.twitch.tv/oauth2/token");
    expect(await response.json()).toEqual({ access_token: "a", scope: "openid user:read:email" });
    expect(response.headers.get("content-type")).toBe("application/json");
  });

  it("leaves errors and other URLs untouched", async () => {
    const failing = echo({ scope: ["x"] }, { status: 400, headers: { "content-type": "application/json" } });
    expect(await (await conformJson(failing.fetcher, () => true, joinScope)("https://id.twitch.tv/oauth2/token")).json()).toEqual({ scope: ["x"] });
    const other = echo({ scope: ["x"] });
    expect(await (await conformJson(other.fetcher, () => false, joinScope)("https://id.twitch.tv/oauth2/keys")).json()).toEqual({ scope: ["x"] });
  });
});
