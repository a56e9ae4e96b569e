/**
 * `latch doctor`: checks a project's auth configuration and environment and prints what to fix.
 * Exit code 1 when something is wrong, 2 on bad arguments.
 *
 * @example
 * ```sh
 * npx latch doctor
 * npx latch doctor --production --url https://staging.example.com --database "$DATABASE_URL" --json
 * ```
 */
import { existsSync, statSync } from "node:fs";
import { parseDoctorArgs } from "./args.js";
import { checkAuthUrl } from "./auth-url.js";
import { checkDatabase } from "./database.js";
import { resolveDatabaseTarget } from "./database-target.js";
import { envFileNames, envModeOf, loadProjectEnv } from "./env-files.js";
import { checkIssuer } from "./issuer.js";
import { checkLive } from "./live.js";
import { checkProviders, discoverProviders } from "./providers.js";
import { formatReport, redactFindings, summarize, type DoctorReport } from "./report.js";
import { findAuthRoutes } from "./routes.js";
import { checkSecrets } from "./secret.js";
import { checkSessionSize } from "./session-size.js";
import type { EnvMap, Finding } from "./types.js";

/** The help text of `latch doctor --help`. */
export const DOCTOR_USAGE = `usage: latch doctor [options]

Checks the auth setup of the Next.js app in the current directory and prints what to fix.
Exit code: 0 when nothing is wrong (warnings allowed), 1 when a check failed, 2 on bad arguments.

Env is read as Next.js reads it: the process environment wins, then each --env-file (the last
given first), then .env.<mode>.local, .env.local (not when NODE_ENV=test), .env.<mode>, .env.
The mode is production with --production or NODE_ENV=production, else development (or test).

  --dir <path>              the app's directory (default: the current one)
  --env-file <file>         also read this env file, above the standard ones (repeatable)
  --production              check as for a production deployment (https, AUTH_URL, trustHost)
  --url <origin>            the running app, e.g. http://127.0.0.1:3000: GET providers, csrf and
                            session, check answers and cookie attributes
  --database <spec>         sqlite:<file> or postgres://…: compare the schema with latch's
                            (default: LATCH_DB_FILE, then DATABASE_URL)
  --base-path <path>        the config's basePath, when it sets one (default: AUTH_URL's path or /api/auth)
  --session-payload <file>  measure this JSON token instead of a typical session
  --offline                 skip the issuers' discovery requests
  --timeout <ms>            per network request (default 5000)
  --json                    print the report as JSON
`;

/** What the command reads from its process: injectable so tests run it in-process. */
export interface DoctorIO {
  env: EnvMap;
  cwd: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

function newestFirst(env: EnvMap): string[] {
  return [env.AUTH_SECRET_3, env.AUTH_SECRET_2, env.AUTH_SECRET_1, env.AUTH_SECRET || env.NEXTAUTH_SECRET].filter((s): s is string => typeof s === "string" && s !== "");
}

/**
 * Runs `latch doctor` with its arguments; resolves to the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runDoctor(["--url", "http://127.0.0.1:3000"], { env: process.env, cwd: process.cwd(), out: console.log, err: console.error });
 * ```
 */
export async function runDoctor(argv: readonly string[], io: DoctorIO): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(DOCTOR_USAGE);
    return 0;
  }
  const options = parseDoctorArgs(argv, io.cwd);
  if (typeof options === "string") {
    io.err(`${options}\n\n${DOCTOR_USAGE}`);
    return 2;
  }
  if (!existsSync(options.dir) || !statSync(options.dir).isDirectory()) {
    io.err(`latch doctor: ${options.dir} is not a directory (--dir).`);
    return 2;
  }
  for (const file of options.envFiles) {
    const problem = !existsSync(file) ? "does not exist" : !statSync(file).isFile() ? "is not a file (a directory?)" : undefined;
    if (problem) {
      io.err(`latch doctor: the env file ${file} ${problem} (--env-file). Pass the path of a file such as .env.production.`);
      return 2;
    }
  }

  const production = options.production || io.env.NODE_ENV === "production";
  const project = loadProjectEnv(options.dir, envModeOf(io.env, production), options.envFiles, io.env);
  const { env, sources } = project;
  const findings: Finding[] = [
    {
      code: "env-files",
      severity: "ok",
      area: "env",
      message: `Env read from ${["process environment", ...project.files].join(", ")} (${project.mode} mode: the process environment wins, then ${[...(options.envFiles.length > 0 ? ["--env-file"] : []), ...envFileNames(project.mode)].join(", ")}).`,
    },
    ...project.skipped.map(
      ({ file, reason }): Finding => ({
        code: "env-file-unreadable",
        severity: "warn",
        area: "env",
        message: `${file} was not read: ${reason}. Next.js skips it too, so none of the settings in it reach the app.`,
        fix: `Make ${file} a readable file (a Docker bind mount of a file that does not exist on the host creates a directory in its place), or remove it.`,
      }),
    ),
    ...checkSecrets(env, sources),
  ];
  const url = checkAuthUrl(env, sources, { production, routes: findAuthRoutes(options.dir), basePath: options.basePath });
  findings.push(...url.findings);
  const { site } = url;

  const providers = discoverProviders(env);
  const origin = site.origin ?? options.url ?? (production ? undefined : "http://localhost:3000");
  const callbackBase = origin === undefined ? undefined : `${origin}${site.basePath === "/" ? "" : site.basePath}`;
  findings.push(...checkProviders(env, providers, { callbackBase, assumed: site.origin === undefined, production }));

  const target = resolveDatabaseTarget(options.database, env, options.dir);
  const secure = origin === undefined ? production : origin.startsWith("https:");
  const [issuers, session, database, live] = await Promise.all([
    Promise.all(providers.map((provider) => checkIssuer(provider, { timeout: options.timeout, offline: options.offline, production }))),
    checkSessionSize({ secrets: newestFirst(env), secure, payloadFile: options.sessionPayload, dir: options.dir, databaseSessions: typeof target === "object" }),
    checkDatabase(target, { timeout: options.timeout }),
    options.url
      ? checkLive({ url: options.url, site, envProviders: providers, timeout: options.timeout })
      : Promise.resolve<Finding[]>([{ code: "live-skipped", severity: "skip", area: "live", message: "The running app was not checked: pass --url <origin> (e.g. --url http://127.0.0.1:3000) while it runs." }]),
  ]);
  findings.push(...issuers.flat(), ...session, ...database, ...live);

  const safe = redactFindings(findings, env, options.database ? [options.database] : []);
  const { summary, exitCode } = summarize(safe);
  const report: DoctorReport = { project: options.dir, mode: project.mode, production, envFiles: project.files, summary, exitCode, findings: safe };
  if (options.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return exitCode;
}
