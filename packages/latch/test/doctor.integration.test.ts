/**
 * `latch doctor` against the example app's configuration: its route file and .env.example, a real
 * OpenID provider (@latch/local-idp), a SQLite file, and latch's engine served over node:http the
 * way the example configures it. One good configuration passes; each broken one is named by code.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startLocalIdP, type LocalIdP } from "@latch/local-idp";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQLiteAdapter, migrateSQLite } from "../src/adapters/sqlite.js";
import { main } from "../src/cli/index.js";
import type { DoctorReport } from "../src/cli/doctor/report.js";
import type { EnvMap } from "../src/cli/doctor/types.js";
import { Auth } from "../src/index.js";
import Credentials from "../src/providers/credentials.js";
import OIDC from "../src/providers/oidc.js";
import type { AuthConfig } from "../src/types.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const EXAMPLE = join(REPO, "examples/next-app");
const ROUTE = "app/api/auth/[...nextauth]/route.ts";

let project: string;
let idp: LocalIdP;
let app: Server;
let appOrigin: string;
let db: Database.Database;
const secret = randomBytes(32).toString("base64");

/** Serves `Auth()` over node:http, as the example's route handler would under `next start`. */
async function serve(config: AuthConfig): Promise<{ server: Server; origin: string }> {
  const server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
      const body = chunks.length > 0 && req.method !== "GET" && req.method !== "HEAD" ? Buffer.concat(chunks) : undefined;
      const response = await Auth(new Request(`http://${req.headers.host ?? "127.0.0.1"}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, ...(body ? { body } : {}) }), config);
      const out: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") out[name] = value;
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) out["set-cookie"] = cookies;
      res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
    })();
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await closeServer(probe);
  return port;
}

interface Run {
  code: number;
  /** The report for people, as printed. */
  text: string;
  /** The same run's `--json` report: findings with unwrapped messages. */
  report: DoctorReport;
  errors: string[];
  warnings: string[];
  /** Message and fix of the first finding with this code. */
  said(code: string): string;
}

/** Runs `latch doctor` in-process, with only `env` as the process environment, as text and as JSON. */
async function doctor(args: string[], env: EnvMap = {}): Promise<Run> {
  const lines: string[] = [];
  const code = await main(["doctor", "--dir", project, ...args], (l) => lines.push(l), (l) => lines.push(l), { env, cwd: project });
  const json: string[] = [];
  expect(await main(["doctor", "--dir", project, "--json", ...args], (l) => json.push(l), () => undefined, { env, cwd: project })).toBe(code);
  const report = JSON.parse(json.join("\n")) as DoctorReport;
  const codes = (severity: string) => report.findings.filter((f) => f.severity === severity).map((f) => f.code);
  return {
    code,
    text: lines.join("\n"),
    report,
    errors: codes("error"),
    warnings: codes("warn"),
    said: (wanted) => {
      const finding = report.findings.find((f) => f.code === wanted);
      return finding ? `${finding.message} fix: ${finding.fix ?? ""}` : "";
    },
  };
}

function envFile(name: string, lines: Record<string, string>): string {
  writeFileSync(join(project, name), Object.entries(lines).map(([k, v]) => `${k}=${v}\n`).join(""));
  return name;
}

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), "latch-doctor-app-"));
  mkdirSync(join(project, dirname(ROUTE)), { recursive: true });
  copyFileSync(join(EXAMPLE, ROUTE), join(project, ROUTE));
  // The example's documented settings, as a fresh clone has them; .env.local holds this machine's.
  copyFileSync(join(EXAMPLE, ".env.example"), join(project, ".env"));
  mkdirSync(join(project, ".data"));
  db = new Database(join(project, ".data/latch.db"));
  migrateSQLite(db);

  // The engine configured as examples/next-app/auth.ts configures it (without GitHub).
  const config: AuthConfig = { secret, trustHost: true, adapter: SQLiteAdapter(db), providers: [] };
  const served = await serve(config);
  app = served.server;
  appOrigin = served.origin;
  idp = await startLocalIdP({ clients: [{ client_id: "latch-demo", client_secret: "latch-demo-secret", redirect_uris: [`${appOrigin}/api/auth/callback/local`] }] });
  config.providers = [
    OIDC({ id: "local", name: "Local demo IdP", issuer: idp.issuer, clientId: "latch-demo", clientSecret: "latch-demo-secret" }),
    Credentials({ name: "Email and password", credentials: { email: { type: "email" }, password: { type: "password" } }, authorize: () => null }),
  ];
  envFile(".env.local", { AUTH_SECRET: `"${secret}"`, AUTH_URL: appOrigin, AUTH_LOCAL_ID: "latch-demo", AUTH_LOCAL_ISSUER: idp.issuer, LATCH_DB_FILE: ".data/latch.db" });
});

afterAll(async () => {
  await closeServer(app);
  await idp.close();
  db.close();
  rmSync(project, { recursive: true, force: true });
});

describe("latch doctor on the example app", () => {
  it("passes a good configuration: exit 0, nothing to fix", async () => {
    const run = await doctor(["--url", appOrigin]);
    expect(run.errors).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(run.code).toBe(0);
    for (const code of ["secret-ok", "auth-url-ok", "route-ok", "provider-credentials-ok", "issuer-ok", "session-cookie-size", "schema-ok", "live-providers", "live-ok"]) {
      expect(run.text).toContain(`[${code}]`);
    }
    expect(run.said("callback-url")).toContain(`register ${appOrigin}/api/auth/callback/local`);
    expect(run.said("live-providers")).toContain("local (oidc), credentials (credentials)");
    expect(run.text).not.toContain(secret);
  });

  it("prints the same report as JSON for machines", async () => {
    const out: string[] = [];
    expect(await main(["doctor", "--dir", project, "--json", "--offline"], (l) => out.push(l), () => undefined, { env: {}, cwd: project })).toBe(0);
    const report = JSON.parse(out.join("\n")) as DoctorReport;
    expect(report).toMatchObject({ mode: "development", production: false, exitCode: 0, envFiles: [".env.local", ".env"] });
    expect(report.findings.find((f) => f.code === "issuer-skipped")?.severity).toBe("skip");
    expect(JSON.stringify(report)).not.toContain(secret);
  });

  it("runs as the real `latch` bin with its exit code", async () => {
    // tsx (a root dev dependency) runs the bin from source, so no `npm run build` is needed.
    const bin = ["--import", "tsx", "packages/latch/src/cli/bin.ts", "doctor", "--dir", project, "--offline"];
    const { stdout } = await promisify(execFile)(process.execPath, bin, { cwd: REPO, env: { PATH: process.env.PATH ?? "" } });
    expect(stdout).toContain("0 errors, 0 warnings");
    const failed = await promisify(execFile)(process.execPath, bin, { cwd: REPO, env: { PATH: process.env.PATH ?? "", AUTH_SECRET: "changeme" } }).catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: 1 });
  });

  describe("broken: the secret", () => {
    it("names a placeholder secret", async () => {
      const run = await doctor(["--offline", "--env-file", envFile("weak.env", { AUTH_SECRET: "changeme" })]);
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["secret-placeholder"]);
      expect(run.text).toContain("[secret-placeholder] AUTH_SECRET (from weak.env) is a placeholder value");
      expect(run.said("secret-placeholder")).toContain("npx latch secret");
      expect(run.text).not.toContain("changeme");
    });

    it("names a missing secret", async () => {
      const run = await doctor(["--offline"], { AUTH_SECRET: "" });
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["secret-missing"]);
    });
  });

  describe("broken: the issuer", () => {
    it("accepts the origin-only issuer with a trailing slash the provider does not publish, as latch's discovery does", async () => {
      // The IdP publishes "http://127.0.0.1:<port>"; oauth4webapi compares new URL(…).href, which adds the slash to both.
      const run = await doctor(["--env-file", envFile("slash.env", { AUTH_LOCAL_ISSUER: `${idp.issuer}/` })]);
      expect(run.errors).toEqual([]);
      expect(run.text).toContain("[issuer-ok]");
    });

    it("names an unreachable issuer", async () => {
      const run = await doctor(["--timeout", "2000", "--env-file", envFile("down.env", { AUTH_LOCAL_ISSUER: `http://127.0.0.1:${await closedPort()}` })]);
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["issuer-unreachable"]);
      expect(run.said("issuer-unreachable")).toContain("ECONNREFUSED");
    });
  });

  describe("broken: the database schema", () => {
    it("names a SQLite file latch's tables were never migrated into, and passes once `latch migrate` ran", async () => {
      const fresh = new Database(join(project, ".data/fresh.db"));
      fresh.exec('CREATE TABLE latch_example_passwords ("userId" TEXT PRIMARY KEY, "passwordHash" TEXT NOT NULL)');
      fresh.close();
      const env = envFile("fresh.env", { LATCH_DB_FILE: ".data/fresh.db" });
      const run = await doctor(["--offline", "--env-file", env]);
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["schema-not-migrated"]);
      expect(run.said("schema-not-migrated")).toContain("fix: Run `npx latch migrate sqlite .data/fresh.db`");

      expect(await main(["migrate", "sqlite", join(project, ".data/fresh.db")], () => undefined, () => undefined)).toBe(0);
      expect((await doctor(["--offline", "--env-file", env])).code).toBe(0);
    });

    it("names a schema behind latch's version", async () => {
      const behind = new Database(join(project, ".data/behind.db"));
      migrateSQLite(behind);
      behind.exec("DELETE FROM latch_migrations");
      behind.close();
      const run = await doctor(["--offline", "--database", "sqlite:.data/behind.db"]);
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["schema-behind"]);
      expect(run.said("schema-behind")).toMatch(/^\.data\/behind\.db \(--database\) is at schema version 0; this latch needs version \d+/);
    });
  });

  describe("broken: production without AUTH_URL", () => {
    // `next start` reads .env.production*, not .env.local: the settings come with --env-file.
    const production = { NODE_ENV: "production", AUTH_URL: "" };

    it("errors: latch refuses every request whose host it cannot trust", async () => {
      const run = await doctor(["--offline", "--env-file", ".env.local"], production);
      expect(run.code).toBe(1);
      expect(run.errors).toEqual(["auth-url-missing"]);
      expect(run.text).toContain("(production, checked for production)");
      expect(run.said("auth-url-missing")).toContain("fails with UntrustedHost");
    });

    it("warns about AUTH_TRUST_HOST=true and explains the risk", async () => {
      const run = await doctor(["--offline", "--env-file", ".env.local"], { ...production, AUTH_TRUST_HOST: "true" });
      expect(run.code).toBe(0);
      expect(run.warnings).toEqual(["trust-host-risk"]);
      expect(run.said("trust-host-risk")).toContain("a client can make latch send users (and magic links) to a host of its choosing");
    });

    it("errors on a plain-http AUTH_URL on a network host", async () => {
      const run = await doctor(["--offline", "--production", "--env-file", ".env.local"], { AUTH_URL: "http://app.example.com" });
      expect(run.errors).toEqual(["auth-url-insecure"]);
      expect(run.warnings).toEqual(["callback-url"]);
    });
  });

  describe("broken: the running app", () => {
    it("names an app whose configuration fails with a server error", async () => {
      const quiet = { error: () => undefined, warn: () => undefined, debug: () => undefined };
      const broken = await serve({ secret, trustHost: true, session: { strategy: "database" }, providers: [], logger: quiet });
      try {
        const run = await doctor(["--offline", "--url", broken.origin]);
        expect(run.code).toBe(1);
        expect(run.errors).toEqual(["live-server-error"]);
      } finally {
        await closeServer(broken.server);
      }
    });

    it("names a base path nothing serves", async () => {
      const run = await doctor(["--offline", "--url", appOrigin, "--base-path", "/auth"]);
      expect(run.errors).toEqual(["base-path-mismatch", "live-not-found"]);
    });
  });
});
