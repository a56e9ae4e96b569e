/**
 * What the browser tests need around them: the example app built and served
 * the way a user serves it (`next build` + `next start`), a real OpenID
 * provider, and Debian's Chromium.
 *
 * Every helper fails loudly with what to do; nothing here skips a test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { startLocalIdP, type LocalIdPTtl } from "@latch/local-idp";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, onTestFailed } from "vitest";

/** The repository root. */
export const repoRoot = fileURLToPath(new URL("..", import.meta.url));
/** Where failure screenshots (and a test's own screenshots) go. */
export const artifactsDir = path.join(repoRoot, ".test-results", "e2e");
/** The example app the tests drive by default. */
export const appDir = path.join(repoRoot, "examples", "next-app");

/** The client the example app is registered as at the local IdP (see examples/next-app/auth.ts). */
export const demoClient = { clientId: "latch-demo", clientSecret: `e2e-${randomBytes(16).toString("hex")}` } as const;

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * The `next` CLI an app is built and served with: the one Node resolves from the app's own
 * directory. Most apps get the root's Next 16; an app that is its own workspace with another
 * `next` in its node_modules (e2e/apps/protected15, Next 15) gets that one.
 *
 * @example
 * ```ts
 * spawn(process.execPath, [nextBinFor(dir), "build"], { cwd: dir });
 * ```
 */
export function nextBinFor(dir: string): string {
  // createRequire needs a file path; the file need not exist, only its directory matters.
  const nextPackage = createRequire(path.join(dir, "package.json")).resolve("next/package.json");
  return path.join(path.dirname(nextPackage), "dist", "bin", "next");
}

/** The major version of the `next` an app resolves (see {@link nextBinFor}). */
function nextMajorFor(dir: string): number {
  const nextPackage = createRequire(path.join(dir, "package.json")).resolve("next/package.json");
  const manifest: unknown = JSON.parse(readFileSync(nextPackage, "utf8"));
  const version = typeof manifest === "object" && manifest !== null && "version" in manifest ? String(manifest.version) : "";
  return Number.parseInt(version, 10);
}

/** Live child processes, so a crashed test run does not leave servers behind. */
const children = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of children) killGroup(child, "SIGKILL");
});

/**
 * The environment a child process gets: the caller's, minus what would change
 * what the tests exercise. Vitest sets `NODE_ENV=test`, which `next build`
 * rejects; a developer's shell may hold GitHub credentials or another secret.
 * Empty strings (not deletions) keep `.env.local` from filling them back in,
 * since Next only loads a variable from a file when the environment lacks it.
 */
function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_ENV;
  for (const key of Object.keys(env)) {
    if (key.startsWith("AUTH_") || key.startsWith("VITEST") || key.startsWith("__NEXT")) delete env[key];
  }
  const merged: NodeJS.ProcessEnv = {
    ...env,
    NEXT_TELEMETRY_DISABLED: "1",
    AUTH_GITHUB_ID: "",
    AUTH_GITHUB_SECRET: "",
    ...extra,
  };
  // `undefined` means "absent": a test of a missing variable must not see even an empty one.
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  return merged;
}

/** Runs a command to completion; rejects with its output when it fails. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`e2e: \`${command} ${args.join(" ")}\` in ${options.cwd} exited with ${String(code)}:\n${output}`));
    });
  });
}

let latchBuild: Promise<string> | undefined;
const appBuilds = new Map<string, Promise<string>>();

/**
 * Builds latch, then a Next.js app with `next build` (the example app unless
 * `dir` names another, e.g. a fixture under `e2e/apps/`; with the `next` the app's
 * directory resolves, see {@link nextBinFor}), each at most once
 * per test process, and resolves to the app's build output (for tests that
 * assert on build warnings). latch is rebuilt first because apps consume
 * `packages/latch/dist`: a stale build would test yesterday's library. Set
 * `E2E_SKIP_BUILD=1` to reuse the builds while iterating on the tests themselves.
 *
 * @example
 * ```ts
 * beforeAll(() => buildExampleApp(), 600_000);
 * beforeAll(() => buildExampleApp(path.join(repoRoot, "e2e", "apps", "checks")), 600_000);
 * ```
 */
export function buildExampleApp(dir: string = appDir): Promise<string> {
  let build = appBuilds.get(dir);
  if (build === undefined) {
    build = (async () => {
      if (process.env.E2E_SKIP_BUILD === "1") {
        if (!existsSync(path.join(dir, ".next", "BUILD_ID"))) {
          throw new Error(`e2e: E2E_SKIP_BUILD=1 but ${path.relative(repoRoot, dir)}/.next holds no build; unset it to build.`);
        }
        return "";
      }
      latchBuild ??= run("npm", ["run", "build", "-w", "latch"], { cwd: repoRoot, env: childEnv({}) });
      await latchBuild;
      // Next 15 also runs ESLint over the app, which the repository's own lint step already
      // does (Next 16 no longer lints in builds): a minute saved across the Next 15 fixtures.
      const lint = nextMajorFor(dir) === 15 ? ["--no-lint"] : [];
      // A build-only secret: nothing signed at build time survives into the running app.
      return run(process.execPath, [nextBinFor(dir), "build", ...lint], {
        cwd: dir,
        env: childEnv({ AUTH_SECRET: randomBytes(33).toString("base64") }),
      });
    })();
    appBuilds.set(dir, build);
  }
  return build;
}

/** A port nobody listens on right now, chosen by the OS. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new Error("e2e: could not read the port the OS assigned"));
      });
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // Negative pid: the whole group, since `next start` may fork workers.
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** A running `next start` of the example app or a fixture app. */
export interface ExampleApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  port: number;
  /** Everything the server printed so far, for failure reports. */
  logs(): string;
  close(): Promise<void>;
}

/**
 * Serves a built app (the example app unless `appDir` names another) with
 * `next start` on 127.0.0.1 and resolves once it answers HTTP. It gets a fresh
 * random `AUTH_SECRET` unless `env` sets one; an `env` value of `undefined`
 * removes the variable. The server runs in its own process group so `close`
 * stops it and anything it forked.
 *
 * @example
 * ```ts
 * const app = await startExampleApp({ port, env: { AUTH_URL: `http://127.0.0.1:${port}` } });
 * const unconfigured = await startExampleApp({ port: other, appDir: checksDir, env: { AUTH_SECRET: undefined } });
 * ```
 */
export async function startExampleApp(options: {
  port: number;
  env: Record<string, string | undefined>;
  appDir?: string | undefined;
}): Promise<ExampleApp> {
  const { port } = options;
  const url = `http://127.0.0.1:${port}`;
  const dir = options.appDir ?? appDir;
  const child = spawn(process.execPath, [nextBinFor(dir), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: dir,
    env: childEnv({ AUTH_SECRET: randomBytes(33).toString("base64"), ...options.env }),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      children.delete(child);
      resolve();
    }),
  );

  const close = async (): Promise<void> => {
    killGroup(child, "SIGTERM");
    const timer = setTimeout(() => killGroup(child, "SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`e2e: \`next start\` exited before answering (code ${String(child.exitCode)}):\n${output}`);
    }
    try {
      // Any status counts: a 500 is the test's business, not the harness's.
      await fetch(`${url}/favicon.ico`, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await close();
        throw new Error(`e2e: \`next start\` did not answer on ${url} within 60s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  return { url, port, logs: () => output, close };
}

/** The local OpenID provider, running inside the test process. */
export interface IdP {
  issuer: string;
  url: string;
  close(): Promise<void>;
  /** Refresh-token grants the IdP answered since it started, in order: `true` granted, `false` refused. */
  refreshGrants: boolean[];
}

/**
 * Starts `@latch/local-idp` in-process on a port the OS picks, with the
 * example app's client registered for the given redirect URIs.
 *
 * @example
 * ```ts
 * const idp = await startIdP({ redirectUris: [`http://127.0.0.1:${port}/api/auth/callback/local`] });
 * ```
 */
export async function startIdP(options: { redirectUris: string[]; ttl?: LocalIdPTtl }): Promise<IdP> {
  const idp = await startLocalIdP({
    ...(options.ttl ? { ttl: options.ttl } : {}),
    port: 0,
    clients: [
      {
        client_id: demoClient.clientId,
        client_secret: demoClient.clientSecret,
        redirect_uris: options.redirectUris,
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
  });
  const refreshGrants: boolean[] = [];
  idp.provider.on("grant.success", (ctx) => {
    if (ctx.oidc.params?.grant_type === "refresh_token") refreshGrants.push(true);
  });
  idp.provider.on("grant.error", (ctx) => {
    if (ctx.oidc.params?.grant_type === "refresh_token") refreshGrants.push(false);
  });
  return { issuer: idp.issuer, url: idp.url, close: async () => idp.close(), refreshGrants };
}

/**
 * Launches Debian's Chromium headless. Playwright's own browser downloads do
 * not work here, so the system package is required, and its absence is a
 * failure that says what to install.
 *
 * @example
 * ```ts
 * const browser = await launchBrowser();
 * ```
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(
      `e2e: no Chromium at ${chromiumPath}. Install Debian's package: \`apt-get update && apt-get install -y chromium\` (or point CHROMIUM_PATH at a Chromium binary).`,
    );
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * The key latch stores a database session row under for a cookie's token: `h1.` and the
 * SHA-256 of the token (packages/latch/src/core/session/database-session.ts). Written out here
 * on purpose: a change of the stored format must fail the browser tests too.
 */
export function storedSessionKey(token: string): string {
  return `h1.${createHash("sha256").update(`latch.session:${token}`).digest("hex")}`;
}

/** What a test file's setup hands things to that must be undone after its tests (see {@link useFixtures}). */
export interface Cleanup {
  /** Closes `resource` after the tests; returns it, so a start reads `const app = cleanup.add(await startExampleApp(...))`. */
  add<R extends { close(): unknown }>(resource: R): R;
  /** Runs `undo` after the tests: for what has no `close()` (a temporary directory, a database schema). */
  defer(undo: () => unknown): void;
}

/**
 * The shared fixtures of a test file (or of a `describe`, when called inside one):
 * registers a `beforeAll` that runs `start` and an `afterAll` that undoes what `start`
 * handed to its {@link Cleanup}, and returns an accessor for what `start` resolved to.
 *
 * A failed `start` is remembered rather than thrown: Vitest would report the tests as
 * skipped, and a missing Chromium or a broken build must fail every test with the reason,
 * so the accessor throws it. Cleanups run in reverse order of registration, each one
 * even if another fails (the first failure is rethrown after all ran); register each
 * thing as soon as it exists, so a setup that fails halfway is undone as far as it got.
 * `timeout` is the `beforeAll`'s, in ms: the default leaves room for `next build`s.
 *
 * @example
 * ```ts
 * const fixtures = useFixtures(async (cleanup) => {
 *   // The browser first: a missing Chromium should fail in a second, not after a build.
 *   const browser = cleanup.add(await launchBrowser());
 *   await buildExampleApp();
 *   const port = await getFreePort();
 *   const app = cleanup.add(await startExampleApp({ port, env: { AUTH_URL: `http://127.0.0.1:${port}` } }));
 *   return { browser, app };
 * });
 *
 * it("signs in", async () => {
 *   const { browser, app } = fixtures();
 * });
 * ```
 */
export function useFixtures<T>(start: (cleanup: Cleanup) => Promise<T>, timeout = 900_000): () => T {
  let started: { fixtures: T } | undefined;
  let setupError: Error | undefined;
  const undos: Array<() => unknown> = [];
  const cleanup: Cleanup = {
    add: (resource) => {
      undos.push(() => resource.close());
      return resource;
    },
    defer: (undo) => {
      undos.push(undo);
    },
  };

  beforeAll(async () => {
    try {
      started = { fixtures: await start(cleanup) };
    } catch (error) {
      setupError = error instanceof Error ? error : new Error(String(error));
    }
  }, timeout);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const undo of undos.splice(0).reverse()) {
      try {
        await undo();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  });

  return () => {
    if (setupError !== undefined) throw setupError;
    if (started === undefined) throw new Error("e2e: the fixtures were not started");
    return started.fixtures;
  };
}

/**
 * On the current test's failure, saves a screenshot of each page to {@link artifactsDir}
 * as `<name>-failure.png` (`<name>-<index>-failure.png` when `pages` is an array) and prints
 * where it was, then what each server printed, under its label. With `[]`, only the output.
 *
 * @example
 * ```ts
 * reportOnFailure(page, "sign-in", { app });
 * reportOnFailure([first, second], "client-tabs", { app, "short-lived app": shortApp });
 * ```
 */
export function reportOnFailure(pages: Page | readonly Page[], name: string, servers: Readonly<Record<string, { logs(): string }>> = {}): void {
  onTestFailed(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    const shots = isOnePage(pages)
      ? [{ page: pages, label: "browser", file: `${name}-failure.png` }]
      : pages.map((page, index) => ({ page, label: `page ${index}`, file: `${name}-${index}-failure.png` }));
    for (const { page, label, file } of shots) {
      const screenshot = path.join(artifactsDir, file);
      await page.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
      console.error(`[e2e] ${label} was at ${page.url()}; screenshot: ${screenshot}`);
    }
    for (const [label, server] of Object.entries(servers)) console.error(`[e2e] next start output (${label}):\n${server.logs()}`);
  });
}

/** `Array.isArray` does not narrow a readonly array out of a union. */
function isOnePage(pages: Page | readonly Page[]): pages is Page {
  return !Array.isArray(pages);
}
