/**
 * The figures issue 8 sets targets for, as ratios to the better of next-auth and Better Auth in
 * the same run, with pass or miss per target. A miss is reported, never a failed process: the
 * benchmark is a measurement, and a busy machine can move any figure.
 */
import type { AuthCallReport } from "./auth-call.js";
import type { ProxyReport } from "./proxy.js";
import type { SessionTokenReport } from "./session-token.js";
import { round } from "./stats.js";

/** Bytes the proxy may add to an empty one: 10 KB, counted as 10,240 bytes. */
const PROXY_BUNDLE_BUDGET = 10 * 1024;

/** One target: what latch measured, against what, and whether it met the target. */
export interface Target {
  name: string;
  /** latch's figure: a ratio (`x`) or bytes. */
  measured: number;
  unit: "x" | "bytes";
  /** At least this for a ratio, at most this for bytes. */
  target: number;
  /** What the ratio or size is measured against. */
  against: string;
  met: boolean;
}

/** The targets, and the other comparisons the issue asks for without a target. */
export interface BenchSummary {
  targets: Target[];
  /**
   * Other ratios of latch to the better of next-auth and Better Auth (higher is better for latch;
   * CPU per request is theirs over latch's), and `ceiling*`: the no-auth app over that better one.
   */
  ratios: Record<string, number>;
}

function better(a: number, b: number, names: [string, string]): { value: number; name: string } {
  return a >= b ? { value: a, name: names[0] } : { value: b, name: names[1] };
}

/**
 * The targets of issue 8, item 1, from a run's reports.
 *
 * @example
 * ```ts
 * const summary = summarize(sessionToken, authCall, proxy);
 * process.stderr.write(formatSummaryTable(summary));
 * ```
 */
export function summarize(sessionToken: SessionTokenReport, authCall: AuthCallReport, proxy: ProxyReport): BenchSummary {
  const names: [string, string] = ["next-auth", "Better Auth"];
  const ratioTarget = (name: string, latch: number, nextAuth: number, betterAuth: number, target: number): Target => {
    const best = better(nextAuth, betterAuth, names);
    const measured = round(latch / best.value, 2);
    return { name, measured, unit: "x", target, against: best.name, met: measured >= target };
  };
  const rps = (key: "latch" | "nextAuth" | "betterAuth" | "noAuth", route: "page" | "session"): number => proxy[key][route].requestsPerSec.median;
  const bundleDelta = proxy.latch.proxyBundle.bytes - proxy.noAuth.proxyBundle.bytes;
  const cookieBytes = proxy.latch.cookieHeader.bytes;
  const targets: Target[] = [
    ratioTarget(
      "session decode ops/s",
      sessionToken.latch.decodeOpsPerSec.median,
      sessionToken.nextAuth.decodeOpsPerSec.median,
      sessionToken.betterAuth.decodeOpsPerSec.median,
      10,
    ),
    ratioTarget("session route req/s", rps("latch", "session"), rps("nextAuth", "session"), rps("betterAuth", "session"), 1.5),
    ratioTarget("protected page req/s", rps("latch", "page"), rps("nextAuth", "page"), rps("betterAuth", "page"), 1.25),
    { name: "proxy bundle over an empty proxy", measured: bundleDelta, unit: "bytes", target: PROXY_BUNDLE_BUDGET, against: "the no-auth app", met: bundleDelta <= PROXY_BUNDLE_BUDGET },
    { name: "signed-in Cookie header", measured: cookieBytes, unit: "bytes", target: 600, against: "a fixed budget", met: cookieBytes <= 600 },
  ];
  // CPU per request: lower is better, so the ratio is theirs over latch's.
  const cpu = (key: "nextAuth" | "betterAuth", route: "page" | "session"): number => proxy[key][route].cpuPerRequestMs.median;
  const bestCpu = (route: "page" | "session"): number => Math.min(cpu("nextAuth", route), cpu("betterAuth", route));
  return {
    targets,
    ratios: {
      sessionEncode: round(sessionToken.latch.encodeOpsPerSec.median / Math.max(sessionToken.nextAuth.encodeOpsPerSec.median, sessionToken.betterAuth.encodeOpsPerSec.median), 2),
      authCallReads: round(authCall.latchReadsPerSec.median / Math.max(authCall.nextAuthReadsPerSec.median, authCall.betterAuthReadsPerSec.median), 2),
      pageCpuPerRequest: round(bestCpu("page") / proxy.latch.page.cpuPerRequestMs.median, 2),
      sessionCpuPerRequest: round(bestCpu("session") / proxy.latch.session.cpuPerRequestMs.median, 2),
      ceilingPage: round(rps("noAuth", "page") / Math.max(rps("nextAuth", "page"), rps("betterAuth", "page")), 2),
      ceilingSession: round(rps("noAuth", "session") / Math.max(rps("nextAuth", "session"), rps("betterAuth", "session")), 2),
    },
  };
}

/**
 * The targets as a short table, for people (stderr).
 *
 * @example
 * ```ts
 * process.stderr.write(formatSummaryTable(summary));
 * ```
 */
export function formatSummaryTable(summary: BenchSummary): string {
  const rows = summary.targets.map((target) => {
    const measured = target.unit === "x" ? `${target.measured}x` : `${target.measured} B`;
    const wanted = target.unit === "x" ? `>= ${target.target}x ${target.against}` : `<= ${target.target} B (${target.against})`;
    return `  ${target.met ? "met   " : "MISSED"} ${target.name.padEnd(34)} ${measured.padStart(9)}   target ${wanted}`;
  });
  const ratios = Object.entries(summary.ratios).map(([name, value]) => `${name} ${value}x`);
  return `targets (latch against the better of next-auth and Better Auth, same run):\n${rows.join("\n")}\n  other ratios: ${ratios.join(", ")}\n`;
}
