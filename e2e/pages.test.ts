/**
 * The built-in pages in Chromium, without a Next.js build: latch's engine (`Auth()`, from
 * source) behind a plain node:http server in this process, with one provider of every kind.
 * Each page — sign-in (also with an error), sign-out, two error pages, "check your email", the
 * sign-in link's landing page — is opened in a light and a dark browser (`theme.colorScheme`
 * "auto" follows `prefers-color-scheme`) in English and German: screenshots go to
 * docs/screenshots/, and axe-core finds no serious or critical violation. Then one test per
 * language: the browser's Accept-Language picks it and the texts are translated.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as path from "node:path";
import Database from "better-sqlite3";
import type { AxeResults, ImpactValue } from "axe-core";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../packages/latch/src/adapters/sqlite.js";
import { Auth } from "../packages/latch/src/index.js";
import Credentials from "../packages/latch/src/providers/credentials.js";
import Email from "../packages/latch/src/providers/email.js";
import GitHub from "../packages/latch/src/providers/github.js";
import Passkey from "../packages/latch/src/providers/passkey.js";
import type { AuthConfig } from "../packages/latch/src/types.js";
import { getFreePort, launchBrowser, repoRoot, reportOnFailure, useFixtures } from "./harness.js";

const screenshotsDir = path.join(repoRoot, "docs", "screenshots");
const axeSource = readFileSync(path.join(repoRoot, "node_modules", "axe-core", "axe.min.js"), "utf8");

/**
 * Where the browser opens the pages: a fixed https name (a secure context, so the passkey
 * section shows as on a real site; and the same host in every screenshot), which each context
 * routes to the test server on 127.0.0.1 with X-Forwarded-Host/-Proto naming it.
 */
const siteUrl = "https://latch.example";
/** `http://127.0.0.1:<port>`, where the test server listens. */
let serverUrl = "";

const adapter = (() => {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return SQLiteAdapter(db);
})();

/** One provider of every kind the sign-in page shows; the email sender keeps nothing. */
function pagesConfig(): AuthConfig {
  return {
    secret: "e2e-pages-secret-0123456789abcdef0123456789abcdef",
    trustHost: true,
    adapter,
    session: { strategy: "jwt" },
    providers: [
      Credentials({
        credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
        authorize: () => null,
      }),
      Email({ sendVerificationRequest: () => undefined }),
      Passkey({}),
      GitHub({ clientId: "e2e-pages", clientSecret: "e2e-pages-secret" }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
  };
}

/** Serves `Auth()` the way a route handler would: a Web Request in, a Web Response out. */
function serve(config: AuthConfig, port: number): Promise<Server> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, item);
    }
    const method = req.method ?? "GET";
    const request = new Request(`${serverUrl}${req.url ?? "/"}`, { method, headers, ...(method === "GET" || method === "HEAD" ? {} : { body: Buffer.concat(chunks) }) });
    const response = await Auth(request, config);
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of response.headers) if (name !== "set-cookie") out[name] = value;
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    res.writeHead(response.status, out);
    res.end(Buffer.from(await response.arrayBuffer()));
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(`e2e: the test server failed: ${String(error)}`);
    });
  });
  return new Promise((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", () => resolve(http));
  });
}

const fixtures = useFixtures(async (cleanup) => {
  const browser = cleanup.add(await launchBrowser());
  const port = await getFreePort();
  serverUrl = `http://127.0.0.1:${port}`;
  const server = await serve(pagesConfig(), port);
  cleanup.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { browser };
}, 120_000);

/**
 * A browser context as a visitor's: its language (Accept-Language and navigator.language) and
 * color scheme. CSP is bypassed only so that axe-core can be injected as an inline script: the
 * pages themselves allow no script but the passkey one.
 */
async function visitor(locale: string, colorScheme: "light" | "dark"): Promise<BrowserContext> {
  const context = await fixtures().browser.newContext({ locale, colorScheme, viewport: { width: 800, height: 600 }, bypassCSP: true });
  await context.route(`${siteUrl}/**`, async (route) => {
    const url = new URL(route.request().url());
    try {
      const response = await route.fetch({
        url: `${serverUrl}${url.pathname}${url.search}`,
        headers: { ...route.request().headers(), "x-forwarded-host": url.host, "x-forwarded-proto": "https" },
        maxRedirects: 0,
      });
      await route.fulfill({ response });
    } catch (error) {
      // A request still in flight when the test closes its context (a late favicon or prefetch)
      // has nowhere to go; anything else is a real failure.
      if (error instanceof Error && /disposed|has been closed/.test(error.message)) return;
      throw error;
    }
  });
  return context;
}

interface Violation {
  id: string;
  impact: ImpactValue | undefined;
  help: string;
  targets: string[];
}

/** Runs axe-core (WCAG 2.x A and AA, and best practices) on the page as it is now. */
async function axeViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } };
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] }, resultTypes: ["violations"] });
  });
  return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")) }));
}

describe("axe-core in this harness", () => {
  it("finds what it should (the checks below are not vacuous): an unlabelled field, low contrast, no lang", async () => {
    const context = await visitor("en-US", "light");
    const page = await context.newPage();
    await page.setContent('<html><head><title>t</title></head><body><main><h1>Bad</h1><input type="text"><p style="color:#bbb;background:#fff">faint</p></main></body></html>');
    const ids = (await axeViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(["label", "color-contrast", "html-has-lang"]));
    await context.close();
  });
});

/** The pages the docs show: name → path under /api/auth. */
const PAGES: ReadonlyArray<readonly [name: string, path: string]> = [
  ["signin", "/signin"],
  ["signin-error", "/signin?error=CredentialsSignin"],
  ["signout", "/signout"],
  ["error-verification", "/error?error=Verification"],
  ["error-configuration", "/error?error=Configuration"],
  ["verify-request", "/verify-request"],
  ["email-landing", "/callback/email?token=e2e-token&email=pat%40example.com"],
];

/** Every violation axe-core found, by page, for the run's log (and the report). */
const axeLog: Array<{ shot: string; violations: Violation[] }> = [];

describe("the built-in pages: screenshots and axe-core", () => {
  for (const locale of ["en", "de"] as const) {
    for (const scheme of ["light", "dark"] as const) {
      it(`${locale}, ${scheme}: every page renders its language and scheme, and axe-core finds no serious or critical violation`, async () => {
        const context = await visitor(locale === "en" ? "en-US" : "de-DE", scheme);
        const page = await context.newPage();
        const refusedByCsp: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error" && /Content Security Policy|Refused to/i.test(message.text())) refusedByCsp.push(message.text());
        });
        mkdirSync(screenshotsDir, { recursive: true });
        for (const [name, pagePath] of PAGES) {
          const shot = `${name}-${scheme}-${locale}`;
          reportOnFailure(page, `pages-${shot}`);
          const response = await page.goto(`${siteUrl}/api/auth${pagePath}`);
          expect(response?.headers()["content-language"], shot).toBe(locale);
          expect(await page.evaluate(() => document.documentElement.lang), shot).toBe(locale);
          // The palette follows the browser's color scheme ("auto").
          const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(background, shot).toBe(scheme === "dark" ? "rgb(9, 9, 11)" : "rgb(244, 244, 245)");
          if (name === "signin" || name === "signin-error") {
            // The script reveals the passkey section in a browser that has WebAuthn.
            await page.locator("form.passkey").waitFor({ state: "visible" });
          }
          writeFileSync(path.join(screenshotsDir, `${shot}.png`), await page.screenshot({ fullPage: true }));
          const violations = await axeViolations(page);
          axeLog.push({ shot, violations });
          expect(
            violations.filter((v) => v.impact === "serious" || v.impact === "critical"),
            `${shot}: ${JSON.stringify(violations, null, 1)}`,
          ).toEqual([]);
        }
        expect(refusedByCsp).toEqual([]);
        await context.close();
      });
    }
  }

  afterAll(() => {
    const found = axeLog.flatMap(({ shot, violations }) => violations.map((v) => `${shot}: ${v.impact ?? "?"} ${v.id} (${v.help}) at ${v.targets.join(", ")}`));
    console.log(`[e2e] axe-core checked ${axeLog.length} page views; violations of any impact: ${found.length === 0 ? "none" : `\n${found.join("\n")}`}`);
  });
});

describe("keyboard use of the sign-in page", () => {
  it("Tab walks the fields and buttons in reading order, and the focused one shows a ring", async () => {
    const context = await visitor("en-US", "light");
    const page = await context.newPage();
    reportOnFailure(page, "pages-focus-order");
    await page.goto(`${siteUrl}/api/auth/signin`);
    await page.locator("form.passkey").waitFor({ state: "visible" });
    const expected = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>("input:not([type=hidden]), button, a[href]")]
        .filter((element) => element.offsetParent !== null)
        .map((element) => element.getAttribute("name") === "ceremony" ? `button:${element.textContent ?? ""}` : `${element.tagName.toLowerCase()}:${element.getAttribute("name") ?? element.textContent ?? ""}`),
    );
    const walked: string[] = [];
    for (let i = 0; i < expected.length; i++) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        if (!element) return { id: "", outline: "none" };
        const style = getComputedStyle(element);
        const id = element.getAttribute("name") === "ceremony" ? `button:${element.textContent ?? ""}` : `${element.tagName.toLowerCase()}:${element.getAttribute("name") ?? element.textContent ?? ""}`;
        return { id, outline: `${style.outlineStyle} ${style.outlineWidth}` };
      });
      walked.push(focused.id);
      expect(focused.outline, focused.id).toBe("solid 2px");
    }
    expect(walked).toEqual(expected);
    expect(walked.slice(0, 3)).toEqual(["input:username", "input:password", "button:Sign in with Credentials"]);
    expect(walked.at(-1)).toBe("button:Sign in with GitHub");
    await context.close();
  });
});

describe("one language per test: the browser's Accept-Language picks it", () => {
  const cases: ReadonlyArray<{ locale: string; lang: string; heading: string; github: string; email: string; signOut: string; verify: string }> = [
    { locale: "en-GB", lang: "en", heading: "Sign in", github: "Sign in with GitHub", email: "Email", signOut: "Are you sure you want to sign out?", verify: "Check your email" },
    { locale: "de-CH", lang: "de", heading: "Anmelden", github: "Mit GitHub anmelden", email: "E-Mail", signOut: "Möchten Sie sich wirklich abmelden?", verify: "Prüfen Sie Ihre E-Mails" },
    { locale: "fr-CA", lang: "fr", heading: "Connexion", github: "Se connecter avec GitHub", email: "Adresse e-mail", signOut: "Voulez-vous vraiment vous déconnecter\u00a0?", verify: "Consultez vos e-mails" },
    { locale: "es-MX", lang: "es", heading: "Iniciar sesión", github: "Iniciar sesión con GitHub", email: "Correo electrónico", signOut: "¿Seguro que quieres cerrar sesión?", verify: "Revisa tu correo" },
    { locale: "ja-JP", lang: "ja", heading: "ログイン", github: "GitHub でログイン", email: "メールアドレス", signOut: "ログアウトしてもよろしいですか？", verify: "メールを確認してください" },
  ];
  for (const c of cases) {
    it(`${c.locale} → ${c.lang}`, async () => {
      const context = await visitor(c.locale, "light");
      const page = await context.newPage();
      reportOnFailure(page, `pages-language-${c.lang}`);
      const response = await page.goto(`${siteUrl}/api/auth/signin`);
      expect(response?.headers().vary).toBe("Accept-Language");
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(c.lang);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(c.heading);
      await page.getByRole("button", { name: c.github, exact: true }).waitFor();
      expect(await page.getByLabel(c.email, { exact: true }).first().getAttribute("type")).toBe("email");
      // Labels of credentials fields come from the provider's config, whatever the language.
      expect(await page.getByLabel("Username", { exact: true }).getAttribute("autocomplete")).toBe("username");

      await page.goto(`${siteUrl}/api/auth/signout`);
      await page.getByText(c.signOut, { exact: true }).waitFor();
      await page.goto(`${siteUrl}/api/auth/verify-request`);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(c.verify);
      expect(await page.title()).toBe(c.verify);
      await context.close();
    });
  }
});

describe("the passkey script speaks the page's language", () => {
  it("asks for the address, and explains a refused registration, in German; an English page shows the server's own words", async () => {
    await adapter.createUser!({ id: "user-taken", email: "taken@example.com", emailVerified: new Date(), name: "Taken", image: null });
    const german = await visitor("de-DE", "light");
    const page = await german.newPage();
    reportOnFailure(page, "pages-passkey-de");
    await page.goto(`${siteUrl}/api/auth/signin`);
    const passkey = page.locator("form.passkey");
    await passkey.waitFor({ state: "visible" });
    await page.getByRole("button", { name: "Konto mit Passkey erstellen" }).click();
    await passkey.getByRole("alert").filter({ hasText: "Geben Sie Ihre E-Mail-Adresse ein, um ein Konto mit Passkey zu erstellen." }).waitFor();
    await passkey.getByLabel("E-Mail").fill("taken@example.com");
    await page.getByRole("button", { name: "Konto mit Passkey erstellen" }).click();
    await passkey.getByRole("alert").filter({ hasText: "Die Passkey-Anfrage wurde abgelehnt." }).waitFor();
    await german.close();

    const english = await visitor("en-US", "light");
    const englishPage = await english.newPage();
    await englishPage.goto(`${siteUrl}/api/auth/signin`);
    await englishPage.locator("form.passkey").getByLabel("Email").fill("taken@example.com");
    await englishPage.getByRole("button", { name: "Create an account with a passkey" }).click();
    await englishPage.locator("form.passkey").getByRole("alert").filter({ hasText: "already belongs to an account" }).waitFor();
    await english.close();
  });
});
