/**
 * The four apps under bench/apps served with `next start` — latch, next-auth v5, Better Auth in
 * its stateless mode, and the ceiling (no auth: a proxy that does nothing, a session route that
 * checks an HMAC-sealed cookie) — measured on two requests each:
 *
 * - `page`: the protected page through the Next.js 16 proxy (latch and next-auth:
 *   `export { auth as proxy }`, `authorized: ({ auth }) => !!auth`; Better Auth:
 *   `auth.api.getSession`). The page is static and never calls auth(), so the difference is the
 *   proxy: read the session cookie, decrypt it, run the callbacks, renew the cookie.
 * - `session`: the session route (`GET /api/auth/session`; Better Auth's `/api/auth/get-session`).
 *
 * Each app is built when stale, served on its own core, checked (check.ts), then loaded with
 * autocannon from another core in rounds that rotate the order, so drift hits every app alike.
 * Around each load the server's CPU time is read from /proc, for the CPU each request cost.
 * Also per app: the size of the proxy Next built, and the signed-in Cookie header.
 * `npm run bench` (bench/index.ts) runs it with the other benchmarks; run alone
 * (`node --import tsx bench/proxy.ts`) it prints its own JSON document to stdout.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { apps, buildApps, childEnv, versions, type App, type BuildAction } from "./proxy/apps.js";
import { proxyBundleSize, type BundleSize } from "./proxy/bundle-size.js";
import { checkApp, type CheckResult } from "./proxy/check.js";
import { mintSessionCookies } from "./proxy/cookies.js";
import { pinLoadGenerator, type CpuPlacement } from "./proxy/cpu.js";
import { load, type LoadSample } from "./proxy/load.js";
import { treeCpuMs } from "./proxy/process-tree.js";
import { startServer, type Server } from "./proxy/server.js";
import { round, summary, type Summary } from "./stats.js";

const CONNECTIONS = 16;
const ROUND_SECONDS = 4;
const WARMUP_SECONDS = 2;
const ROUNDS = 5;
const MIN_ROUNDS = 3;
/** Past this (from the start, builds included), no round starts after the first MIN_ROUNDS. */
const DEADLINE_MS = 330_000;

/** The two requests each app is loaded with. */
type Route = "page" | "session";
const ROUTES: readonly Route[] = ["page", "session"];

/** What one route of one app measured over the rounds. */
export interface RouteFigures {
  path: string;
  requestsPerSec: Summary;
  latencyMs: { p50: Summary; p99: Summary };
  /** Server CPU time (user + system, the whole process tree) per request, in milliseconds. */
  cpuPerRequestMs: Summary;
}

/** What one app measured. */
export interface AppFigures extends CheckResult {
  page: RouteFigures;
  session: RouteFigures;
  proxyBundle: BundleSize;
  /** Bytes of the `Cookie` header a signed-in browser sends, and of each cookie's value in it. */
  cookieHeader: { bytes: number; values: Record<string, number> };
}

/** Ratios of median requests per second. */
export type RouteRatios = Record<"latchToNextAuth" | "latchToBetterAuth" | "latchToNoAuth" | "nextAuthToNoAuth" | "betterAuthToNoAuth", number>;

/** What `benchProxy` measured, and how. */
export interface ProxyReport {
  latch: AppFigures;
  nextAuth: AppFigures;
  betterAuth: AppFigures;
  noAuth: AppFigures;
  ratio: { page: RouteRatios; session: RouteRatios };
  setup: {
    requests: Record<Route, string>;
    /** autocannon's latency histogram counts whole milliseconds. */
    latencyResolutionMs: number;
    connections: number;
    roundSeconds: number;
    warmupSeconds: number;
    rounds: number;
    cpu: CpuPlacement;
    cpuTime: string;
    next: string;
    nextAuth: string;
    betterAuth: string;
    builds: Record<"latchDist" | App["key"], BuildAction>;
    buildMs: number;
    /** The machine's 1-minute load average before the load started: other work skews the figures. */
    loadAverageBefore: number;
  };
  durationMs: number;
}

/** One load with the server's CPU time read around it. */
interface Sample extends LoadSample {
  cpuPerRequestMs: number;
}

/**
 * Builds, serves, checks and loads the four apps; stops every server it started, even on failure.
 *
 * @example
 * ```ts
 * const { ratio } = await benchProxy();
 * ```
 */
export async function benchProxy(): Promise<ProxyReport> {
  const began = performance.now();
  const builds = await buildApps(childEnv({}));
  const buildMs = Math.round(performance.now() - began);

  const secret = randomBytes(33).toString("base64");
  const cookies = await mintSessionCookies(secret);
  const env = childEnv({ NODE_ENV: "production", AUTH_SECRET: secret });

  const loadAverageBefore = round(loadavg()[0] ?? 0, 2);
  const pinning = pinLoadGenerator();
  const servers = new Map<App["key"], Server>();
  const samples = new Map<string, Sample[]>();
  const checks = new Map<App["key"], CheckResult>();
  let rounds = 0;
  try {
    for (const app of apps) servers.set(app.key, await startServer({ dir: app.dir, prefix: pinning.serverPrefix, env }));
    const serverOf = (app: App): Server => {
      const server = servers.get(app.key);
      if (!server) throw new Error(`bench: ${app.key} has no server`);
      return server;
    };
    const measure = async (app: App, route: Route, seconds: number): Promise<Sample> => {
      const server = serverOf(app);
      const before = treeCpuMs(server.pid);
      const sample = await load({
        url: `${server.url}${route === "page" ? "/dashboard" : app.sessionPath}`,
        headers: { accept: route === "page" ? "text/html" : "application/json", cookie: cookies[app.key].header },
        connections: CONNECTIONS,
        seconds,
      });
      return { ...sample, cpuPerRequestMs: (treeCpuMs(server.pid) - before) / sample.requests };
    };
    for (const app of apps) checks.set(app.key, await checkApp(app, serverOf(app), cookies[app.key].header));

    const targets = apps.flatMap((app) => ROUTES.map((route) => ({ app, route, key: `${app.key}:${route}` })));
    process.stderr.write(`bench: proxy: warming up, then up to ${ROUNDS} rounds of ${ROUND_SECONDS} s per app and route\n`);
    for (const { app, route } of targets) await measure(app, route, WARMUP_SECONDS);
    const roundMs = targets.length * (ROUND_SECONDS + 0.5) * 1000;
    for (let i = 0; i < ROUNDS && (i < MIN_ROUNDS || performance.now() - began + roundMs < DEADLINE_MS); i++) {
      // Rotate the order every round so no target always runs right after the same other one.
      for (let j = 0; j < targets.length; j++) {
        const target = targets[(i + j) % targets.length];
        if (!target) continue;
        const taken = samples.get(target.key) ?? [];
        taken.push(await measure(target.app, target.route, ROUND_SECONDS));
        samples.set(target.key, taken);
      }
      rounds++;
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.close()));
    pinning.restore();
  }

  const routeFigures = (app: App, route: Route): RouteFigures => {
    const taken = samples.get(`${app.key}:${route}`) ?? [];
    return {
      path: route === "page" ? "/dashboard" : app.sessionPath,
      requestsPerSec: summary(taken.map((sample) => sample.requestsPerSec)),
      latencyMs: { p50: summary(taken.map((sample) => sample.latencyP50Ms), 2), p99: summary(taken.map((sample) => sample.latencyP99Ms), 2) },
      cpuPerRequestMs: summary(taken.map((sample) => sample.cpuPerRequestMs), 3),
    };
  };
  const figuresOf = (key: App["key"]): AppFigures => {
    const app = apps.find((candidate) => candidate.key === key);
    if (!app) throw new Error(`bench: no app ${key}`);
    return {
      page: routeFigures(app, "page"),
      session: routeFigures(app, "session"),
      ...checks.get(key),
      proxyBundle: proxyBundleSize(app.dir),
      cookieHeader: { bytes: Buffer.byteLength(cookies[key].header), values: cookies[key].values },
    };
  };
  const [latch, nextAuth, betterAuth, noAuth] = [figuresOf("latch"), figuresOf("nextAuth"), figuresOf("betterAuth"), figuresOf("noAuth")];
  const ratios = (route: Route): RouteRatios => {
    const ratio = (a: AppFigures, b: AppFigures): number => round(a[route].requestsPerSec.median / b[route].requestsPerSec.median, 2);
    return {
      latchToNextAuth: ratio(latch, nextAuth),
      latchToBetterAuth: ratio(latch, betterAuth),
      latchToNoAuth: ratio(latch, noAuth),
      nextAuthToNoAuth: ratio(nextAuth, noAuth),
      betterAuthToNoAuth: ratio(betterAuth, noAuth),
    };
  };
  return {
    latch,
    nextAuth,
    betterAuth,
    noAuth,
    ratio: { page: ratios("page"), session: ratios("session") },
    setup: {
      requests: {
        page: "GET /dashboard (a static page behind the proxy) with a valid session cookie and Accept: text/html, over keep-alive",
        session: "GET the session route with a valid session cookie and Accept: application/json, over keep-alive",
      },
      latencyResolutionMs: 1,
      connections: CONNECTIONS,
      roundSeconds: ROUND_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rounds,
      cpu: pinning.placement,
      cpuTime: "utime+stime (+cutime+cstime) of the server's process tree from /proc/<pid>/stat, before and after each load, over the 2xx answers",
      next: versions.next,
      nextAuth: versions.nextAuth,
      betterAuth: versions.betterAuth,
      builds,
      buildMs,
      loadAverageBefore,
    },
    durationMs: Math.round(performance.now() - began),
  };
}

/**
 * A short table of the figures, for people (stderr); the JSON is the record.
 *
 * @example
 * ```ts
 * process.stderr.write(formatProxyTable(report));
 * ```
 */
export function formatProxyTable(report: ProxyReport): string {
  const keys = ["latch", "nextAuth", "betterAuth", "noAuth"] as const;
  const lines = [`served apps, ${report.setup.connections} connections, median (range) of ${report.setup.rounds} rounds:`];
  for (const route of ROUTES) {
    lines.push(route === "page" ? "  protected page through the proxy:" : "  session route:");
    for (const key of keys) {
      const { requestsPerSec: rps, latencyMs, cpuPerRequestMs } = report[key][route];
      lines.push(
        `    ${key.padEnd(10)} ${String(rps.median).padStart(6)} req/s (${rps.min}–${rps.max})  p50 ${latencyMs.p50.median} ms  p99 ${latencyMs.p99.median} ms  CPU ${cpuPerRequestMs.median} ms/req`,
      );
    }
  }
  lines.push(`  proxy bundle / signed-in Cookie header:`);
  for (const key of keys) lines.push(`    ${key.padEnd(10)} ${String(report[key].proxyBundle.bytes).padStart(8)} B   ${String(report[key].cookieHeader.bytes).padStart(5)} B`);
  return `${lines.join("\n")}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await benchProxy();
  process.stderr.write(formatProxyTable(report));
  process.stdout.write(`${JSON.stringify({ node: process.version, proxy: report }, null, 2)}\n`);
}
