import { existsSync, readFileSync } from "node:fs";
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
  mode: EnvMode;
}

const PROCESS = "process environment";

/**
 * Parses an env file as dotenv does: `KEY=value`, optional `export `, `#` comments, values in
 * single, double or back quotes (which may span lines; `\n` is a newline only inside double
 * quotes). In an unquoted value `#` starts a comment, as it does for Next.js.
 *
 * @example
 * ```ts
 * parseEnvFile('AUTH_SECRET="abc" # a comment\nAUTH_URL=http://127.0.0.1:3000'); // { AUTH_SECRET: "abc", AUTH_URL: "…" }
 * ```
 */
export function parseEnvFile(text: string): Record<string, { value: string; quote: string }> {
  const out: Record<string, { value: string; quote: string }> = {};
  const source = text.replace(/\r\n?/g, "\n");
  let i = 0;
  while (i < source.length) {
    const lineEnd = source.indexOf("\n", i) === -1 ? source.length : source.indexOf("\n", i);
    const line = /^\s*(?:export\s+)?([\w.-]+)\s*=[ \t]*/.exec(source.slice(i, lineEnd));
    if (!line?.[1]) {
      i = lineEnd + 1;
      continue;
    }
    const key = line[1];
    let at = i + line[0].length;
    const quote = source[at];
    if (quote === '"' || quote === "'" || quote === "`") {
      let close = at + 1;
      while (close < source.length && (source[close] !== quote || source[close - 1] === "\\")) close++;
      if (close < source.length) {
        let value = source.slice(at + 1, close);
        if (quote === '"') value = value.replace(/\\n/g, "\n").replace(/\\r/g, "\r");
        out[key] = { value, quote };
        at = close + 1;
        const next = source.indexOf("\n", at);
        i = next === -1 ? source.length : next + 1;
        continue;
      }
    }
    const raw = source.slice(at, lineEnd);
    const hash = raw.indexOf("#");
    out[key] = { value: (hash === -1 ? raw : raw.slice(0, hash)).trim(), quote: "" };
    i = lineEnd + 1;
  }
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
  const files = candidates.filter((file, index) => candidates.indexOf(file) === index && existsSync(file));
  const parsed = files.map((file) => ({ file, label: labelOf(dir, file), entries: parseEnvFile(readFileSync(file, "utf8")) }));
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
    const value = entry.quote === "'" ? entry.value : expand(entry.value, lookup);
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
  return { env, sources, files: parsed.map((p) => p.label), mode };
}

function labelOf(dir: string, file: string): string {
  const rel = relative(dir, file);
  return rel.startsWith("..") ? file : rel || basename(file);
}
