/**
 * Sustained load on a real build (e2e/apps/protected16, the Next 16 proxy fixture that
 * protected-routes.test.ts builds; one build serves both files in a suite run): the session
 * route and a protected page at once, signed in, for 60 s (`LATCH_LOAD_SECONDS` to change it).
 * Every answer must be the signed-in one — no errors, no timeouts, no redirect, no `null`
 * session — and the server's memory must stay flat. Its resident set (the whole process tree,
 * from /proc) is read after a warm-up, at half time and at the end, and printed.
 *
 * What "flat" can mean here: a `next start` server's RSS climbs for the first tens of seconds of
 * load and then levels off — V8 sizes its heap and code space to the load, and rarely hands
 * freed memory back. Measured on a 2-core machine: 170 → 300 MB over the first ~40 s, then
 * ±15 MB for minutes after; an empty Next app does the same (170 → 265 MB). So a bound on
 * start-to-end growth either flakes or is too loose to mean anything. A leak grows with every
 * request instead, so the test bounds the second half, after the plateau: at most 10% + 32 MB
 * from half time to the end. At the default 60 s that half carries thousands of requests even on
 * a slow machine, so a leak of a few KB per request crosses it. A loose start-to-end bound
 * (2× + 50 MB) catches runaway growth in short local runs.
 */
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import type * as LatchJwt from "latch/jwt";
import { describe, expect, it } from "vitest";
import { MARKERS } from "./apps/protected16/markers.js";
import { buildExampleApp, getFreePort, repoRoot, startExampleApp, useFixtures } from "./harness.js";
import { listeningPid, runLoad, treeRssBytes, type LoadResult } from "./load-helpers.js";

const appDir = path.join(repoRoot, "e2e", "apps", "protected16");
const sessionCookieName = "authjs.session-token";
const seconds = Number(process.env.LATCH_LOAD_SECONDS ?? "60");
const warmupSeconds = Math.min(15, Math.max(2, Math.round(seconds / 4)));
const user = { name: "Load Tester", email: "load@example.test", sub: "load-sub" };
const MB = 1024 * 1024;

/** Connections per target: two targets on a two-core machine, with the server on the same machine. */
const CONNECTIONS = 8;

describe("sustained load on the session route and a protected page", () => {
  const fixtures = useFixtures(async (cleanup) => {
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`e2e: LATCH_LOAD_SECONDS must be a positive number of seconds, not ${String(process.env.LATCH_LOAD_SECONDS)}`);
    await buildExampleApp(appDir);
    const jwt: typeof LatchJwt = await import("latch/jwt");
    const secret = randomBytes(33).toString("base64");
    // A session that outlives the run: renewals are sent back but the test keeps its cookie.
    const cookie = `${sessionCookieName}=${await jwt.encode({ token: user, secret, salt: sessionCookieName, maxAge: 24 * 60 * 60 })}`;
    const port = await getFreePort();
    // The IdP is never contacted: the load only reads sessions.
    const app = cleanup.add(
      await startExampleApp({
        appDir,
        port,
        env: { AUTH_URL: `http://127.0.0.1:${port}`, AUTH_SECRET: secret, AUTH_LOCAL_ISSUER: "http://127.0.0.1:9/unused", AUTH_LOCAL_SECRET: "unused" },
      }),
    );
    return { app, cookie };
  });

  it(
    `answers every signed-in request for ${seconds} s with flat memory`,
    async () => {
      const { app: server, cookie } = fixtures();
      const targets = [
        { url: `${server.url}/api/auth/session`, accept: "application/json", verify: (body: string) => body.includes(user.email) },
        { url: `${server.url}/dashboard`, accept: "text/html", verify: (body: string) => body.includes(MARKERS.dashboard) && body.includes(user.name) },
      ];
      const loadAll = (duration: number): Promise<LoadResult[]> =>
        Promise.all(targets.map(({ url, accept, verify }) => runLoad({ url, headers: { accept, cookie }, connections: CONNECTIONS, seconds: duration, verify })));

      const pid = listeningPid(server.port);
      await loadAll(warmupSeconds);
      const rssStart = treeRssBytes(pid);
      let rssHalf = rssStart;
      const half = setTimeout(() => (rssHalf = treeRssBytes(pid)), (seconds * 1000) / 2);
      const results = await loadAll(seconds).finally(() => clearTimeout(half));
      const rssEnd = treeRssBytes(pid);

      const requests = results.reduce((sum, result) => sum + result.ok, 0);
      const report = {
        seconds,
        warmupSeconds,
        rssMB: { start: Math.round(rssStart / MB), half: Math.round(rssHalf / MB), end: Math.round(rssEnd / MB) },
        requests,
        results,
      };
      console.log(`e2e load: ${JSON.stringify(report, null, 2)}`);

      for (const result of results) {
        expect(result, `${result.url}: every answer signed in and 2xx\n${server.logs().slice(-4000)}`).toMatchObject({ non2xx: 0, mismatches: 0, errors: 0, timeouts: 0 });
        expect(result.ok).toBeGreaterThan(0);
      }
      const rss = `RSS ${report.rssMB.start} MB after warm-up, ${report.rssMB.half} MB at half time, ${report.rssMB.end} MB at the end`;
      expect(rssEnd, `${rss}: grew in the second half`).toBeLessThan(rssHalf * 1.1 + 32 * MB);
      expect(rssEnd, `${rss}: grew past twice the start`).toBeLessThan(rssStart * 2 + 50 * MB);
    },
    (seconds + warmupSeconds + 60) * 1000,
  );
});
