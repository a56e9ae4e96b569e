import { readFileSync, statSync } from "node:fs";
import { basename, relative } from "node:path";
import type { EnvMap } from "./types.js";

/** Which of Next.js's env-file sets applies: `next dev`, `next build`/`next start`, or tests. */
export type EnvMode = "development" | "production" | "test";

/** The environment the app would see, and where each value came from. */
export interface ProjectEnv {
  env: EnvMap;
  /** Variable name → "process environment" or the env file that set it. */
  sources: Record<string, string>;
  /** The env files that exist, highest precedence first. */
  files: string[];
  /** Env files that exist but could not be read (a directory, no permission), as Next.js skips them. */
  skipped: Array<{ file: string; reason: string }>;
  mode: EnvMode;
}

const PROCESS = "process environment";

/** One `KEY=value` definition in an env file, with where it sits in the text. */
export interface EnvEntry {
  key: string;
  /** The value as dotenv reads it: unquoted, `\n` a newline inside double quotes, before `$VAR` expansion. */
  value: string;
  /** The quote the value was written in (`"`, `'` or a backquote), or "" when unquoted. */
  quote: string;
  /** Offset of the start of the definition's first line, in the text with line endings made `\n`. */
  start: number;
  /** Offset just past the definition's last line (before its `\n`), in the same text. */
  end: number;
}

/**
 * Every definition in an env file, in order (a key defined twice appears twice; dotenv keeps the
 * last). Offsets refer to the text with `\r\n` and `\r` made `\n`, so a caller can rewrite lines.
 *
 * @example
 * ```ts
 * envFileEntries("AUTH_SECRET=\nexport AUTH_SECRET = 'x'").map((e) => e.value); // ["", "x"]
 * ```
 */
export function envFileEntries(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  const source = text.replace(/\r\n?/g, "\n");
  const lineEndAfter = (at: number): number => {
    const next = source.indexOf("\n", at);
    return next === -1 ? source.length : next;
  };
  let i = 0;
  while (i < source.length) {
    const lineEnd = lineEndAfter(i);
    const line = /^\s*(?:export\s+)?([\w.-]+)\s*=[ \t]*/.exec(source.slice(i, lineEnd));
    if (!line?.[1]) {
      i = lineEnd + 1;
      continue;
    }
    const key = line[1];
    const at = i + line[0].length;
    const quote = source[at];
    if (quote === '"' || quote === "'" || quote === "`") {
      let close = at + 1;
      while (close < source.length && (source[close] !== quote || source[close - 1] === "\\")) close++;
      if (close < source.length) {
        let value = source.slice(at + 1, close);
        if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
        const end = lineEndAfter(close + 1);
        entries.push({ key, value, quote, start: i, end });
        i = end + 1;
        continue;
      }
    }
    const raw = source.slice(at, lineEnd);
    const hash = raw.indexOf("#");
    entries.push({ key, value: (hash === -1 ? raw : raw.slice(0, hash)).trim(), quote: "", start: i, end: lineEnd });
    i = lineEnd + 1;
  }
  return entries;
}

/**
 * Parses an env file as dotenv does: `KEY=value`, optional `export `, `#` comments, values in
 * single, double or back quotes (which may span lines; `\n` is a newline only inside double
 * quotes). In an unquoted value `#` starts a comment, as it does for Next.js. A key defined twice
 * keeps its last value.
 *
 * @example
 * ```ts
 * parseEnvFile('AUTH_SECRET="abc" # a comment\nAUTH_URL=http://127.0.0.1:3000'); // { AUTH_SECRET: "abc", AUTH_URL: "…" }
 * ```
 */
export function parseEnvFile(text: string): Record<string, { value: string; quote: string }> {
  const out: Record<string, { value: string; quote: string }> = {};
  for (const { key, value, quote } of envFileEntries(text)) out[key] = { value, quote };
  return out;
}

/** `$VAR`, `${VAR}` and `${VAR:-default}`, as dotenv-expand does for Next.js; `\$` stays a dollar. */
function expand(value: string, lookup: (name: string) => string | undefined): string {
  return value.replace(/\\\$|\$(?:\{([\w.]+)(?::-([^}]*))?\}|([A-Za-z_]\w*))/g, (match: string, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    if (match === "\\$") return "$";
    const found = lookup(braced ?? bare ?? "");
    return found !== undefined && found !== "" ? found : (fallback ?? "");
  });
}

/**
 * The env-file set Next.js reads: production for `next build` and `next start` (or when
 * `production` is asked for), test under NODE_ENV=test, else development (`next dev`).
 *
 * @example
 * ```ts
 * envModeOf(process.env); // "development" unless NODE_ENV says otherwise
 * ```
 */
export function envModeOf(env: EnvMap, production = false): EnvMode {
  if (production || env.NODE_ENV === "production") return "production";
  return env.NODE_ENV === "test" ? "test" : "development";
}

/** The env-file names Next.js reads in a mode, highest precedence first (as `@next/env`). */
export function envFileNames(mode: EnvMode): string[] {
  return [`.env.${mode}.local`, ...(mode === "test" ? [] : [".env.local"]), `.env.${mode}`, ".env"];
}

/**
 * Builds the environment the app would run with: `process.env` first, then `extraFiles` (later
 * ones win), then Next.js's files for the mode — `.env.<mode>.local`, `.env.local` (not in
 * test), `.env.<mode>`, `.env`. A variable keeps the first value found.
 *
 * @example
 * ```ts
 * const { env, sources } = loadProjectEnv("/app", "production", [], process.env);
 * ```
 */
export function loadProjectEnv(dir: string, mode: EnvMode, extraFiles: readonly string[], processEnv: EnvMap): ProjectEnv {
  const env: EnvMap = {};
  const sources: Record<string, string> = {};
  for (const [key, value] of Object.entries(processEnv)) {
    if (value === undefined) continue;
    env[key] = value;
    sources[key] = PROCESS;
  }
  const candidates = [...[...extraFiles].reverse(), ...envFileNames(mode).map((name) => `${dir}/${name}`)];
  const parsed: Array<{ label: string; entries: Record<string, { value: string; quote: string }> }> = [];
  const skipped: ProjectEnv["skipped"] = [];
  for (const [index, file] of candidates.entries()) {
    if (candidates.indexOf(file) !== index) continue;
    const text = readEnvFile(file);
    if (text === undefined) continue;
    if (typeof text === "object") skipped.push({ file: labelOf(dir, file), reason: text.reason });
    else parsed.push({ label: labelOf(dir, file), entries: parseEnvFile(text) });
  }
  // Expansion sees the process environment first, then the merged files, as @next/env does.
  const raw = (name: string): { value: string; quote: string } | undefined => {
    for (const { entries } of parsed) if (Object.hasOwn(entries, name)) return entries[name];
    return undefined;
  };
  const resolving = new Set<string>();
  const lookup = (name: string): string | undefined => {
    if (processEnv[name] !== undefined) return processEnv[name];
    const entry = raw(name);
    if (!entry || resolving.has(name)) return entry?.value;
    resolving.add(name);
    // Single-quoted values too: the dotenv-expand in @next/env expands every value.
    const value = expand(entry.value, lookup);
    resolving.delete(name);
    return value;
  };
  for (const { label, entries } of parsed) {
    for (const key of Object.keys(entries)) {
      if (key in env) continue;
      env[key] = lookup(key);
      sources[key] = label;
    }
  }
  return { env, sources, files: parsed.map((p) => p.label), skipped, mode };
}

/** The file's text; `undefined` when it does not exist; a reason when it cannot be read (Next.js then skips it). */
function readEnvFile(file: string): string | { reason: string } | undefined {
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) return { reason: "it is a directory, not a file" };
    if (!stats.isFile()) return { reason: "it is not a regular file" };
    return readFileSync(file, "utf8");
  } catch (error) {
    const code = typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : undefined;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

function labelOf(dir: string, file: string): string {
  const rel = relative(dir, file);
  return rel.startsWith("..") ? file : rel || basename(file);
}
