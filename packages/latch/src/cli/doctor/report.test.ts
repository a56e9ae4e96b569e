import { describe, expect, it } from "vitest";
import { formatReport, redactFindings, summarize, type DoctorReport } from "./report.js";
import type { Finding } from "./types.js";

const findings: Finding[] = [
  { code: "secret-ok", severity: "ok", area: "secret", message: "AUTH_SECRET: 44 characters." },
  { code: "issuer-mismatch", severity: "error", area: "providers", message: "local: the issuer differs.", fix: "Set AUTH_LOCAL_ISSUER=http://127.0.0.1:4000" },
  { code: "trust-host-risk", severity: "warn", area: "url", message: "AUTH_TRUST_HOST is true.", fix: "Set AUTH_URL." },
  { code: "live-skipped", severity: "skip", area: "live", message: "Not checked." },
];

describe("summarize", () => {
  it("exits 1 when any finding is an error, 0 otherwise", () => {
    expect(summarize(findings)).toEqual({ summary: { error: 1, warn: 1, ok: 1, skip: 1 }, exitCode: 1 });
    expect(summarize(findings.filter((f) => f.severity !== "error")).exitCode).toBe(0);
  });
});

describe("formatReport", () => {
  it("groups by area, shows severity, code and fix, and ends with a summary", () => {
    const { summary, exitCode } = summarize(findings);
    const report: DoctorReport = { project: "/app", mode: "development", production: false, envFiles: [], summary, exitCode, findings };
    const text = formatReport(report).join("\n");
    expect(text).toBe(
      [
        "latch doctor: /app (development)",
        "",
        "Secret",
        "  ok     [secret-ok] AUTH_SECRET: 44 characters.",
        "",
        "URL, host and route",
        "  warn   [trust-host-risk] AUTH_TRUST_HOST is true.",
        "         fix: Set AUTH_URL.",
        "",
        "Providers",
        "  error  [issuer-mismatch] local: the issuer differs.",
        "         fix: Set AUTH_LOCAL_ISSUER=http://127.0.0.1:4000",
        "",
        "Running app",
        "  skip   [live-skipped] Not checked.",
        "",
        "1 error, 1 warning, 1 ok, 1 skipped. Fix the errors above (exit code 1).",
      ].join("\n"),
    );
  });
});

describe("redactFindings", () => {
  it("removes secret values and URL passwords wherever a message echoes them", () => {
    const secret = "c2VjcmV0LXZhbHVlLXRoYXQtbXVzdC1uZXZlci1zaG93";
    const echoed: Finding[] = [{ code: "live-server-error", severity: "error", area: "live", message: `500: key ${secret} and password hunter22 in postgres://u:hunter22@db/app`, fix: secret }];
    const [clean] = redactFindings(echoed, { AUTH_SECRET: secret, DATABASE_URL: "postgres://u:hunter22@db/app", AUTH_URL: "http://127.0.0.1:3000" });
    expect(clean?.message).toBe("500: key [redacted] and password [redacted] in postgres://u:[redacted]@db/app");
    expect(clean?.fix).toBe("[redacted]");
  });

  it("of a connection string hides the credentials only: the host or file it names is what the finding is about", () => {
    const finding = (message: string): Finding[] => [{ code: "database-missing", severity: "warn", area: "database", message, fix: `npx latch migrate sqlite ${message}` }];
    const [file] = redactFindings(finding("./data/auth.db"), {}, ["./data/auth.db"]);
    expect(file).toMatchObject({ message: "./data/auth.db", fix: "npx latch migrate sqlite ./data/auth.db" });
    const [fileUrl] = redactFindings(finding("./app.db"), { DATABASE_URL: "file:./app.db" });
    expect(fileUrl?.message).toBe("./app.db");
    const [short] = redactFindings(finding("postgres://app:pw@db/app?sslpassword=hunter22&password=hunter22"), {}, ["postgres://app:pw@db/app?sslpassword=hunter22&password=hunter22"]);
    expect(short?.message).toBe("postgres://app:[redacted]@db/app?sslpassword=[redacted]&password=[redacted]");
    const [encoded] = redactFindings(finding("postgres://app:p%40ss%2Fword@db/app; p@ss/word"), { DATABASE_URL: "postgres://app:p%40ss%2Fword@db/app" });
    expect(encoded?.message).toBe("postgres://app:[redacted]@db/app; [redacted]");
    // Not a URL nor a SQLite file (another driver's connection string): all of it.
    const [opaque] = redactFindings(finding("Server=db;Password=hunter22"), { DATABASE_URL: "Server=db;Password=hunter22" });
    expect(opaque?.message).toBe("[redacted]");
  });

  it("leaves short plain words alone, which are placeholders and words of the report", () => {
    const [kept] = redactFindings([{ code: "secret-placeholder", severity: "error", area: "secret", message: "in development mode" }], { AUTH_SECRET: "development" });
    expect(kept?.message).toBe("in development mode");
  });
});
