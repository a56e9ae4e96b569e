/**
 * The three benchmark apps (bench/apps/*) and their builds: latch's dist first when its sources
 * changed, then `next build` for each app whose build is older than what it is built from.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "./children.js";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const latchDir = path.join(repoRoot, "packages", "latch");
const require = createRequire(path.join(repoRoot, "package.json"));

/** The root's `next` CLI, run with `node` as e2e/harness.ts does. */
export const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist", "bin", "next");

function versionOf(pkg: string): string {
  const manifest: unknown = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), "utf8"));
  if (typeof manifest === "object" && manifest !== null && "version" in manifest && typeof manifest.version === "string") return manifest.version;
  throw new Error(`bench: ${pkg}/package.json has no version`);
}

/** Versions of what the apps are built with; a change rebuilds them (npm does not keep mtimes). */
export const versions = { next: versionOf("next"), nextAuth: versionOf("next-auth") } as const;

/** One benchmark app. */
export interface App {
  /** The key in the report: `latch`, `nextAuth`, `noAuth`. */
  key: "latch" | "nextAuth" | "noAuth";
  dir: string;
  /** Whether the proxy reads a session: it must then redirect a request without one. */
  authenticates: boolean;
}

/** latch, next-auth, and the ceiling: the same app with a proxy that does nothing. */
export const apps: readonly App[] = [
  { key: "latch", dir: path.join(repoRoot, "bench", "apps", "latch-proxy"), authenticates: true },
  { key: "nextAuth", dir: path.join(repoRoot, "bench", "apps", "next-auth-proxy"), authenticates: true },
  { key: "noAuth", dir: path.join(repoRoot, "bench", "apps", "no-auth-proxy"), authenticates: false },
];

/** Build output and generated files: not inputs of a build. */
const GENERATED = new Set([".next", "node_modules", "next-env.d.ts"]);

/** The newest modification time (ms) of the files under `dir`, skipping `skip`; 0 for none. */
function newestMtime(dir: string, skip: (name: string) => boolean = () => false): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full, skip) : statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

/** The oldest modification time (ms) of the files under `dir`; Infinity for none. */
function oldestMtime(dir: string): number {
  let oldest = Infinity;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    oldest = Math.min(oldest, entry.isDirectory() ? oldestMtime(full) : statSync(full).mtimeMs);
  }
  return oldest;
}

/** How each build went: reused as it was, or rebuilt because an input was newer. */
export type BuildAction = "reused" | "built";

/**
 * Rebuilds packages/latch/dist when a (non-test) source file is newer than it: the latch app
 * bundles dist, and a stale one would measure yesterday's library.
 */
async function buildLatch(env: NodeJS.ProcessEnv): Promise<BuildAction> {
  const dist = path.join(latchDir, "dist");
  const newestSource = newestMtime(path.join(latchDir, "src"), (name) => name.endsWith(".test.ts"));
  if (existsSync(dist) && oldestMtime(dist) >= newestSource) return "reused";
  process.stderr.write("bench: building latch (packages/latch/src changed since dist was built)\n");
  await run("npm", ["run", "build", "-w", "latch"], { cwd: repoRoot, env });
  return "built";
}

/** Builds `app` unless its `.next/BUILD_ID` is newer than its sources (and latch's dist, for latch's app). */
async function buildApp(app: App, env: NodeJS.ProcessEnv): Promise<BuildAction> {
  const buildId = path.join(app.dir, ".next", "BUILD_ID");
  const stamp = path.join(app.dir, ".next", "bench-versions.json");
  const wanted = JSON.stringify(versions);
  const inputs = Math.max(
    newestMtime(app.dir, (name) => GENERATED.has(name) || name.endsWith(".tsbuildinfo")),
    app.key === "latch" ? newestMtime(path.join(latchDir, "dist")) : 0,
  );
  if (existsSync(buildId) && statSync(buildId).mtimeMs > inputs && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) {
    return "reused";
  }
  process.stderr.write(`bench: building ${path.relative(repoRoot, app.dir)}\n`);
  // A build-only secret: nothing signed at build time survives into the running app.
  await run(process.execPath, [nextBin, "build"], { cwd: app.dir, env: { ...env, AUTH_SECRET: randomBytes(33).toString("base64") } });
  writeFileSync(stamp, wanted);
  return "built";
}

/**
 * Builds what is stale, one build at a time (two cores: parallel builds only thrash), and says
 * what it did for each.
 *
 * @example
 * ```ts
 * const builds = await buildApps(childEnv({})); // { latchDist: "reused", latch: "built", ... }
 * ```
 */
export async function buildApps(env: NodeJS.ProcessEnv): Promise<Record<"latchDist" | App["key"], BuildAction>> {
  const latchDist = await buildLatch(env);
  const built: Partial<Record<App["key"], BuildAction>> = {};
  for (const app of apps) built[app.key] = await buildApp(app, env);
  return { latchDist, latch: built.latch ?? "reused", nextAuth: built.nextAuth ?? "reused", noAuth: built.noAuth ?? "reused" };
}

/**
 * The environment of a child process: the caller's, without what would change the measurement
 * (`NODE_ENV`, a developer's `AUTH_*` settings, Next's internals), plus `extra`.
 *
 * @example
 * ```ts
 * const env = childEnv({ NODE_ENV: "production", AUTH_SECRET: secret });
 * ```
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === "NODE_ENV" || key.startsWith("AUTH_") || key.startsWith("__NEXT")) delete env[key];
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", ...extra };
}
