import { describe, expect, it } from "vitest";
import { parseDoctorArgs } from "./args.js";

describe("parseDoctorArgs", () => {
  it("has defaults for a bare `latch doctor`", () => {
    expect(parseDoctorArgs([], "/app")).toEqual({
      dir: "/app",
      envFiles: [],
      production: false,
      url: undefined,
      database: undefined,
      basePath: undefined,
      sessionPayload: undefined,
      offline: false,
      timeout: 5000,
      json: false,
    });
  });

  it("reads every flag, as `--flag value` or `--flag=value`", () => {
    const options = parseDoctorArgs(
      ["--dir", "web", "--env-file=.env.staging", "--env-file", "/etc/app.env", "--production", "--url", "https://app.example/ignored/path", "--database", "sqlite:auth.db", "--base-path=/auth", "--session-payload", "token.json", "--offline", "--timeout", "800", "--json"],
      "/repo",
    );
    expect(options).toEqual({
      dir: "/repo/web",
      envFiles: ["/repo/.env.staging", "/etc/app.env"],
      production: true,
      url: "https://app.example",
      database: "sqlite:auth.db",
      basePath: "/auth",
      sessionPayload: "token.json",
      offline: true,
      timeout: 800,
      json: true,
    });
  });

  it("names the argument it cannot use", () => {
    expect(parseDoctorArgs(["--frobnicate"], "/")).toContain('unknown argument "--frobnicate"');
    // A value may carry a password: of a misspelled `--flag=value` only the flag is shown, of a URL not its password.
    expect(parseDoctorArgs(["--database-url=postgres://app:Sup3rS3cret@db/app"], "/")).toBe('latch doctor: unknown argument "--database-url=…".');
    expect(parseDoctorArgs(["postgres://app:Sup3rS3cret@db/app"], "/")).toBe('latch doctor: unknown argument "postgres://app:***@db/app".');
    expect(parseDoctorArgs(["--url", "ftp://admin:Sup3rS3cret@staging.example"], "/")).not.toContain("Sup3rS3cret");
    expect(parseDoctorArgs(["--url"], "/")).toContain("--url needs a value");
    expect(parseDoctorArgs(["--url", "--json"], "/")).toContain("--url needs a value");
    expect(parseDoctorArgs(["--url", "127.0.0.1:3000"], "/")).toContain("--url needs the app's origin");
    expect(parseDoctorArgs(["--timeout", "soon"], "/")).toContain("--timeout needs a positive number");
    expect(parseDoctorArgs(["--base-path", "api/auth"], "/")).toContain('--base-path starts with "/"');
  });
});
