import { resolve } from "node:path";
import type { DoctorOptions } from "./types.js";

const VALUE_FLAGS = ["--dir", "--env-file", "--url", "--database", "--base-path", "--session-payload", "--timeout"] as const;
const BOOLEAN_FLAGS = ["--production", "--offline", "--json"] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

const DEFAULT_TIMEOUT_MS = 5000;

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

/**
 * Parses `latch doctor`'s arguments (`--flag value` or `--flag=value`); a string is the usage
 * error to print.
 *
 * @example
 * ```ts
 * const options = parseDoctorArgs(["--url", "http://127.0.0.1:3000", "--json"], process.cwd());
 * ```
 */
export function parseDoctorArgs(argv: readonly string[], cwd: string): DoctorOptions | string {
  const values = new Map<ValueFlag, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq !== -1 ? arg.slice(0, eq) : arg;
    if (isValueFlag(name)) {
      const value = eq !== -1 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "" || (eq === -1 && value.startsWith("--"))) return `latch doctor: ${name} needs a value.`;
      values.set(name, [...(values.get(name) ?? []), value]);
    } else if ((BOOLEAN_FLAGS as readonly string[]).includes(arg)) {
      flags.add(arg);
    } else {
      return `latch doctor: unknown argument "${printable(arg)}".`;
    }
  }
  const last = (flag: ValueFlag): string | undefined => values.get(flag)?.at(-1);
  const dir = resolve(cwd, last("--dir") ?? ".");
  const timeoutText = last("--timeout");
  const timeout = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeout) || timeout <= 0) return "latch doctor: --timeout needs a positive number of milliseconds.";
  const urlText = last("--url");
  const url = urlText === undefined ? undefined : originOf(urlText);
  if (url === null) return `latch doctor: --url needs the app's origin, e.g. http://127.0.0.1:3000 (got "${printable(urlText ?? "")}").`;
  const basePath = last("--base-path");
  if (basePath !== undefined && !basePath.startsWith("/")) return `latch doctor: --base-path starts with "/", e.g. /api/auth.`;
  return {
    dir,
    envFiles: (values.get("--env-file") ?? []).map((file) => resolve(cwd, file)),
    production: flags.has("--production"),
    url,
    database: last("--database"),
    basePath,
    sessionPayload: last("--session-payload"),
    offline: flags.has("--offline"),
    timeout,
    json: flags.has("--json"),
  };
}

/**
 * An argument fit to echo in an error: a value may carry a password (`--database-url=postgres://u:pw@…`),
 * so of `--flag=value` only the flag is shown, and of a URL its password is replaced.
 */
function printable(arg: string): string {
  if (arg.startsWith("-")) {
    const eq = arg.indexOf("=");
    return eq === -1 ? arg : `${arg.slice(0, eq)}=…`;
  }
  try {
    const url = new URL(arg);
    if (url.password === "") return arg;
    url.password = "***";
    return url.href;
  } catch {
    return arg;
  }
}

function originOf(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}
