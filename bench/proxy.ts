/**
 * Requests per second of a protected page served through a Next.js 16 proxy
 * (`export { auth as proxy }`, `authorized: ({ auth }) => !!auth`): latch against next-auth v5,
 * with a proxy that does nothing as the ceiling. The three apps under bench/apps differ only in
 * the auth library; the page is static and never calls auth(), so the difference is the proxy:
 * read the session cookie, decrypt it, run the callbacks, renew the cookie.
 *
 * Each app is built when stale, served with `next start` on its own core, checked (200 with a
 * session, a redirect without one), then loaded with autocannon from another core in rounds
 * that rotate the order, so drift hits every app alike. `npm run bench` (bench/index.ts) runs it
 * with the other benchmarks; run alone (`node --import tsx bench/proxy.ts`) it prints its own
 * JSON document to stdout.
 */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import { pathToFileURL } from "node:url";
import { apps, buildApps, childEnv, versions, type App, type BuildAction } from "./proxy/apps.js";
import { mintSessionCookies, SESSION_COOKIE } from "./proxy/cookies.js";
import { pinLoadGenerator, type CpuPlacement } from "./proxy/cpu.js";
import { load, type LoadSample } from "./proxy/load.js";
import { startServer, type Server } from "./proxy/server.js";
import { round, summary, type Summary } from "./stats.js";

const CONNECTIONS = 16;
const ROUND_SECONDS = 5;
const WARMUP_SECONDS = 2;
const ROUNDS = 5;
const MIN_ROUNDS = 3;
/** Past this (from the start, builds included), no round starts after the first MIN_ROUNDS. */
const DEADLINE_MS = 170_000;

/** What one app measured over the rounds. */
export interface AppFigures {
  requestsPerSec: Summary;
  latencyMs: { p50: Summary; p99: Summary };
  /** The status a request without a session got (a redirect), for apps that authenticate. */
  signedOutStatus?: number;
  /** Whether a signed-in request got a renewed session cookie back, for apps that authenticate. */
  renewsSessionCookie?: boolean;
}

/** What `benchProxy` measured, and how. */
export interface ProxyReport {
  latch: AppFigures;
  nextAuth: AppFigures;
  noAuth: AppFigures;
  /** Ratios of median requests per second. */
  ratio: { latchToNextAuth: number; latchToNoAuth: number; nextAuthToNoAuth: number };
  setup: {
    request: string;
    /** autocannon's latency histogram counts whole milliseconds. */
    latencyResolutionMs: number;
    connections: number;
    roundSeconds: number;
    warmupSeconds: number;
    rounds: number;
    cpu: CpuPlacement;
    next: string;
    nextAuth: string;
    builds: Record<"latchDist" | App["key"], BuildAction>;
    buildMs: number;
    /** The machine's 1-minute load average before the load started: other work skews the figures. */
    loadAverageBefore: number;
  };
  durationMs: number;
}

/** Checks what the load will rely on; throws when the app does not behave as a protected page. */
async function check(app: App, server: Server, cookie: string): Promise<Pick<AppFigures, "signedOutStatus" | "renewsSessionCookie">> {
  const page = `${server.url}/dashboard`;
  const fail = (what: string): never => {
    throw new Error(`bench: ${app.key}: ${what}; not benchmarking. Server output:\n${server.output()}`);
  };
  const signedIn = await fetch(page, { redirect: "manual", headers: { accept: "text/html", cookie } });
  const body = await signedIn.text();
  if (signedIn.status !== 200 || !body.includes("Dashboard")) fail(`GET /dashboard with a session answered ${signedIn.status}, not 200 with the page`);
  if (!app.authenticates) return {};

  const signedOut = await fetch(page, { redirect: "manual", headers: { accept: "text/html" } });
  await signedOut.body?.cancel();
  if (signedOut.status < 300 || signedOut.status > 399 || !signedOut.headers.has("location")) {
    fail(`GET /dashboard without a session answered ${signedOut.status}, not a redirect to sign-in`);
  }
  const renewsSessionCookie = signedIn.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`));
  return { signedOutStatus: signedOut.status, renewsSessionCookie };
}

/**
 * Builds, serves, checks and loads the three apps; stops every server it started, even on failure.
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
  // The ceiling gets a cookie too, so every app parses a request of the same size.
  const cookieOf: Record<App["key"], string> = { latch: cookies.latch, nextAuth: cookies.nextAuth, noAuth: cookies.latch };
  const env = childEnv({ NODE_ENV: "production", AUTH_SECRET: secret });

  const loadAverageBefore = round(loadavg()[0] ?? 0, 2);
  const pinning = pinLoadGenerator();
  const servers = new Map<App["key"], Server>();
  const samples = new Map<App["key"], LoadSample[]>(apps.map((app) => [app.key, []]));
  const checks = new Map<App["key"], Awaited<ReturnType<typeof check>>>();
  let rounds = 0;
  try {
    for (const app of apps) servers.set(app.key, await startServer({ dir: app.dir, prefix: pinning.serverPrefix, env }));
    const target = (app: App): { url: string; headers: Record<string, string>; connections: number } => ({
      url: `${servers.get(app.key)?.url ?? ""}/dashboard`,
      headers: { accept: "text/html", cookie: cookieOf[app.key] },
      connections: CONNECTIONS,
    });
    for (const app of apps) {
      const server = servers.get(app.key);
      if (server) checks.set(app.key, await check(app, server, cookieOf[app.key]));
    }
    process.stderr.write(`bench: proxy: warming up, then up to ${ROUNDS} rounds of ${ROUND_SECONDS} s per app\n`);
    for (const app of apps) await load({ ...target(app), seconds: WARMUP_SECONDS });

    const roundMs = apps.length * (ROUND_SECONDS + 0.5) * 1000;
    for (let i = 0; i < ROUNDS && (i < MIN_ROUNDS || performance.now() - began + roundMs < DEADLINE_MS); i++) {
      // Rotate the order every round so no app always runs right after the same other one.
      for (let j = 0; j < apps.length; j++) {
        const app = apps[(i + j) % apps.length];
        if (app) samples.get(app.key)?.push(await load({ ...target(app), seconds: ROUND_SECONDS }));
      }
      rounds++;
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.close()));
    pinning.restore();
  }

  const figures = (key: App["key"]): AppFigures => {
    const taken = samples.get(key) ?? [];
    return {
      requestsPerSec: summary(taken.map((sample) => sample.requestsPerSec)),
      latencyMs: { p50: summary(taken.map((sample) => sample.latencyP50Ms), 2), p99: summary(taken.map((sample) => sample.latencyP99Ms), 2) },
      ...checks.get(key),
    };
  };
  const latch = figures("latch");
  const nextAuth = figures("nextAuth");
  const noAuth = figures("noAuth");
  const ratio = (a: AppFigures, b: AppFigures): number => round(a.requestsPerSec.median / b.requestsPerSec.median, 2);
  return {
    latch,
    nextAuth,
    noAuth,
    ratio: { latchToNextAuth: ratio(latch, nextAuth), latchToNoAuth: ratio(latch, noAuth), nextAuthToNoAuth: ratio(nextAuth, noAuth) },
    setup: {
      request: "GET /dashboard (a static page) with a valid session cookie and Accept: text/html, over keep-alive",
      latencyResolutionMs: 1,
      connections: CONNECTIONS,
      roundSeconds: ROUND_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      rounds,
      cpu: pinning.placement,
      next: versions.next,
      nextAuth: versions.nextAuth,
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
  const rows = (["latch", "nextAuth", "noAuth"] as const).map((key) => {
    const { requestsPerSec: rps, latencyMs } = report[key];
    return `${key.padEnd(9)} ${String(rps.median).padStart(7)} req/s (${rps.min}–${rps.max})  p50 ${latencyMs.p50.median} ms  p99 ${latencyMs.p99.median} ms`;
  });
  const { ratio } = report;
  return `proxy, GET /dashboard, ${report.setup.connections} connections, median of ${report.setup.rounds} rounds:\n${rows.join("\n")}\nlatch/next-auth ${ratio.latchToNextAuth}, latch/no-auth ${ratio.latchToNoAuth}, next-auth/no-auth ${ratio.nextAuthToNoAuth}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await benchProxy();
  process.stderr.write(formatProxyTable(report));
  process.stdout.write(`${JSON.stringify({ node: process.version, proxy: report }, null, 2)}\n`);
}
