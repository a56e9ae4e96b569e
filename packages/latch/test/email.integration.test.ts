/**
 * Email sign-in (magic links) end to end: the engine, a real SMTP server receiving what
 * Nodemailer sends, and the SQLite adapter. What it shows: one message per request, no address
 * in the message, links built from AUTH_URL whatever the Host header says, a GET of the link
 * that uses nothing, a POST that signs in once, expiry, tokens bound to their address and stored
 * hashed, smuggled identifiers refused before anything is sent, throttled sends, both session
 * strategies, atomic use under 20 parallel POSTs, and the pre-account-hijacking safeguards.
 */
import { createHash, randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Adapter } from "../src/adapters/types.js";
import { migrateSQLite, SQLiteAdapter } from "../src/adapters/sqlite.js";
import { EmailSignInError, RateLimited } from "../src/errors.js";
import { decode } from "../src/jwt.js";
import NextAuth from "../src/next/index.js";
import Credentials from "../src/providers/credentials.js";
import Email, { verificationMessage } from "../src/providers/email.js";
import GitHub from "../src/providers/github.js";
import Nodemailer from "../src/providers/nodemailer.js";
import type { AuthConfig, EmailRateLimit, SendVerificationRequestParams } from "../src/types.js";
import { EngineClient } from "./helpers/engine-client.js";
import { startInbox, type Inbox, type ReceivedMail } from "./helpers/smtp-inbox.js";
import { landingForm } from "./helpers/landing-page.js";

// Server actions run against stand-ins for next/headers and next/navigation.
const next = vi.hoisted(() => {
  class RedirectSignal extends Error {
    constructor(readonly url: string) {
      super(`NEXT_REDIRECT ${url}`);
    }
  }
  return { RedirectSignal, headers: new Headers(), cookies: new Map<string, string>() };
});
vi.mock("next/headers", () => ({
  headers: async () => next.headers,
  cookies: async () => ({
    get: (name: string) => (next.cookies.has(name) ? { name, value: next.cookies.get(name) } : undefined),
    getAll: () => [...next.cookies].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string) => void next.cookies.set(name, value),
  }),
}));
vi.mock("next/navigation", () => ({
  redirect: (url: string) => {
    throw new next.RedirectSignal(url);
  },
}));

// AUTH_URL is the site's public URL: every link is built from it.
const ORIGIN = "https://app.test";
const SECRET = "email-test-secret-of-enough-length-0123456789abcdef";
const SESSION_COOKIE = "__Secure-authjs.session-token";
const quiet = { error: () => undefined, warn: () => undefined };

let inbox: Inbox;

beforeAll(async () => {
  vi.stubEnv("AUTH_URL", ORIGIN);
  inbox = await startInbox();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await inbox?.close();
});

interface SetupOptions {
  strategy?: "jwt" | "database";
  maxAge?: number;
  rateLimit?: EmailRateLimit | false;
  generateVerificationToken?: () => string;
  port?: number;
  extra?: Partial<AuthConfig>;
}

function setup(options: SetupOptions = {}) {
  const db = new Database(":memory:");
  migrateSQLite(db);
  const adapter = SQLiteAdapter(db);
  const provider = Nodemailer({
    server: { host: "127.0.0.1", port: options.port ?? inbox.port, secure: false, ignoreTLS: true },
    from: "Latch test <login@app.test>",
    ...(options.maxAge !== undefined ? { maxAge: options.maxAge } : {}),
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    ...(options.generateVerificationToken ? { generateVerificationToken: options.generateVerificationToken } : {}),
  });
  const config: AuthConfig = { secret: SECRET, adapter, providers: [provider], session: { strategy: options.strategy ?? "database" }, logger: quiet, ...options.extra };
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, adapter, config, count, client: () => new EngineClient(ORIGIN, config) };
}

/** Asks for a link as the built-in form does; returns the answer and the messages it caused. */
async function requestLink(client: EngineClient, email: string, init: { url?: string; headers?: Record<string, string>; callbackUrl?: string } = {}) {
  const csrfToken = await client.csrfToken();
  const before = inbox.messages.length;
  const { response } = await client.fetch(init.url ?? "/api/auth/signin/nodemailer", {
    form: { csrfToken, email, callbackUrl: init.callbackUrl ?? `${ORIGIN}/dashboard` },
    ...(init.headers ? { headers: init.headers } : {}),
  });
  return { response, mails: inbox.messages.slice(before) };
}

/** The link of a message: the one URL of its text part, which the HTML button carries too. */
function linkOf(mail: ReceivedMail): URL {
  const urls = mail.text.match(/https?:\/\/\S+/g) ?? [];
  expect(urls).toHaveLength(1);
  const link = urls[0]!;
  expect(mail.html).toContain(`href="${link.replace(/&/g, "&#38;")}"`);
  return new URL(link);
}

async function linkFor(client: EngineClient, email: string): Promise<URL> {
  const { mails } = await requestLink(client, email);
  expect(mails).toHaveLength(1);
  return linkOf(mails[0]!);
}

/** Opens the link and presses the button: GET, then the form's POST. */
async function useLink(client: EngineClient, link: URL) {
  const landing = await client.fetch(link.href);
  expect(landing.response.status).toBe(200);
  const form = landingForm(await landing.response.text());
  return client.fetch(form.action, { form: form.fields });
}

const location = (response: Response) => response.headers.get("location");
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

describe("sending the link", () => {
  it("sends exactly one message, to the one address, without the address in its bodies, with the link on AUTH_URL's origin whatever the Host header says", async () => {
    const { client } = setup();
    const c = client();
    const { response, mails } = await requestLink(c, "alice@example.com", {
      url: "http://evil.test/api/auth/signin/nodemailer",
      headers: { "x-forwarded-host": "evil.test", "x-forwarded-proto": "http" },
    });
    expect(response.status).toBe(303);
    expect(location(response)).toBe(`${ORIGIN}/api/auth/verify-request?provider=nodemailer&type=email`);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.recipients).toEqual(["alice@example.com"]);
    expect(mail.headers.get("to")).toBe("alice@example.com");
    expect(mail.headers.get("from")).toBe("Latch test <login@app.test>");
    expect(mail.headers.get("subject")).toBe("Sign in to app.test");
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain("alice@example.com");
      expect(body).not.toContain("evil.test");
      expect(body).toContain("10 minutes");
    }
    expect(mail.html).toContain("app&#8203;.test");
    const link = linkOf(mail);
    expect(link.origin).toBe(ORIGIN);
    expect(link.pathname).toBe("/api/auth/callback/nodemailer");
    expect(link.searchParams.get("email")).toBe("alice@example.com");
    expect(link.searchParams.get("callbackUrl")).toBe(`${ORIGIN}/dashboard`);
    expect(link.searchParams.get("token")).toMatch(/^[0-9a-f]{64}$/);

    const page = await c.fetch(location(response)!);
    expect(page.response.status).toBe(200);
    const html = await page.response.text();
    expect(html).toContain("Check your email");
    expect(html).not.toContain("alice@example.com");
  });

  it("stores the token hashed — sha256(token + secret), Auth.js's format — expiring after maxAge (600 s by default)", async () => {
    const { db, client } = setup();
    const before = Date.now();
    const link = await linkFor(client(), "alice@example.com");
    const token = link.searchParams.get("token")!;
    const rows = db.prepare("SELECT identifier, token, expires FROM verification_token").all() as Array<{ identifier: string; token: string; expires: number }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]!.identifier).toBe("alice@example.com");
    expect(rows[0]!.token).not.toBe(token);
    expect(rows[0]!.token).toBe(sha256(`${token}${SECRET}`));
    expect(rows[0]!.expires).toBeGreaterThanOrEqual(before + 600_000);
    expect(rows[0]!.expires).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it.each([
    ["two addresses", "a@x.com,b@y.com"],
    ["a quoted local part", '"a@x.com"@y.com'],
    ["a full-width @ (a second @ after NFKC)", "a@x.com＠evil.com"],
    ["a header injection", "a@x.com\r\nBcc: c@z.com"],
    ["HTML", "<script>@x.com"],
    ["a space", "a @x.com"],
    ["a semicolon list", "a@x.com;b@y.com"],
    ["an empty address", ""],
  ])("refuses %s with EmailSignin: no message, no token", async (_, email) => {
    const { count, client } = setup();
    const { response, mails } = await requestLink(client(), email);
    expect(response.status).toBe(303);
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    expect(mails).toHaveLength(0);
    expect(count("verification_token")).toBe(0);
  });

  it("refuses a request without the email field, and shows why on the sign-in page", async () => {
    const { client } = setup();
    const c = client();
    const { response } = await c.fetch("/api/auth/signin/nodemailer", { form: { csrfToken: await c.csrfToken() } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    const page = await (await c.fetch(location(response)!)).response.text();
    expect(page).toContain("The e-mail could not be sent, or the address is not valid.");
  });

  it("requires the CSRF token: no message without it", async () => {
    const { client } = setup();
    const c = client();
    await c.csrfToken();
    const before = inbox.messages.length;
    const { response } = await c.fetch("/api/auth/signin/nodemailer", { form: { email: "alice@example.com" } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=MissingCSRF`);
    expect(inbox.messages.length).toBe(before);
  });

  it("normalizes full-width letters and case to the ASCII address: one user, not two", async () => {
    const { db, count, client } = setup();
    const fullWidth = await linkFor(client(), "ａｌｉｃｅ@example.com");
    expect(fullWidth.searchParams.get("email")).toBe("alice@example.com");
    expect(inbox.messages.at(-1)!.recipients).toEqual(["alice@example.com"]);
    expect(location((await useLink(client(), fullWidth)).response)).toBe(`${ORIGIN}/dashboard`);
    const upper = await linkFor(client(), "  Alice@EXAMPLE.com ");
    expect(location((await useLink(client(), upper)).response)).toBe(`${ORIGIN}/dashboard`);
    expect(count("users")).toBe(1);
    expect(db.prepare("SELECT email FROM users").get()).toEqual({ email: "alice@example.com" });
  });

  it("throttles sends per address: over the limit 429 with Retry-After and no message; other addresses go on", async () => {
    const { client } = setup({ rateLimit: { address: { max: 2, window: 60 }, source: false } });
    const c = client();
    for (let i = 0; i < 2; i++) expect((await requestLink(c, "alice@example.com")).mails).toHaveLength(1);
    const blocked = await requestLink(c, "ALICE@example.com");
    expect(blocked.response.status).toBe(429);
    expect(Number(blocked.response.headers.get("retry-after"))).toBeGreaterThan(50);
    expect(await blocked.response.text()).toContain("Too many attempts");
    expect(blocked.mails).toHaveLength(0);
    expect((await requestLink(c, "bob@example.com")).mails).toHaveLength(1);
  });

  it("throttles sends per client address, whatever the recipient", async () => {
    const { client } = setup({ rateLimit: { address: false, source: { max: 2, window: 60 } } });
    const c = client();
    const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
    expect((await requestLink(c, "a@example.com", from("203.0.113.9"))).mails).toHaveLength(1);
    expect((await requestLink(c, "b@example.com", from("203.0.113.9"))).mails).toHaveLength(1);
    const blocked = await requestLink(c, "c@example.com", from("203.0.113.9"));
    expect(blocked.response.status).toBe(429);
    expect(blocked.mails).toHaveLength(0);
    expect((await requestLink(c, "c@example.com", from("203.0.113.10"))).mails).toHaveLength(1);
  });

  it("asks the signIn callback first (verificationRequest: true); false sends nothing and stores nothing", async () => {
    const seen: unknown[] = [];
    const { count, client } = setup({
      extra: {
        callbacks: {
          signIn: ({ user, account, email }) => {
            seen.push({ user, account, email });
            return false;
          },
        },
      },
    });
    const { response, mails } = await requestLink(client(), "alice@example.com");
    expect(location(response)).toBe(`${ORIGIN}/api/auth/error?error=AccessDenied`);
    expect(mails).toHaveLength(0);
    expect(count("verification_token")).toBe(0);
    expect(seen).toEqual([
      { user: { email: "alice@example.com" }, account: { type: "email", provider: "nodemailer", providerAccountId: "alice@example.com" }, email: { verificationRequest: true } },
    ]);
  });

  it("keeps the callbackUrl on the site: a foreign one becomes the origin", async () => {
    const { client } = setup();
    const { mails } = await requestLink(client(), "alice@example.com", { callbackUrl: "https://evil.test/steal" });
    expect(linkOf(mails[0]!).searchParams.get("callbackUrl")).toBe(ORIGIN);
  });

  it("answers EmailSignin when the SMTP server cannot be reached", async () => {
    const { client } = setup({ port: 1 });
    const { response } = await requestLink(client(), "alice@example.com");
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
  });

  it("answers EmailSignin when the SMTP server refuses the recipient", async () => {
    inbox.refuse("nobody@example.com");
    const { client } = setup();
    const { response, mails } = await requestLink(client(), "nobody@example.com");
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    expect(mails).toHaveLength(0);
  });
});

describe("using the link", () => {
  it("a GET shows a Continue page and uses nothing; its POST signs in; the link then works no more", async () => {
    const { count, client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    for (let i = 0; i < 3; i++) {
      const scan = await client().fetch(link.href);
      expect(scan.response.status).toBe(200);
    }
    expect(count("verification_token")).toBe(1);

    const landing = await c.fetch(link.href);
    expect(landing.response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(landing.response.headers.get("cache-control")).toContain("no-store");
    const html = await landing.response.text();
    expect(html).toContain("<h1>Continue signing in to app.test</h1>");
    expect(html.replace(/<input[^>]*>/g, "")).not.toContain("alice@example.com");
    const form = landingForm(html);
    expect(form.action).toBe(`${ORIGIN}/api/auth/callback/nodemailer`);
    expect(Object.keys(form.fields).sort()).toEqual(["callbackUrl", "csrfToken", "email", "token"]);
    expect(count("verification_token")).toBe(1);

    const signedIn = await c.fetch(form.action, { form: form.fields });
    expect(signedIn.response.status).toBe(303);
    expect(location(signedIn.response)).toBe(`${ORIGIN}/dashboard`);
    expect(await c.session()).toMatchObject({ user: { email: "alice@example.com" } });
    expect(count("verification_token")).toBe(0);
    expect(count("sessions")).toBe(1);

    const again = await c.fetch(form.action, { form: form.fields });
    expect(location(again.response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    const errorPage = await c.fetch(location(again.response)!);
    expect(errorPage.response.status).toBe(403);
    expect(count("sessions")).toBe(1);
  });

  it("the POST needs the CSRF token; without it the link is not used", async () => {
    const { client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    const forged = await c.fetch(form.action, { form: { ...form.fields, csrfToken: "0".repeat(64) } });
    expect(location(forged.response)).toBe(`${ORIGIN}/api/auth/signin?error=MissingCSRF`);
    expect(location((await c.fetch(form.action, { form: form.fields })).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("an expired link is Verification (and is gone)", async () => {
    const { db, count, client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    db.prepare("UPDATE verification_token SET expires = ?").run(Date.now() - 1000);
    const { response } = await useLink(client(), link);
    expect(location(response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    expect(count("verification_token")).toBe(0);
    expect(count("sessions")).toBe(0);
  });

  it("a link outlives no short maxAge", async () => {
    const { client } = setup({ maxAge: 1 });
    const link = await linkFor(client(), "alice@example.com");
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(location((await useLink(client(), link)).response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
  });

  it("the right token with another address is Verification, and the token still works with its own address", async () => {
    const { count, client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    for (const email of ["mallory@example.com", "alice@example.com,mallory@example.com", ""]) {
      const wrong = await c.fetch(form.action, { form: { ...form.fields, email } });
      expect(location(wrong.response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    }
    const wrongToken = await c.fetch(form.action, { form: { ...form.fields, token: "f".repeat(64) } });
    expect(location(wrongToken.response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    expect(count("verification_token")).toBe(1);
    expect(location((await c.fetch(form.action, { form: form.fields })).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("20 parallel POSTs of one link give exactly one session", async () => {
    const { count, client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const browsers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = client();
        return { c, form: landingForm(await (await c.fetch(link.href)).response.text()) };
      }),
    );
    const results = await Promise.all(browsers.map(({ c, form }) => c.fetch(form.action, { form: form.fields })));
    const targets = results.map(({ response }) => location(response));
    expect(targets.filter((target) => target === `${ORIGIN}/dashboard`)).toHaveLength(1);
    expect(targets.filter((target) => target === `${ORIGIN}/api/auth/error?error=Verification`)).toHaveLength(19);
    expect(count("sessions")).toBe(1);
    expect(results.filter(({ cookies }) => cookies.some((cookie) => cookie.name === SESSION_COOKIE))).toHaveLength(1);
  });

  it("does not let a tampered callbackUrl leave the site", async () => {
    const { client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    const { response } = await c.fetch(form.action, { form: { ...form.fields, callbackUrl: "https://evil.test/" } });
    expect(location(response)).toBe(ORIGIN);
  });

  it("a link without token or address is Verification", async () => {
    const { client } = setup();
    const { response } = await client().fetch("/api/auth/callback/nodemailer?email=alice%40example.com");
    expect(location(response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
  });
});

describe("guessing a token", () => {
  /** An app that mails six-digit codes: each link carries the next code of this list. */
  const sixDigits = () => {
    const codes = ["104729", "224737", "350377", "479909", "611953"];
    return () => codes.shift() ?? "999983";
  };
  const wrongCodes = ["000000", "111111", "222222", "333333", "444444"];

  it("short app-made codes: five wrong tries lock the address's links for the window, the right code too; other addresses go on", async () => {
    const { count, client } = setup({ generateVerificationToken: sixDigits(), rateLimit: { attempts: { max: 5, window: 1 } } });
    const link = await linkFor(client(), "alice@example.com");
    const bobLink = await linkFor(client(), "bob@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    for (const token of wrongCodes) {
      const wrong = await c.fetch(form.action, { form: { ...form.fields, token } });
      expect(location(wrong.response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    }
    const locked = await c.fetch(form.action, { form: form.fields });
    expect(locked.response.status).toBe(429);
    expect(await locked.response.text()).toContain("Too many attempts");
    expect(locked.cookies.some((cookie) => cookie.name === SESSION_COOKIE)).toBe(false);
    // The right code was not looked at, so it was not burnt either.
    expect(count("verification_token")).toBe(2);
    expect(location((await useLink(client(), bobLink)).response)).toBe(`${ORIGIN}/dashboard`);
    // Once the window has passed, the code still works.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(location((await c.fetch(form.action, { form: form.fields })).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("app-made tokens are limited by default; a code that works takes back only its own try: a look-alike address's code gives the guesses at another's no fresh start", async () => {
    const { client } = setup({ generateVerificationToken: sixDigits() });
    // The attacker gets mail at exámple.com, whose addresses fold as example.com's.
    const lookalike = "alice@ex\u00e1mple.com";
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    for (const token of wrongCodes.slice(0, 4)) expect(location((await c.fetch(form.action, { form: { ...form.fields, token } })).response)).toContain("error=Verification");
    const own = await linkFor(client(), lookalike);
    expect(location((await useLink(client(), own)).response)).toBe(`${ORIGIN}/dashboard`);
    // Four wrong tries still count against the folded address: one more, then even the right code waits.
    expect(location((await c.fetch(form.action, { form: { ...form.fields, token: wrongCodes[4] ?? "" } })).response)).toContain("error=Verification");
    expect((await c.fetch(form.action, { form: form.fields })).response.status).toBe(429);
  });

  it("a newer app-made code retires the address's older codes and links; other addresses keep theirs", async () => {
    const { count, client } = setup({ generateVerificationToken: sixDigits() });
    const first = await linkFor(client(), "alice@example.com");
    const bobs = await linkFor(client(), "bob@example.com");
    const second = await linkFor(client(), "alice@example.com");
    expect(count("verification_token"), "alice's newest code and bob's").toBe(2);
    expect(location((await useLink(client(), first)).response)).toBe(`${ORIGIN}/api/auth/error?error=Verification`);
    expect(location((await useLink(client(), second)).response)).toBe(`${ORIGIN}/dashboard`);
    expect(location((await useLink(client(), bobs)).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("latch's own 256-bit links all keep working: the first email may be the one the user opens", async () => {
    const { client } = setup();
    const first = await linkFor(client(), "alice@example.com");
    const second = await linkFor(client(), "alice@example.com");
    expect(location((await useLink(client(), first)).response)).toBe(`${ORIGIN}/dashboard`);
    expect(location((await useLink(client(), second)).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("latch's own 256-bit tokens: a stranger's wrong tries do not lock the owner out", async () => {
    const { client } = setup();
    const link = await linkFor(client(), "alice@example.com");
    const stranger = client();
    const form = landingForm(await (await stranger.fetch(link.href)).response.text());
    for (let i = 0; i < 12; i++) await stranger.fetch(form.action, { form: { ...form.fields, token: randomBytes(32).toString("hex") } });
    expect(location((await useLink(client(), link)).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("tries from one client address are limited whatever the address, counted apart from the links it asked for", async () => {
    const { client } = setup({ rateLimit: { address: false, attempts: false, source: { max: 3, window: 60 } } });
    const from = (ip: string) => ({ "x-forwarded-for": ip });
    const c = client();
    const csrfToken = await c.csrfToken();
    // Three links asked for from this address: its send count is full, its try count is not.
    const links: URL[] = [];
    for (const email of ["a@example.com", "b@example.com", "c@example.com"]) {
      const { mails } = await requestLink(c, email, { headers: from("203.0.113.9") });
      links.push(linkOf(mails[0]!));
    }
    const fieldsOf = (link: URL) => ({ csrfToken, token: link.searchParams.get("token")!, email: link.searchParams.get("email")!, callbackUrl: `${ORIGIN}/dashboard` });
    for (const email of ["x@example.com", "y@example.com"]) {
      const wrong = await c.fetch("/api/auth/callback/nodemailer", { form: { ...fieldsOf(links[0]!), email }, headers: from("203.0.113.9") });
      expect(location(wrong.response)).toContain("error=Verification");
    }
    expect(location((await c.fetch("/api/auth/callback/nodemailer", { form: fieldsOf(links[0]!), headers: from("203.0.113.9") })).response)).toBe(`${ORIGIN}/dashboard`);
    const blocked = await c.fetch("/api/auth/callback/nodemailer", { form: fieldsOf(links[1]!), headers: from("203.0.113.9") });
    expect(blocked.response.status).toBe(429);
    expect(location((await c.fetch("/api/auth/callback/nodemailer", { form: fieldsOf(links[1]!), headers: from("203.0.113.10") })).response)).toBe(`${ORIGIN}/dashboard`);
  });

  it("rateLimit: false turns the tries' limits off too", async () => {
    const { client } = setup({ generateVerificationToken: sixDigits(), rateLimit: false });
    const link = await linkFor(client(), "alice@example.com");
    const c = client();
    const form = landingForm(await (await c.fetch(link.href)).response.text());
    for (const token of [...wrongCodes, ...wrongCodes]) await c.fetch(form.action, { form: { ...form.fields, token } });
    expect(location((await c.fetch(form.action, { form: form.fields })).response)).toBe(`${ORIGIN}/dashboard`);
  });
});

describe("who signs in", () => {
  it("database sessions: a new user is created verified (createUser, isNewUser), a session row is written", async () => {
    const events: Array<[string, unknown]> = [];
    const { db, client } = setup({
      extra: {
        events: {
          createUser: ({ user }) => void events.push(["createUser", user.email]),
          signIn: (message) => void events.push(["signIn", { isNewUser: message.isNewUser, emailVerifiedNow: message.emailVerifiedNow, type: message.account?.type }]),
        },
      },
    });
    const c = client();
    await useLink(c, await linkFor(client(), "new@example.com"));
    const user = db.prepare('SELECT id, email, "emailVerified", name FROM users').get() as { id: string; email: string; emailVerified: number | null; name: string | null };
    expect(user.email).toBe("new@example.com");
    expect(user.emailVerified).toBeGreaterThan(Date.now() - 10_000);
    expect(user.name).toBeNull();
    expect(c.jar.get(SESSION_COOKIE)).toMatch(/^[0-9a-f]{64}$/);
    expect(db.prepare('SELECT "userId" FROM sessions').get()).toEqual({ userId: user.id });
    expect(events).toEqual([
      ["createUser", "new@example.com"],
      ["signIn", { isNewUser: true, emailVerifiedNow: undefined, type: "email" }],
    ]);
  });

  it("JWT sessions: the token's sub is the stored user's id; the jwt callback sees the email account", async () => {
    const { db, client } = setup({
      strategy: "jwt",
      extra: { callbacks: { jwt: ({ token, account }) => (account ? { ...token, via: `${account.type}:${account.provider}` } : token) } },
    });
    const c = client();
    const { response } = await useLink(c, await linkFor(client(), "jwt@example.com"));
    expect(location(response)).toBe(`${ORIGIN}/dashboard`);
    const token = await decode({ token: c.jar.get(SESSION_COOKIE), secret: SECRET, salt: SESSION_COOKIE });
    const user = db.prepare("SELECT id FROM users WHERE email = ?").get("jwt@example.com") as { id: string };
    expect(token).toMatchObject({ sub: user.id, email: "jwt@example.com", via: "email:nodemailer" });
    expect(await c.session()).toMatchObject({ user: { email: "jwt@example.com" } });
  });

  it("an unverified user (pre-account hijacking): verified now, earlier sessions ended, signIn event says emailVerifiedNow — once", async () => {
    const signIns: unknown[] = [];
    const { db, adapter, count, client } = setup({ extra: { events: { signIn: ({ emailVerifiedNow }) => void signIns.push(emailVerifiedNow) } } });
    // Someone signed up with this address and a password and never confirmed it; they hold a session.
    await adapter.createUser!({ id: "squatted", email: "victim@example.com", emailVerified: null, name: "Squatter" });
    await adapter.createSession!({ sessionToken: "attacker-session", userId: "squatted", expires: new Date(Date.now() + 3_600_000) });
    const c = client();
    await useLink(c, await linkFor(client(), "victim@example.com"));
    expect(await adapter.getSessionAndUser!("attacker-session")).toBeNull();
    expect(count("sessions")).toBe(1);
    expect(await c.session()).toMatchObject({ user: { email: "victim@example.com" } });
    const stored = db.prepare('SELECT "emailVerified" FROM users WHERE id = ?').get("squatted") as { emailVerified: number };
    expect(stored.emailVerified).toBeGreaterThan(Date.now() - 10_000);

    const other = client();
    await useLink(other, await linkFor(client(), "victim@example.com"));
    expect(count("sessions")).toBe(2);
    expect(signIns).toEqual([true, undefined]);
    expect(count("users")).toBe(1);
  });

  it("the signIn callback at use time sees the stored user and no verificationRequest; false refuses", async () => {
    const seen: unknown[] = [];
    const { adapter, count, client } = setup({
      extra: {
        callbacks: {
          signIn: ({ user, account, email }) => {
            if (email?.verificationRequest) return true;
            seen.push({ id: user.id, account, email });
            return false;
          },
        },
      },
    });
    await adapter.createUser!({ id: "known", email: "known@example.com", emailVerified: new Date(), name: null });
    const { response } = await useLink(client(), await linkFor(client(), "known@example.com"));
    expect(location(response)).toBe(`${ORIGIN}/api/auth/error?error=AccessDenied`);
    expect(seen).toEqual([{ id: "known", account: { type: "email", provider: "nodemailer", providerAccountId: "known@example.com", userId: "known" }, email: undefined }]);
    expect(count("sessions")).toBe(0);
  });
});

describe("configuration", () => {
  it("needs an adapter with the email methods, and names the missing ones", async () => {
    const errors: Error[] = [];
    const partial: Adapter = { ...SQLiteAdapter(new Database(":memory:")) };
    delete partial.useVerificationToken;
    delete partial.updateUser;
    const provider = Nodemailer({ server: "smtp://127.0.0.1:1" });
    for (const adapter of [partial, undefined]) {
      const config: AuthConfig = { secret: SECRET, providers: [provider], session: { strategy: "jwt" }, logger: { error: (e) => errors.push(e), warn: () => undefined }, ...(adapter ? { adapter } : {}) };
      const c = new EngineClient(ORIGIN, config);
      const { response } = await c.fetch("/api/auth/signin/nodemailer", { form: { email: "a@example.com" } });
      expect(response.status).toBe(500);
    }
    expect(errors[0]?.message).toBe('The adapter lacks methods: email sign-in with "nodemailer" needs useVerificationToken, updateUser.');
    expect(errors[1]?.message).toContain('The email provider "nodemailer" needs an adapter');
  });

  it("lists the provider with type email at /providers", async () => {
    const { client } = setup();
    const { response } = await client().fetch("/api/auth/providers");
    expect(await response.json()).toEqual({
      nodemailer: { id: "nodemailer", name: "Email", type: "email", signinUrl: `${ORIGIN}/api/auth/signin/nodemailer`, callbackUrl: `${ORIGIN}/api/auth/callback/nodemailer` },
    });
  });

  it("renders an email form on the built-in page, between the credentials forms and the OAuth buttons", async () => {
    const { config } = setup();
    const c = new EngineClient(ORIGIN, {
      ...config,
      providers: [GitHub({ clientId: "id", clientSecret: "secret" }), ...config.providers, Credentials({ credentials: { username: { label: "User" } }, authorize: () => null })],
    });
    const html = await (await c.fetch("/api/auth/signin?callbackUrl=%2Fafter")).response.text();
    const credentials = html.indexOf(`action="${ORIGIN}/api/auth/callback/credentials"`);
    const email = html.indexOf(`<form class="email" action="${ORIGIN}/api/auth/signin/nodemailer" method="POST">`);
    const github = html.indexOf(`action="${ORIGIN}/api/auth/signin/github"`);
    expect(credentials).toBeGreaterThan(-1);
    expect(email).toBeGreaterThan(credentials);
    expect(github).toBeGreaterThan(email);
    const form = html.slice(email, html.indexOf("</form>", email));
    expect(form).toMatch(/<label for="nodemailer-email">Email<\/label><input id="nodemailer-email" name="email" type="email" autocomplete="email"[^>]* required>/);
    expect(form).toMatch(/name="csrfToken" value="[0-9a-f]{64}"/);
    expect(form).toContain(`name="callbackUrl" value="${ORIGIN}/after"`);
  });

  it("the generic Email provider hands the link to the app's sender; verificationMessage builds a safe message", async () => {
    const sent: SendVerificationRequestParams[] = [];
    const { config } = setup();
    const provider = Email({ sendVerificationRequest: (params) => void sent.push(params) });
    const c = new EngineClient(ORIGIN, { ...config, providers: [provider] });
    const { response } = await c.fetch("/api/auth/signin/email", { form: { csrfToken: await c.csrfToken(), email: "api@example.com" } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/verify-request?provider=email&type=email`);
    expect(sent).toHaveLength(1);
    const { identifier, url, provider: given, expires } = sent[0]!;
    expect(identifier).toBe("api@example.com");
    expect(given.maxAge).toBe(600);
    expect(expires.getTime()).toBeGreaterThan(Date.now() + 590_000);
    expect(location((await useLink(c, new URL(url))).response)).toBe(`${ORIGIN}/`);

    const message = verificationMessage({ url: `${ORIGIN}/x?a=1&b="<b>"`, host: "app.test", maxAge: 900, theme: { brandColor: "red;}</style><script>" } });
    expect(message.subject).toBe("Sign in to app.test");
    expect(message.html).toContain('href="https://app.test/x?a=1&#38;b=&#34;&#60;b&#62;&#34;"');
    expect(message.html).not.toContain("<script>");
    expect(message.text).toContain("15 minutes");
  });

  it("the generic Email provider without a sender fails at send time with EmailSignin, not at import", async () => {
    const errors: Error[] = [];
    const { config } = setup();
    const provider = Email({} as Parameters<typeof Email>[0]);
    const c = new EngineClient(ORIGIN, { ...config, providers: [provider], logger: { error: (e) => errors.push(e), warn: () => undefined } });
    const { response } = await c.fetch("/api/auth/signin/email", { form: { csrfToken: await c.csrfToken(), email: "a@example.com" } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    expect(String((errors[0]?.cause as Error | undefined)?.message)).toContain("needs sendVerificationRequest");
  });
});

/** An RFC 2047 header as read: the encoded words ("=?UTF-8?Q?...?=", "=?UTF-8?B?...?=") decoded. */
function decodeHeader(value: string | undefined): string {
  return (value ?? "").replace(/\?=\s+=\?/g, "?==?").replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, encoding: string, data: string) =>
    encoding.toLowerCase() === "b"
      ? Buffer.from(data, "base64").toString("utf8")
      : Buffer.from(data.replace(/_/g, " ").replace(/=([0-9A-Fa-f]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), "latin1").toString("utf8"),
  );
}

describe("the email's language", () => {
  it("is the pages' language for the request: Accept-Language de gets a German email, and the German 'check your email' page", async () => {
    const { client } = setup();
    const c = client();
    const { response, mails } = await requestLink(c, "hans@example.com", { headers: { "accept-language": "de-CH, en;q=0.5" } });
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(decodeHeader(mail.headers.get("subject"))).toBe("Anmeldung bei app.test");
    expect(mail.text).toMatch(/^Bei app\.test anmelden\r?\n/);
    expect(mail.text).toContain("Der Link funktioniert nur einmal und ist 10 Minuten lang gültig.");
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.html).toContain("Bei <strong>app&#8203;.test</strong> anmelden");
    expect(mail.html).toContain(">Anmelden</a>");
    for (const body of [mail.text, mail.html]) expect(body).not.toContain("hans@example.com");
    expect(linkOf(mail).searchParams.get("email")).toBe("hans@example.com");

    const page = await c.fetch(location(response)!, { headers: { "accept-language": "de-CH, en;q=0.5" } });
    expect(await page.response.text()).toContain("Prüfen Sie Ihre E-Mails");
  });

  it("follows a fixed locale whatever the header: locale 'fr' gives French, with plural and singular", async () => {
    const { client } = setup({ extra: { locale: "fr" } });
    const { mails } = await requestLink(client(), "jeanne@example.com", { headers: { "accept-language": "de" } });
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(decodeHeader(mail.headers.get("subject"))).toBe("Connexion à app.test");
    expect(mail.text).toContain("Le lien ne fonctionne qu’une fois, pendant 10 minutes.");
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.html).toContain(">Se connecter</a>");

    const short = setup({ extra: { locale: "fr" }, maxAge: 60 });
    const [minute] = (await requestLink(short.client(), "jeanne@example.com", { headers: { "accept-language": "de" } })).mails;
    expect(minute?.text).toContain("pendant 1 minute.");
    const long = setup({ extra: { locale: ["de", "fr"] }, maxAge: 7200 });
    const [hours] = (await requestLink(long.client(), "jeanne@example.com", { headers: { "accept-language": "fr-CA" } })).mails;
    expect(hours?.text).toContain("pendant 2 heures.");
  });

  it("without Accept-Language is the fallback language: English by default, the first of a locale list", async () => {
    const [english] = (await requestLink(setup().client(), "bob@example.com")).mails;
    expect(english?.headers.get("subject")).toBe("Sign in to app.test");
    expect(english?.html).toContain('<html lang="en">');
    const [spanish] = (await requestLink(setup({ extra: { locale: ["es", "en"] } }).client(), "bob@example.com", { headers: { "accept-language": "ja" } })).mails;
    expect(decodeHeader(spanish?.headers.get("subject"))).toBe("Inicia sesión en app.test");
    expect(spanish?.text).toContain("durante 10 minutos");
  });

  it("reaches a custom sendVerificationRequest as locale, for verificationMessage or the app's own templates", async () => {
    const sent: SendVerificationRequestParams[] = [];
    const { config } = setup();
    const c = new EngineClient(ORIGIN, { ...config, providers: [Email({ sendVerificationRequest: (params) => void sent.push(params) })] });
    for (const language of ["ja-JP,ja;q=0.9", "es", "", "pt-BR"]) {
      await c.fetch("/api/auth/signin/email", { form: { csrfToken: await c.csrfToken(), email: "api@example.com" }, headers: { "accept-language": language } });
    }
    expect(sent.map((params) => params.locale)).toEqual(["ja", "es", "en", "en"]);
    const { url, provider, theme, locale } = sent[0]!;
    const message = verificationMessage({ url, host: new URL(url).host, maxAge: provider.maxAge ?? 600, theme, locale });
    expect(message.subject).toBe("app.test へのログイン用リンク");
    expect(message.text).toContain("10 分間有効です");
  });
});

describe("Nodemailer", () => {
  it("says how to fix a missing nodemailer package or server (EmailSignin on the page)", async () => {
    const errors: Error[] = [];
    const { config } = setup();
    const logger = { error: (e: Error) => void errors.push(e), warn: () => undefined };
    vi.doMock("nodemailer", () => {
      throw new Error("Cannot find package 'nodemailer'");
    });
    try {
      const c = new EngineClient(ORIGIN, { ...config, logger });
      const { response } = await c.fetch("/api/auth/signin/nodemailer", { form: { csrfToken: await c.csrfToken(), email: "a@example.com" } });
      expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    } finally {
      vi.doUnmock("nodemailer");
    }
    const noServer = new EngineClient(ORIGIN, { ...config, providers: [Nodemailer()], logger });
    const { response } = await noServer.fetch("/api/auth/signin/nodemailer", { form: { csrfToken: await noServer.csrfToken(), email: "a@example.com" } });
    expect(location(response)).toBe(`${ORIGIN}/api/auth/signin?error=EmailSignin`);
    expect(errors.map((e) => (e.cause instanceof Error ? e.cause.message : ""))).toEqual([
      'latch: the Nodemailer provider needs the "nodemailer" package (>= 7.0.7): npm install nodemailer',
      'latch: the email provider "nodemailer" has no `server`: pass an SMTP URL or Nodemailer transport options',
    ]);
  });
});

describe("server action signIn", () => {
  function serverAction(config: AuthConfig) {
    next.cookies.clear();
    next.headers = new Headers({ host: "app.test", "x-forwarded-for": "198.51.100.7" });
    return NextAuth(config);
  }

  async function redirectOf(call: Promise<unknown>): Promise<string> {
    const thrown = await call.then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(thrown instanceof next.RedirectSignal)) throw thrown instanceof Error ? thrown : new Error("no redirect");
    return thrown.url;
  }

  it("signIn('nodemailer', { email, redirectTo }) and a FormData both send one link and go to verify-request", async () => {
    const { config } = setup();
    const { signIn } = serverAction(config);
    const before = inbox.messages.length;
    expect(await redirectOf(signIn("nodemailer", { email: "action@example.com", redirectTo: "/after" }))).toBe(`${ORIGIN}/api/auth/verify-request?provider=nodemailer&type=email`);
    const form = new FormData();
    form.set("email", "ACTION@example.com");
    form.set("redirectTo", "/form");
    expect(await redirectOf(signIn("nodemailer", form))).toBe(`${ORIGIN}/api/auth/verify-request?provider=nodemailer&type=email`);
    const mails = inbox.messages.slice(before);
    expect(mails.map((mail) => mail.recipients)).toEqual([["action@example.com"], ["action@example.com"]]);
    expect(mails.map((mail) => linkOf(mail).searchParams.get("callbackUrl"))).toEqual([`${ORIGIN}/after`, `${ORIGIN}/form`]);
    const c = new EngineClient(ORIGIN, config);
    expect(location((await useLink(c, linkOf(mails[1]!))).response)).toBe(`${ORIGIN}/form`);
  });

  it("throws EmailSignInError for a smuggled address and RateLimited when throttled", async () => {
    const { config } = setup({ rateLimit: { address: { max: 1, window: 60 }, source: false } });
    const { signIn } = serverAction(config);
    await expect(signIn("nodemailer", { email: "a@x.com,b@y.com", redirect: false })).rejects.toBeInstanceOf(EmailSignInError);
    expect(await signIn("nodemailer", { email: "once@example.com", redirect: false })).toBe(`${ORIGIN}/api/auth/verify-request?provider=nodemailer&type=email`);
    await expect(signIn("nodemailer", { email: "once@example.com", redirect: false })).rejects.toBeInstanceOf(RateLimited);
  });
});
