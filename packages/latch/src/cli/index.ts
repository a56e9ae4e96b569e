/**
 * The `latch` command.
 *
 * @example
 * ```sh
 * npx latch secret            # prints a new AUTH_SECRET
 * npx latch secret --write    # writes it to .env.local (fills an empty AUTH_SECRET=; keeps a set one; --force replaces it)
 * npx latch migrate sqlite ./auth.db
 * npx latch doctor --url http://127.0.0.1:3000   # checks the setup, exit code 1 when something is wrong
 * ```
 */
import { resolve } from "node:path";
import { runDoctor } from "./doctor/index.js";
import type { EnvMap } from "./doctor/types.js";
import { MIGRATE_USAGE, migrate } from "./migrate.js";
import { SECRET_USAGE, generateSecret, parseSecretArgs, writeSecret } from "./secret.js";

const USAGE = `usage: latch <command>

  secret [--write [file]] [--force]   print a new AUTH_SECRET; --write puts it in .env.local (or file)
  migrate sqlite <file>               create or update latch's tables in a SQLite database
  migrate postgres [url]              the same in PostgreSQL (url defaults to DATABASE_URL, read
                                      as the app reads it: environment, then .env files)
  doctor [options]                    check this app's auth setup and print what to fix

latch doctor reads the env as Next.js does (process environment, then .env.<mode>.local,
.env.local, .env.<mode>, .env) and checks: AUTH_SECRET present and strong (never printed),
AUTH_URL and AUTH_TRUST_HOST for production, the route's base path, each provider's
AUTH_<ID>_ID/_SECRET and issuer discovery, the callback URLs to register, the size of a
session cookie, the adapter schema (--database sqlite:<file> | postgres://…, or LATCH_DB_FILE /
DATABASE_URL) and, with --url <origin>, the running app's answers and cookies. Exit code 1 when
a check fails. \`latch doctor --help\` lists the options (--production, --url, --json, …);
\`latch secret --help\` and \`latch migrate --help\` explain those commands.
`;

/** Runs the command line; returns the exit code. `env` and `cwd` are the process's unless a test passes its own. */
export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
  err: (line: string) => void = console.error,
  context: { env: EnvMap; cwd: string } = { env: process.env, cwd: process.cwd() },
): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "secret": {
      const parsed = parseSecretArgs(rest);
      if (typeof parsed === "string") {
        err(`${parsed}\n\n${SECRET_USAGE}`);
        return 1;
      }
      if (parsed.action === "help") {
        out(SECRET_USAGE);
        return 0;
      }
      const secret = generateSecret();
      if (parsed.action === "print") {
        out(secret);
        return 0;
      }
      const { file, force } = parsed;
      try {
        if (writeSecret(resolve(context.cwd, file), secret, force) === "kept") {
          err(`${file} already has an AUTH_SECRET; it is kept (replacing it signs every user out). Pass --force to replace it.`);
          return 1;
        }
      } catch (error) {
        err(error instanceof Error ? error.message : String(error));
        return 1;
      }
      out(`Wrote a new AUTH_SECRET to ${file}.`);
      return 0;
    }
    case "migrate":
      if (rest.includes("--help") || rest.includes("-h")) {
        out(MIGRATE_USAGE);
        return 0;
      }
      try {
        out(await migrate(rest, context));
        return 0;
      } catch (error) {
        err(error instanceof Error ? error.message : String(error));
        return 1;
      }
    case "doctor":
      return runDoctor(rest, { ...context, out, err });
    case undefined:
    case "help":
    case "--help":
      out(USAGE);
      return command === undefined ? 1 : 0;
    default:
      err(`latch: unknown command "${command}".\n${USAGE}`);
      return 1;
  }
}
