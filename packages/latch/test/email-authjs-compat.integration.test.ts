/**
 * Two things an Auth.js email setup relies on, each beside its Auth.js ground truth:
 * `normalizeIdentifier` runs once, on what the user typed (a normalizer that appends the company
 * domain to a login is not idempotent), and `sendVerificationRequest({ request })` gets a request
 * whose body it can read (`request.json()` gives the form's fields, nextauthjs/next-auth#8193).
 */
import Database from "better-sqlite3";
import { Auth as AuthJsCore } from "@auth/core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import Email from "../src/providers/email.js";
import type { AuthConfig, SendVerificationRequestParams } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { landingForm } from "./helpers/landing-page.js";

/** Auth.js's `Auth(request, config)`, answering a Response. */
const AuthJs = AuthJsCore as unknown as (request: Request, config: object) => Promise<Response>;
const ORIGIN = "https://app.test";
const SECRET = "email-authjs-compat-secret-0123456789abcdef0123456";

beforeAll(() => vi.stubEnv("AUTH_URL", ORIGIN));
afterAll(() => vi.unstubAllEnvs());

const location = (r: Response) => r.headers.get("location");

/** Users type their login; the link goes to <login>@corp.example. Not idempotent. */
const loginToAddress = (login: string) => `${login.trim().toLowerCase()}@corp.example`;

function sqlite() {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return SQLiteAdapter(db);
}

async function authJsCsrf(config: object): Promise<{ token: string; cookie: string }> {
  const response = await AuthJs(new Request(`${ORIGIN}/api/auth/csrf`), config);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { token: csrfToken, cookie: response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ") };
}

function authJsConfig(provider: Record<string, unknown>) {
  return {
    secret: SECRET,
    trustHost: true,
    basePath: "/api/auth",
    adapter: sqlite(),
    session: { strategy: "jwt" as const },
    logger: { error: () => undefined, warn: () => undefined },
    // Auth.js's email provider shape (what its Nodemailer() returns), with the app's own sender.
    providers: [{ id: "email", type: "email" as const, name: "Email", maxAge: 86400, options: {}, ...provider }],
  };
}

async function authJsSend(config: object, form: Record<string, string>): Promise<Response> {
  const csrf = await authJsCsrf(config);
  return AuthJs(
    new Request(`${ORIGIN}/api/auth/signin/email`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrf.cookie }, body: new URLSearchParams({ csrfToken: csrf.token, ...form }) }),
    config
  );
}

function latchSetup(options: { normalizeIdentifier?: (id: string) => string; sender?: (params: SendVerificationRequestParams) => Promise<void> }) {
  const sent: SendVerificationRequestParams[] = [];
  const config: AuthConfig = {
    secret: SECRET,
    adapter: sqlite(),
    providers: [
      Email({
        ...(options.normalizeIdentifier ? { normalizeIdentifier: options.normalizeIdentifier } : {}),
        async sendVerificationRequest(params) {
          sent.push(params);
          await options.sender?.(params);
        },
      }),
    ],
    session: { strategy: "jwt" },
    logger: { error: () => undefined, warn: () => undefined },
  };
  return { sent, client: new EngineClient(ORIGIN, config) };
}

describe("normalizeIdentifier is applied once, to what the user typed", () => {
  it("Auth.js (ground truth): the link of a login-to-address normalizer signs in", async () => {
    const links: string[] = [];
    const config = authJsConfig({ normalizeIdentifier: loginToAddress, sendVerificationRequest: async ({ url }: { url: string }) => void links.push(url) });
    await authJsSend(config, { email: "JDoe" });
    expect(new URL(links[0]!).searchParams.get("email")).toBe("jdoe@corp.example");
    const used = await AuthJs(new Request(links[0]!), config);
    expect(used.headers.get("location")).toBe(`${ORIGIN}`);
  });

  it("latch: the link of a login-to-address normalizer signs in (not Verification)", async () => {
    const { sent, client } = latchSetup({ normalizeIdentifier: loginToAddress });
    await client.fetch("/api/auth/signin/email", { form: { csrfToken: await client.csrfToken(), email: "JDoe" } });
    expect(sent[0]?.identifier).toBe("jdoe@corp.example");
    const form = landingForm(await (await client.fetch(sent[0]!.url)).response.text());
    const { response } = await client.fetch(form.action, { form: form.fields });
    expect(location(response)).toBe(`${ORIGIN}/`);
    expect(await client.session()).toMatchObject({ user: { email: "jdoe@corp.example" } });
  });
});

describe("sendVerificationRequest's request can be read, as in Auth.js", () => {
  it("Auth.js (ground truth): request.json() gives the sign-in form's fields", async () => {
    let body: Record<string, unknown> | undefined;
    const config = authJsConfig({ sendVerificationRequest: async ({ request }: { request: Request }) => void (body = (await request.json()) as Record<string, unknown>) });
    const response = await authJsSend(config, { email: "ann@example.com", name: "Ann" });
    expect(response.headers.get("location")).toBe(`${ORIGIN}/api/auth/verify-request?provider=email&type=email`);
    expect(body).toMatchObject({ email: "ann@example.com", name: "Ann" });
  });

  it("latch: a sender reading request.json() for a custom field sends the link", async () => {
    let body: Record<string, unknown> | undefined;
    const { client } = latchSetup({ sender: async ({ request }) => void (body = (await request.json()) as Record<string, unknown>) });
    const { response } = await client.fetch("/api/auth/signin/email", { form: { csrfToken: await client.csrfToken(), email: "ann@example.com", name: "Ann" } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/verify-request?provider=email&type=email`);
    expect(body).toMatchObject({ email: "ann@example.com", name: "Ann" });
  });
});
