/**
 * The `latch` command.
 *
 * @example
 * ```sh
 * npx latch secret            # prints a new AUTH_SECRET
 * npx latch secret --write    # appends it to .env.local (keeps an existing one; --force replaces it)
 * npx latch migrate sqlite ./auth.db
 * ```
 */
import { migrate } from "./migrate.js";
import { generateSecret, writeSecret } from "./secret.js";

const USAGE = `usage: latch <command>

  secret [--write [file]] [--force]   print a new AUTH_SECRET; --write appends it to .env.local (or file)
  migrate sqlite <file>               create or update latch's tables in a SQLite database
  migrate postgres [url]              the same in PostgreSQL (url defaults to DATABASE_URL)
`;

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log, err: (line: string) => void = console.error): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "secret": {
      const secret = generateSecret();
      const writeAt = rest.indexOf("--write");
      if (writeAt === -1) {
        out(secret);
        return 0;
      }
      const next = rest[writeAt + 1];
      const file = next !== undefined && !next.startsWith("--") ? next : ".env.local";
      const result = writeSecret(file, secret, rest.includes("--force"));
      if (result === "kept") {
        err(`${file} already has an AUTH_SECRET; it is kept (replacing it signs every user out). Pass --force to replace it.`);
        return 1;
      }
      out(`Wrote a new AUTH_SECRET to ${file}.`);
      return 0;
    }
    case "migrate":
      try {
        out(await migrate(rest[0], rest[1]));
        return 0;
      } catch (error) {
        err(error instanceof Error ? error.message : String(error));
        return 1;
      }
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
