/**
 * What `latch doctor` reports: findings, each with a stable code, a severity, what is wrong and
 * what to do. Types only.
 */

/** `error` makes the exit code 1; `skip` marks a check that could not run (no input for it). */
export type Severity = "error" | "warn" | "ok" | "skip";

/** The part of the setup a finding is about; the report groups by it. */
export type Area = "env" | "secret" | "url" | "providers" | "session" | "database" | "live";

/** Every code a finding can carry: a closed set, so scripts reading `--json` can switch on it. */
export type FindingCode =
  | "env-files"
  | "env-file-unreadable"
  | "secret-missing"
  | "secret-placeholder"
  | "secret-repetitive"
  | "secret-weak"
  | "secret-short"
  | "secret-phrase"
  | "secret-whitespace"
  | "secret-ok"
  | "secret-duplicate"
  | "secret-rotation"
  | "secret-legacy-shadowed"
  | "auth-url-invalid"
  | "auth-url-missing"
  | "auth-url-insecure"
  | "auth-url-ignored-parts"
  | "auth-url-conflict"
  | "auth-url-ok"
  | "trust-host-risk"
  | "trust-host-platform"
  | "base-path-mismatch"
  | "route-not-found"
  | "route-ok"
  | "provider-none"
  | "provider-credentials-ok"
  | "provider-credentials-incomplete"
  | "provider-secret-placeholder"
  | "provider-env-legacy"
  | "provider-issuer-missing"
  | "callback-url"
  | "issuer-invalid"
  | "issuer-unreachable"
  | "issuer-mismatch"
  | "issuer-bad-metadata"
  | "issuer-no-s256"
  | "issuer-ok"
  | "issuer-skipped"
  | "session-cookie-size"
  | "database-skipped"
  | "database-driver-missing"
  | "database-missing"
  | "database-unreachable"
  | "schema-not-migrated"
  | "schema-unrecorded"
  | "schema-behind"
  | "schema-ahead"
  | "schema-drift"
  | "schema-ok"
  | "live-skipped"
  | "live-unreachable"
  | "live-server-error"
  | "live-not-found"
  | "live-bad-response"
  | "live-providers"
  | "live-provider-missing"
  | "live-callback-mismatch"
  | "live-cookie-insecure"
  | "live-cookie-attributes"
  | "live-session-cache"
  | "live-ok";

/** One result of one check. `message` says what was found; `fix` says exactly what to do. */
export interface Finding {
  code: FindingCode;
  severity: Severity;
  area: Area;
  message: string;
  fix?: string;
}

/** Environment variables as latch reads them; `undefined` and `""` both mean unset. */
export type EnvMap = Record<string, string | undefined>;

/** The options of one run, parsed from the command line. */
export interface DoctorOptions {
  /** The project directory: env files, the route handler and relative database paths are read from it. */
  dir: string;
  /** Extra env files, above the ones Next.js reads (later ones win). */
  envFiles: string[];
  /** Check as for a production deployment even when NODE_ENV is not "production". */
  production: boolean;
  /** The running app's origin, for the live checks. */
  url: string | undefined;
  /** `sqlite:<file>`, `postgres://…`; otherwise taken from LATCH_DB_FILE / DATABASE_URL. */
  database: string | undefined;
  /** Overrides the base path inferred from AUTH_URL, when the config sets `basePath`. */
  basePath: string | undefined;
  /** A JSON file with the app's own session payload, measured instead of the typical one. */
  sessionPayload: string | undefined;
  /** No network: issuer discovery is skipped. */
  offline: boolean;
  /** Milliseconds each network check may take. */
  timeout: number;
  json: boolean;
}
