import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkIssuer, discoveryUrl } from "./issuer.js";
import type { ProviderEnv } from "./providers.js";

// One small HTTP server stands in for several issuers, told apart by path.
let server: Server;
let origin = "";
let documents: Record<string, { status?: number; body: string; location?: string }> = {};

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/hang/.well-known/openid-configuration") return; // never answers
    const doc = documents[request.url ?? ""];
    if (!doc) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(doc.status ?? 200, { "content-type": "application/json", ...(doc.location ? { location: doc.location } : {}) }).end(doc.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function metadata(issuer: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, ...extra });
}

function provider(issuer: string | undefined): ProviderEnv {
  return { id: "acme", key: "ACME", clientId: "id", clientSecret: "secret", issuer, issuerFrom: "env" };
}

async function check(issuer: string, options: { production?: boolean; offline?: boolean; timeout?: number } = {}) {
  return checkIssuer(provider(issuer), { timeout: options.timeout ?? 2000, offline: options.offline ?? false, production: options.production ?? false });
}

describe("discoveryUrl", () => {
  it("appends the well-known path as OpenID discovery does", () => {
    expect(discoveryUrl(new URL("https://id.example")).href).toBe("https://id.example/.well-known/openid-configuration");
    expect(discoveryUrl(new URL("https://id.example/realms/a")).href).toBe("https://id.example/realms/a/.well-known/openid-configuration");
    expect(discoveryUrl(new URL("https://tenant.auth0.com/")).href).toBe("https://tenant.auth0.com/.well-known/openid-configuration");
  });
});

describe("checkIssuer", () => {
  it("is content when discovery answers and names the issuer exactly", async () => {
    documents = { "/good/.well-known/openid-configuration": { body: metadata(`${origin}/good`, { code_challenge_methods_supported: ["S256"] }) } };
    const findings = await check(`${origin}/good`);
    expect(findings.map((f) => `${f.severity}:${f.code}`)).toEqual(["ok:issuer-ok"]);
  });

  it("accepts an origin-only issuer with or without the trailing slash, as latch's discovery (oauth4webapi) does", async () => {
    // Auth0 publishes "https://<tenant>.auth0.com/"; providers/auth0.ts says latch accepts the issuer either way.
    documents = { "/.well-known/openid-configuration": { body: JSON.stringify({ issuer: `${origin}/`, authorization_endpoint: `${origin}/authorize`, token_endpoint: `${origin}/oauth/token` }) } };
    const issuer = new URL(origin);
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", [oauth.allowInsecureRequests]: true });
    await expect(oauth.processDiscoveryResponse(issuer, response)).resolves.toMatchObject({ issuer: `${origin}/` });
    expect((await check(origin)).map((f) => `${f.severity}:${f.code}`)).toEqual(["ok:issuer-ok"]);
    expect((await check(`${origin}/`)).map((f) => `${f.severity}:${f.code}`)).toEqual(["ok:issuer-ok"]);
  });

  it("errors on an issuer mismatch, and says when only the trailing slash differs", async () => {
    documents = { "/slash/.well-known/openid-configuration": { body: metadata(`${origin}/slash`) } };
    const [finding] = await check(`${origin}/slash/`);
    expect(finding).toMatchObject({ code: "issuer-mismatch", severity: "error", fix: `Set AUTH_ACME_ISSUER=${origin}/slash` });
    expect(finding?.message).toContain("trailing slash");
    documents = { "/other/.well-known/openid-configuration": { body: metadata("https://elsewhere.example") } };
    expect((await check(`${origin}/other`))[0]?.code).toBe("issuer-mismatch");
    documents = { "/bad/.well-known/openid-configuration": { body: metadata("not a url") } };
    expect((await check(`${origin}/bad`))[0]?.code).toBe("issuer-mismatch");
  });

  it("errors when the issuer is unreachable, times out, redirects or has no discovery document", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await check(`http://127.0.0.1:${closedPort}`);
    expect(refused[0]).toMatchObject({ code: "issuer-unreachable", severity: "error" });
    expect(refused[0]?.message).toContain("ECONNREFUSED");

    const hang = await check(`${origin}/hang`, { timeout: 200 });
    expect(hang[0]?.message).toContain("no answer within 200 ms");

    documents = { "/moved/.well-known/openid-configuration": { status: 302, body: "", location: "https://new.example/" } };
    expect((await check(`${origin}/moved`))[0]?.message).toContain("HTTP 302 to https://new.example/");

    documents = {};
    expect((await check(`${origin}/nothing`))[0]).toMatchObject({ code: "issuer-unreachable", severity: "error" });
  });

  it("falls back to RFC 8414 metadata for plain OAuth 2 servers", async () => {
    documents = { "/.well-known/oauth-authorization-server/oauth": { body: metadata(`${origin}/oauth`) } };
    expect((await check(`${origin}/oauth`))[0]?.code).toBe("issuer-ok");
  });

  it("errors on bad metadata and warns when S256 is not offered", async () => {
    documents = { "/html/.well-known/openid-configuration": { body: "<html>login</html>" } };
    expect((await check(`${origin}/html`))[0]?.code).toBe("issuer-bad-metadata");
    documents = { "/bare/.well-known/openid-configuration": { body: JSON.stringify({ issuer: `${origin}/bare` }) } };
    expect((await check(`${origin}/bare`))[0]?.message).toContain("lacks authorization_endpoint and token_endpoint");
    documents = { "/plain/.well-known/openid-configuration": { body: metadata(`${origin}/plain`, { code_challenge_methods_supported: ["plain"] }) } };
    expect((await check(`${origin}/plain`)).map((f) => f.code)).toEqual(["issuer-no-s256", "issuer-ok"]);
  });

  it("refuses non-URLs, flags plain http on a network host, and skips the request offline", async () => {
    expect((await check("id.example"))[0]).toMatchObject({ code: "issuer-invalid", severity: "error" });
    const offline = await check("http://id.example", { production: true, offline: true });
    expect(offline.map((f) => `${f.severity}:${f.code}`)).toEqual(["error:issuer-invalid", "skip:issuer-skipped"]);
    expect((await check("http://id.example", { offline: true }))[0]?.severity).toBe("warn");
    expect(await checkIssuer(provider(undefined), { timeout: 100, offline: false, production: false })).toEqual([]);
  });
});
