/**
 * Protected routes in an app Next.js serves under its own `basePath`: e2e/apps/protected16 (the
 * lean `latch/proxy` as the Next 16 proxy) written for the run with `basePath: "/app"` in
 * next.config.ts and AUTH_URL naming latch's routes under it, as docs/deployment.md says. Next
 * strips the basePath from `nextUrl.pathname`; the proxy must still send a signed-out visitor to
 * /app/api/auth/signin and back to the page under /app, let latch's own routes through, and the
 * sign-in through the local IdP must land on the page asked for.
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { MARKERS } from "./apps/protected16/markers.js";
import { buildExampleApp, demoClient, getFreePort, launchBrowser, repoRoot, reportOnFailure, startExampleApp, startIdP, useFixtures } from "./harness.js";
import { rawRequest } from "./raw-http.js";

const appsDir = path.join(repoRoot, "e2e", "apps");
const fixtureDir = path.join(appsDir, ".protected16-basepath");

/** protected16 as it is, but for next.config.ts: its own copy, so the committed fixture stays Next's defaults. */
function writeBasePathFixture(): void {
  const source = path.join(appsDir, "protected16");
  rmSync(fixtureDir, { recursive: true, force: true });
  mkdirSync(fixtureDir, { recursive: true });
  for (const entry of ["app", "auth.config.ts", "auth.ts", "markers.ts", "proxy.ts", "tsconfig.json"]) {
    cpSync(path.join(source, entry), path.join(fixtureDir, entry), { recursive: true });
  }
  writeFileSync(path.join(fixtureDir, "next.config.ts"), 'import type { NextConfig } from "next";\n\nconst nextConfig: NextConfig = { basePath: "/app" };\n\nexport default nextConfig;\n');
}

const fixtures = useFixtures(async (cleanup) => {
  cleanup.defer(() => rmSync(fixtureDir, { recursive: true, force: true }));
  const browser = cleanup.add(await launchBrowser());
  writeBasePathFixture();
  await buildExampleApp(fixtureDir);
  const port = await getFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const idp = cleanup.add(await startIdP({ redirectUris: [`${origin}/app/api/auth/callback/local`] }));
  const app = cleanup.add(
    await startExampleApp({
      appDir: fixtureDir,
      port,
      env: { AUTH_URL: `${origin}/app/api/auth`, AUTH_LOCAL_ISSUER: idp.issuer, AUTH_LOCAL_SECRET: demoClient.clientSecret },
    }),
  );
  return { browser, idp, app, origin };
});

describe("protected routes under a Next.js basePath (/app)", () => {
  it("signed out, /app/dashboard goes to /app/api/auth/signin, the IdP, and back to /app/dashboard", async () => {
    const { browser, idp, app, origin } = fixtures();
    const context = await browser.newContext();
    const page = await context.newPage();
    reportOnFailure(page, "protected-basepath", { app });

    const api = await context.request.get(`${origin}/app/api/private/data`, { maxRedirects: 0 });
    expect(api.status()).toBe(401);

    await page.goto(`${origin}/app/dashboard?tab=2`);
    await page.waitForURL((url) => url.origin === origin && url.pathname === "/app/api/auth/signin");
    expect(new URL(page.url()).searchParams.get("callbackUrl"), "the callbackUrl keeps the basePath").toBe(`${origin}/app/dashboard?tab=2`);
    await page.getByRole("button", { name: "Sign in with Local IdP" }).click();
    await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.origin === origin && url.pathname === "/app/dashboard");
    expect(new URL(page.url()).search).toBe("?tab=2");
    await page.getByTestId("dashboard-name").filter({ hasText: /^Alice$/ }).waitFor();
    expect(await page.content()).toContain(MARKERS.dashboard);

    const data = await context.request.get(`${origin}/app/api/private/data`, { maxRedirects: 0 });
    expect(data.status()).toBe(200);
    expect(await data.json()).toEqual({ marker: MARKERS.privateData });
    const session = await context.request.get(`${origin}/app/api/auth/session`);
    expect(((await session.json()) as { user?: { name?: string } }).user?.name).toBe("Alice");
    await context.close();
  });

  it("a signed-out request for a deeper page keeps the basePath in the callbackUrl, and the redirect is not cached", async () => {
    const { origin } = fixtures();
    const response = await rawRequest(origin, { path: "/app/dashboard/settings", headers: { accept: "text/html" } });
    expect([303, 307]).toContain(response.status);
    const location = new URL(String(response.headers.location ?? ""), origin);
    expect(location.pathname).toBe("/app/api/auth/signin");
    expect(location.searchParams.get("callbackUrl")).toBe(`${origin}/app/dashboard/settings`);
    expect(String(response.headers["cache-control"])).toContain("no-store");
  });
});
