import type { Area, EnvMap, Finding, Severity } from "./types.js";

/** Everything one run found, as `--json` prints it. */
export interface DoctorReport {
  project: string;
  mode: string;
  production: boolean;
  envFiles: string[];
  summary: Record<Severity, number>;
  exitCode: 0 | 1;
  findings: Finding[];
}

const AREAS: Array<[Area, string]> = [
  ["env", "Environment"],
  ["secret", "Secret"],
  ["url", "URL, host and route"],
  ["providers", "Providers"],
  ["session", "Session cookie"],
  ["database", "Database schema"],
  ["live", "Running app"],
];

const LABEL: Record<Severity, string> = { error: "error", warn: "warn ", ok: "ok   ", skip: "skip " };
const WIDTH = 110;

// Variables whose values must never reach the output, even inside a server's error text.
const SENSITIVE = /SECRET|PASSWORD|TOKEN|_KEY$|^DATABASE_URL$/;
// Connection strings: only the credentials in them are secret; the host, database or file they name is what a finding is about.
const CONNECTION = /^DATABASE_URL$/;
const SQLITE_FILE = /\.(db|sqlite|sqlite3)$/i;
const REDACTED = "[redacted]";

/** The password of a URL as it may be written (percent-encoded or not) and its `:password@` form; nothing when `text` is not a URL. */
function urlCredentials(text: string): { passwords: string[]; userinfo: string[] } | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const written = /^[a-z][\w+.-]*:\/\/[^/?#@:]*:([^/?#@]*)@/i.exec(text)?.[1];
  const query = ["password", "sslpassword"].flatMap((name) => url.searchParams.getAll(name));
  const passwords = [...new Set([url.password, safeDecode(url.password), written ?? "", ...query].filter((p) => p !== ""))];
  return { passwords, userinfo: passwords.map((p) => `:${p}@`) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Replaces every sensitive env value (secrets, keys, tokens) found in the findings' text with
 * `[redacted]`, and of a connection string (DATABASE_URL, and each `extra` value: the --database
 * spec) only its password: a server error page or a driver message could echo one, while the
 * database's host or file is what the finding names.
 *
 * @example
 * ```ts
 * const safe = redactFindings(findings, env, ["postgres://app:hunter22@db/app"]); // "…postgres://app:[redacted]@db/app…"
 * ```
 */
export function redactFindings(findings: readonly Finding[], env: EnvMap, extra: readonly string[] = []): Finding[] {
  const replacements = new Map<string, string>();
  const candidates: Array<[string, string | undefined]> = [...Object.entries(env), ...extra.map((value): [string, string] => ["DATABASE_URL", value])];
  for (const [name, value] of candidates) {
    if (!value || !SENSITIVE.test(name)) continue;
    const credentials = urlCredentials(value);
    for (const userinfo of credentials?.userinfo ?? []) replacements.set(userinfo, `:${REDACTED}@`);
    // A short password would also match ordinary words; its `:password@` form above is enough.
    for (const password of credentials?.passwords ?? []) if (password.length >= 4) replacements.set(password, REDACTED);
    if (CONNECTION.test(name) && (credentials !== undefined || SQLITE_FILE.test(value))) continue;
    // A short plain word ("secret", "development") is a placeholder, and also a word the report uses.
    if (value.length < 8 || /^[a-z]{1,12}$/i.test(value)) continue;
    replacements.set(value, REDACTED);
  }
  const sorted = [...replacements].sort(([a], [b]) => b.length - a.length);
  const clean = (text: string): string => sorted.reduce((out, [value, replacement]) => out.split(value).join(replacement), text);
  return findings.map((f) => ({ ...f, message: clean(f.message), ...(f.fix !== undefined ? { fix: clean(f.fix) } : {}) }));
}

/** Counts findings by severity; any error makes the exit code 1. */
export function summarize(findings: readonly Finding[]): { summary: Record<Severity, number>; exitCode: 0 | 1 } {
  const summary: Record<Severity, number> = { error: 0, warn: 0, ok: 0, skip: 0 };
  for (const f of findings) summary[f.severity]++;
  return { summary, exitCode: summary.error > 0 ? 1 : 0 };
}

function wrap(text: string, indent: string, first: string): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > WIDTH && line.trim().length > first.trim().length) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += `${word} `;
  }
  lines.push(line.trimEnd());
  return lines;
}

/**
 * The report for people: findings grouped by area, each with its severity and code, the fix
 * under it, and a summary line.
 *
 * @example
 * ```ts
 * for (const line of formatReport(report)) console.log(line);
 * ```
 */
export function formatReport(report: DoctorReport): string[] {
  const out = [`latch doctor: ${report.project} (${report.mode}${report.production ? ", checked for production" : ""})`];
  for (const [area, title] of AREAS) {
    const findings = report.findings.filter((f) => f.area === area);
    if (findings.length === 0) continue;
    out.push("", title);
    for (const f of findings) {
      out.push(...wrap(f.message, "         ", `  ${LABEL[f.severity]}  [${f.code}] `));
      if (f.fix && f.severity !== "ok") out.push(...wrap(f.fix, "              ", "         fix: "));
    }
  }
  const { error, warn, ok, skip } = report.summary;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  out.push(
    "",
    `${plural(error, "error")}, ${plural(warn, "warning")}, ${ok} ok, ${skip} skipped. ${error > 0 ? "Fix the errors above (exit code 1)." : warn > 0 ? "No errors; read the warnings." : "All good."}`,
  );
  return out;
}
