/**
 * The four benchmark apps (bench/apps/*) and their builds: latch's dist first when its sources
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

/** The manifest of `pkg`: through its exports when it exports `./package.json`, else where npm installs it. */
function manifestPath(pkg: string): string {
  try {
    return require.resolve(`${pkg}/package.json`);
  } catch {
    return path.join(repoRoot, "node_modules", pkg, "package.json");
  }
}

function versionOf(pkg: string): string {
  const manifest: unknown = JSON.parse(readFileSync(manifestPath(pkg), "utf8"));
  if (typeof manifest === "object" && manifest !== null && "version" in manifest && typeof manifest.version === "string") return manifest.version;
  throw new Error(`bench: ${pkg}/package.json has no version`);
}

/** Versions of what the apps are built with; a change rebuilds them (npm does not keep mtimes). */
export const versions = { next: versionOf("next"), nextAuth: versionOf("next-auth"), betterAuth: versionOf("better-auth") } as const;

/** One benchmark app. */
export interface App {
  /** The key in the report: `latch`, `nextAuth`, `betterAuth`, `noAuth`. */
  key: "latch" | "nextAuth" | "betterAuth" | "noAuth";
  dir: string;
  /** Whether the proxy reads a session: it must then redirect a request without one. */
  authenticates: boolean;
  /** The route that answers the session as JSON. */
  sessionPath: string;
}

/**
 * latch, next-auth, Better Auth (stateless), and the ceiling: the same pages with a proxy that
 * does nothing and a session route that checks an HMAC-sealed cookie (bench/apps/no-auth-proxy/seal.ts).
 */
export const apps: readonly App[] = [
  { key: "latch", dir: path.join(repoRoot, "bench", "apps", "latch-proxy"), authenticates: true, sessionPath: "/api/auth/session" },
  { key: "nextAuth", dir: path.join(repoRoot, "bench", "apps", "next-auth-proxy"), authenticates: true, sessionPath: "/api/auth/session" },
  { key: "betterAuth", dir: path.join(repoRoot, "bench", "apps", "better-auth-proxy"), authenticates: true, sessionPath: "/api/auth/get-session" },
  { key: "noAuth", dir: path.join(repoRoot, "bench", "apps", "no-auth-proxy"), authenticates: false, sessionPath: "/api/auth/session" },
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
 *
 * @example
 * ```ts
 * await buildLatch(childEnv({})); // "reused" or "built"
 * ```
 */
export async function buildLatch(env: NodeJS.ProcessEnv): Promise<BuildAction> {
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
  // A build-only secret and URL: nothing signed at build time survives into the running app.
  const buildEnv = { ...env, AUTH_SECRET: randomBytes(33).toString("base64"), BETTER_AUTH_URL: "http://127.0.0.1:3000" };
  await run(process.execPath, [nextBin, "build"], { cwd: app.dir, env: buildEnv });
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
  const built: Record<App["key"], BuildAction> = { latch: "reused", nextAuth: "reused", betterAuth: "reused", noAuth: "reused" };
  for (const app of apps) built[app.key] = await buildApp(app, env);
  return { latchDist, ...built };
}

/**
 * The environment of a child process: the caller's, without what would change the measurement
 * (`NODE_ENV`, a developer's `AUTH_*` and `BETTER_AUTH_*` settings, Next's internals), plus `extra`.
 * Better Auth's telemetry is off (it is opt-in; this keeps it so).
 *
 * @example
 * ```ts
 * const env = childEnv({ NODE_ENV: "production", AUTH_SECRET: secret });
 * ```
 */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key === "NODE_ENV" || key.startsWith("AUTH_") || key.startsWith("BETTER_AUTH_") || key.startsWith("__NEXT")) delete env[key];
  }
  return { ...env, NEXT_TELEMETRY_DISABLED: "1", BETTER_AUTH_TELEMETRY: "0", ...extra };
}
