import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migrateSQLite, SQLiteAdapter } from "../../adapters/sqlite.js";
import { Auth } from "../../index.js";
import Credentials from "../../providers/credentials.js";
import Email from "../../providers/email.js";
import GitHub from "../../providers/github.js";
import Passkey from "../../providers/passkey.js";
import type { AuthConfig, PageLocale } from "../../types.js";
import { MESSAGES, PAGE_LOCALES } from "./messages/index.js";

const ORIGIN = "http://app.test";

beforeEach(() => {
  for (const key of ["AUTH_URL", "NEXTAUTH_URL", "AUTH_SECRET", "AUTH_TRUST_HOST", "AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET", "NODE_ENV"]) vi.stubEnv(key, undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A config with one provider of each kind. */
function config(overrides: Partial<AuthConfig> = {}): AuthConfig {
  const db = new Database(":memory:");
  migrateSQLite(db);
  return {
    secret: "pages-test-secret-0123456789abcdef0123456789",
    trustHost: true,
    adapter: SQLiteAdapter(db),
    session: { strategy: "jwt" },
    providers: [
      Credentials({
        credentials: { username: { label: "Username" }, password: { label: "Password", type: "password" } },
        authorize: () => null,
      }),
      Email({ sendVerificationRequest: () => undefined }),
      Passkey({}),
      GitHub({ clientId: "id", clientSecret: "secret" }),
    ],
    logger: { error: () => undefined, warn: () => undefined },
    ...overrides,
  };
}

async function get(auth: AuthConfig, path: string, acceptLanguage?: string): Promise<{ response: Response; html: string }> {
  const response = await Auth(new Request(`${ORIGIN}/api/auth${path}`, { headers: acceptLanguage ? { "accept-language": acceptLanguage } : {} }), auth);
  return { response, html: await response.text() };
}

const PAGES = ["/signin", "/signin?error=CredentialsSignin", "/signout", "/error?error=Verification", "/error", "/verify-request", "/callback/email?token=t&email=a%40b.test"];

describe("the language of the built-in pages", () => {
  it.each(PAGE_LOCALES)("Accept-Language picks %s on every page: <html lang>, Content-Language, Vary", async (locale) => {
    const auth = config();
    for (const path of PAGES) {
      const { response, html } = await get(auth, path, `${locale}-XX, en;q=0.1`);
      expect(response.headers.get("content-type"), path).toBe("text/html; charset=utf-8");
      expect(html, path).toContain(`<html lang="${locale}">`);
      expect(response.headers.get("content-language"), path).toBe(locale);
      expect(response.headers.get("vary"), path).toBe("Accept-Language");
    }
    const { html } = await get(auth, "/signin", locale);
    expect(html).toContain(`<h1>${MESSAGES[locale].signIn.title}</h1>`);
    expect(html).toContain(MESSAGES[locale].signIn.withProvider("GitHub"));
  });

  it("a configured language ignores Accept-Language and needs no Vary", async () => {
    const { response, html } = await get(config({ locale: "ja" }), "/signout", "de");
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain(MESSAGES.ja.signOut.question);
    expect(response.headers.get("vary")).toBeNull();
  });

  it("a list of languages negotiates among those only", async () => {
    const auth = config({ locale: ["de", "en"] });
    expect((await get(auth, "/signin", "fr")).html).toContain('<html lang="de">');
    expect((await get(auth, "/signin", "en-US")).html).toContain('<html lang="en">');
  });

  it("the configuration-error page speaks the browser's language too", async () => {
    const { response, html } = await get(config({ secret: undefined }), "/signin", "fr");
    expect(response.status).toBe(500);
    expect(html).toContain(MESSAGES.fr.error.headings.Configuration);
  });
});

/** The ids of elements, and which ids labels point to. */
function structure(html: string): { h1: number; main: number; inputs: string[]; labelled: Set<string>; ids: string[] } {
  const inputs = [...html.matchAll(/<input\b([^>]*)>/g)].map((m) => m[1] ?? "").filter((attrs) => !attrs.includes('type="hidden"'));
  return {
    h1: html.match(/<h1[\s>]/g)?.length ?? 0,
    main: html.match(/<main[\s>]/g)?.length ?? 0,
    inputs: inputs.map((attrs) => /\bid="([^"]+)"/.exec(attrs)?.[1] ?? "<no id>"),
    labelled: new Set([...html.matchAll(/<label for="([^"]+)">[^<]+<\/label>/g)].map((m) => m[1] ?? "")),
    ids: [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1] ?? ""),
  };
}

describe("accessibility of the markup", () => {
  it.each(PAGES)("%s: one h1, one main, a label for every field, unique ids", async (path) => {
    const { html } = await get(config(), path, "de");
    const page = structure(html);
    expect(page.h1).toBe(1);
    expect(page.main).toBe(1);
    for (const id of page.inputs) expect(page.labelled.has(id), id).toBe(true);
    expect(new Set(page.ids).size).toBe(page.ids.length);
  });

  it("fields carry autocomplete hints", async () => {
    const { html } = await get(config(), "/signin");
    expect(html).toMatch(/name="username" type="text" autocomplete="username"/);
    expect(html).toMatch(/name="password" type="password" autocomplete="current-password"/);
    expect(html).toMatch(/name="email" type="email" autocomplete="email"/);
    expect(html).toMatch(/name="email" type="email" autocomplete="username webauthn"/);
  });

  it("an error is an alert, and the fields of the form it is about point to it", async () => {
    const { html } = await get(config(), "/signin?error=CredentialsSignin");
    expect(html).toContain(`<p class="error" id="latch-error" role="alert">${MESSAGES.en.signIn.errors.CredentialsSignin}</p>`);
    expect(html.match(/aria-describedby="latch-error" aria-invalid="true"/g)).toHaveLength(2);
    const email = await get(config(), "/signin?error=EmailSignin");
    expect(email.html).toMatch(/autocomplete="email"[^>]*aria-describedby="latch-error" aria-invalid="true"/);
    expect(email.html.match(/aria-describedby="latch-error"/g)).toHaveLength(1);
    // An error about no form in particular only shows.
    expect((await get(config(), "/signin?error=MissingCSRF")).html).not.toContain('aria-describedby="latch-error"');
  });

  it("the passkey field is described by the script's own alert", async () => {
    const { html } = await get(config(), "/signin");
    expect(html).toMatch(/autocomplete="username webauthn"[^>]*aria-describedby="passkey-passkey-error"/);
    expect(html).toContain('<p class="error" id="passkey-passkey-error" role="alert" data-latch-error hidden></p>');
  });
});

describe("error texts", () => {
  it.each(Object.keys(MESSAGES.en.signIn.errors))("the sign-in page explains %s in every language", async (code) => {
    for (const locale of PAGE_LOCALES) {
      const { response, html } = await get(config(), `/signin?error=${code}`, locale);
      expect(response.status).toBe(200);
      expect(html).toContain(MESSAGES[locale].signIn.errors[code as keyof typeof MESSAGES.en.signIn.errors].replace(/'/g, "&#39;"));
    }
  });

  it("AccountNotLinked (a passkey of another user) reads as another provider's account does", async () => {
    for (const locale of PAGE_LOCALES) {
      const { html } = await get(config(), "/signin?error=AccountNotLinked", locale);
      expect(html).toContain(MESSAGES[locale].signIn.errors.OAuthAccountNotLinked.replace(/'/g, "&#39;"));
    }
  });

  it.each<[string, number, (l: PageLocale) => string]>([
    ["Configuration", 500, (l) => MESSAGES[l].error.messages.Configuration],
    ["AccessDenied", 403, (l) => MESSAGES[l].error.messages.AccessDenied],
    ["Verification", 403, (l) => MESSAGES[l].error.messages.Verification],
    ["OAuthCallbackError", 200, (l) => MESSAGES[l].signIn.errors.OAuthCallbackError],
    ["RateLimited", 200, (l) => MESSAGES[l].signIn.errors.RateLimited],
    ["Nonsense", 200, (l) => MESSAGES[l].error.messages.default],
    ["default", 200, (l) => MESSAGES[l].error.messages.default],
  ])("the error page for %s answers %i with its text in every language", async (code, status, text) => {
    for (const locale of PAGE_LOCALES) {
      const { response, html } = await get(config(), `/error?error=${code}`, locale);
      expect(response.status).toBe(status);
      expect(html).toContain(text(locale));
      expect(html.includes(MESSAGES[locale].error.code(code)), code).toBe(code !== "Nonsense" && code !== "default");
    }
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty"])("?error=%s is an unknown error, not a property of an object", async (code) => {
    const signIn = await get(config(), `/signin?error=${code}`);
    expect(signIn.response.status).toBe(200);
    expect(signIn.html).toContain(MESSAGES.en.signIn.errors.default);
    const error = await get(config(), `/error?error=${code}`);
    expect(error.response.status).toBe(200);
    expect(error.html).toContain(MESSAGES.en.error.messages.default);
  });
});

describe("themes", () => {
  it("auto follows prefers-color-scheme; light and dark fix the palette", async () => {
    const auto = (await get(config(), "/signout")).html;
    expect(auto).toContain("@media (prefers-color-scheme:dark)");
    const light = (await get(config({ theme: { colorScheme: "light" } }), "/signout")).html;
    expect(light).toContain("color-scheme:light");
    expect(light).not.toContain("color-scheme:dark");
    const dark = (await get(config({ theme: { colorScheme: "dark" } }), "/signout")).html;
    expect(dark).toContain(":root{color-scheme:dark;");
    expect(dark).not.toContain("prefers-color-scheme");
  });

  it("the button text follows the brand color's contrast unless buttonText is given", async () => {
    expect((await get(config({ theme: { brandColor: "#facc15" } }), "/signout")).html).toContain("--brand:#facc15;--brand-text:#111111");
    expect((await get(config({ theme: { brandColor: "#0f766e" } }), "/signout")).html).toContain("--brand:#0f766e;--brand-text:#ffffff");
    expect((await get(config({ theme: { brandColor: "#facc15", buttonText: "#000" } }), "/signout")).html).toContain("--brand-text:#000");
  });

  it("a brand color given by name gets its text color from the browser, after the plain one", async () => {
    const { html } = await get(config({ theme: { brandColor: "gold" } }), "/signout");
    const relative = html.indexOf("button,.button{color:oklch(from gold");
    expect(relative).toBeGreaterThan(html.indexOf("color:var(--brand-text)"));
  });

  it("a locale latch does not speak is reported and left out", async () => {
    const warnings: string[] = [];
    const unknown: unknown = ["xx", "de"];
    const auth = config({ locale: unknown as ["de"], logger: { error: () => undefined, warn: (code) => void warnings.push(code) } });
    expect((await get(auth, "/signin", "fr")).html).toContain('<html lang="de">');
    expect(warnings.filter((w) => w.startsWith("page-locale-unknown:"))).toEqual(['page-locale-unknown: the built-in pages do not speak "xx"; locale may name auto, en, de, fr, es, ja']);
  });

  it("provider names and labels from the config are escaped", async () => {
    const auth = config({
      providers: [Credentials({ name: '<img src=x onerror="alert(1)">', credentials: { code: { label: "<b>Code</b>" } }, authorize: () => null })],
    });
    const { html } = await get(auth, "/signin");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<b>Code</b>");
    expect(html).toContain("&#60;b&#62;Code&#60;/b&#62;");
  });
});
