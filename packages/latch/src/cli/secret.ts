import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { envFileEntries } from "./doctor/env-files.js";

/** The help text of `latch secret --help`. */
export const SECRET_USAGE = `usage: latch secret [--write [file]] [--force]

Prints a new AUTH_SECRET: 32 random bytes, base64.

  --write [file]   write it to an env file instead (default .env.local): filled in where the file
                   has an empty AUTH_SECRET=, appended when it has none. A file whose AUTH_SECRET
                   is set is left as it is (replacing it signs every user out), exit code 1.
  --force          with --write: replace an AUTH_SECRET that is set (the file keeps one line)
`;

/** What `latch secret` was asked to do; see {@link parseSecretArgs}. */
export type SecretCommand = { action: "help" } | { action: "print" } | { action: "write"; file: string; force: boolean };

/**
 * Parses `latch secret`'s arguments; a string is the usage error to print. Nothing is printed
 * for a misspelled flag: a secret shown in a terminal or a CI log is no longer secret.
 *
 * @example
 * ```ts
 * parseSecretArgs(["--write", ".env.local", "--force"]); // { action: "write", file: ".env.local", force: true }
 * parseSecretArgs(["--wirte"]); // 'latch secret: unknown argument "--wirte".'
 * ```
 */
export function parseSecretArgs(argv: readonly string[]): SecretCommand | string {
  if (argv.includes("--help") || argv.includes("-h")) return { action: "help" };
  let file: string | undefined;
  let write = false;
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--force") {
      force = true;
    } else if (arg === "--write" || arg.startsWith("--write=")) {
      if (write) return "latch secret: --write is given twice.";
      write = true;
      const next = argv[i + 1];
      if (arg !== "--write") file = arg.slice("--write=".length);
      else if (next !== undefined && !next.startsWith("-")) file = argv[++i];
      if (file === "") return "latch secret: --write= needs a file name, e.g. --write=.env.local.";
    } else {
      return `latch secret: unknown argument "${arg.startsWith("-") ? (arg.split("=")[0] ?? arg) : arg}".`;
    }
  }
  if (force && !write) return "latch secret: --force goes with --write (it replaces the AUTH_SECRET in the file).";
  return write ? { action: "write", file: file ?? ".env.local", force } : { action: "print" };
}

/** A new secret: 32 random bytes (256 bits), base64 — what AUTH_SECRET expects. */
export function generateSecret(): string {
  return randomBytes(32).toString("base64");
}

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return "";
    throw error;
  }
}

/** Why `file` cannot be written, said so that the user knows what to do. */
function cannotWrite(file: string, error: unknown): Error {
  const reasons: Record<string, string> = {
    ENOENT: `the directory ${dirname(file)} does not exist; create it, or pass a file in an existing directory`,
    ENOTDIR: `a part of the path ${dirname(file)} is not a directory`,
    EISDIR: "it is a directory; pass the env file inside it, e.g. --write .env.local",
    EACCES: "permission denied; check the file's owner and mode (or its directory's)",
    EPERM: "permission denied; check the file's owner and mode (or its directory's)",
    EROFS: "the file system is read-only",
  };
  const code = codeOf(error);
  const reason = (code !== undefined ? reasons[code] : undefined) ?? (error instanceof Error ? error.message : String(error));
  return new Error(`latch secret: cannot write ${file}: ${reason}.`, { cause: error });
}

/**
 * Writes `AUTH_SECRET="…"` to an env file, creating it (mode 600) when missing. The file is read
 * as dotenv reads it (`export AUTH_SECRET=…`, `AUTH_SECRET = …`, quoted values): when it sets
 * AUTH_SECRET, the file is kept as it is unless `force`, since replacing the secret signs every
 * user out. An empty `AUTH_SECRET=` (as an .env.example has) is filled in where it stands; with
 * `force` the set one is replaced there. Either way the file ends with exactly one AUTH_SECRET
 * line. Throws an Error saying what to do when the file cannot be read or written.
 *
 * @example
 * ```ts
 * writeSecret(".env.local", generateSecret()); // "written", or "kept" when it already has one
 * ```
 */
export function writeSecret(file: string, secret: string, force = false): "written" | "kept" {
  let original: string;
  try {
    original = readIfExists(file);
  } catch (error) {
    throw cannotWrite(file, error);
  }
  // Offsets are in the text with "\n" line ends; a CRLF file gets its CRLFs back.
  const crlf = original.includes("\r\n");
  const content = original.replace(/\r\n?/g, "\n");
  const definitions = envFileEntries(content).filter((entry) => entry.key === "AUTH_SECRET");
  // dotenv keeps the last definition: that is the value the app reads.
  const current = definitions.at(-1);
  if (current !== undefined && current.value !== "" && !force) return "kept";
  let next: string;
  const [first] = definitions;
  if (first === undefined) {
    const separator = content === "" || content.endsWith("\n") ? "" : "\n";
    next = `${content}${separator}AUTH_SECRET="${secret}" # written by \`latch secret\`\n`;
  } else {
    const exported = /^\s*export\s/.test(content.slice(first.start, first.end)) ? "export " : "";
    // The first definition becomes the new line, in its place; the others go, with their line ends.
    next = content.slice(0, first.start) + `${exported}AUTH_SECRET="${secret}"`;
    let at = first.end;
    for (const later of definitions.slice(1)) {
      next += content.slice(at, later.start);
      at = Math.min(later.end + 1, content.length);
    }
    next += content.slice(at);
  }
  try {
    writeFileSync(file, crlf ? next.replace(/\n/g, "\r\n") : next, { mode: 0o600 });
  } catch (error) {
    throw cannotWrite(file, error);
  }
  return "written";
}
