import { describe, expect, it } from "vitest";
import type { PageLocale } from "../../types.js";
import { verificationMessage } from "./message.js";

const URL_ = "https://app.example/api/auth/callback/nodemailer?callbackUrl=https%3A%2F%2Fapp.example&token=abc&email=alice%40example.com";
const HREF = "https://app.example/api/auth/callback/nodemailer?callbackUrl=https%3A%2F%2Fapp.example&#38;token=abc&#38;email=alice%40example.com";

/** What each language says for a 10-minute link to app.example. */
const EXPECTED: Record<PageLocale, { subject: string; heading: string; button: string; text: string }> = {
  en: {
    subject: "Sign in to app.example",
    heading: "Sign in to app.example",
    button: "Sign in",
    text: "The link works once, for 10 minutes. If you did not ask to sign in, ignore this email: nothing happens without the link.",
  },
  de: {
    subject: "Anmeldung bei app.example",
    heading: "Bei app.example anmelden",
    button: "Anmelden",
    text: "Der Link funktioniert nur einmal und ist 10 Minuten lang gültig. Wenn Sie keine Anmeldung angefordert haben, ignorieren Sie diese E-Mail: Ohne den Link passiert nichts.",
  },
  fr: {
    subject: "Connexion à app.example",
    heading: "Se connecter à app.example",
    button: "Se connecter",
    text: "Le lien ne fonctionne qu’une fois, pendant 10 minutes. Si vous n’avez pas demandé à vous connecter, ignorez cet e-mail\u00a0: sans le lien, rien ne se passe.",
  },
  es: {
    subject: "Inicia sesión en app.example",
    heading: "Iniciar sesión en app.example",
    button: "Iniciar sesión",
    text: "El enlace solo funciona una vez, durante 10 minutos. Si no has pedido iniciar sesión, ignora este correo: sin el enlace no pasa nada.",
  },
  ja: {
    subject: "app.example へのログイン用リンク",
    heading: "app.example にログイン",
    button: "ログイン",
    text: "このリンクは一度だけ、10 分間有効です。心当たりがない場合は、このメールを無視してください。リンクを使わない限り、何も起こりません。",
  },
};

/** How long a link works, in words, for maxAge 60, 600, 3600, 5400, 7200 and 86400 seconds. */
const DURATIONS: Record<PageLocale, string[]> = {
  en: ["1 minute", "10 minutes", "1 hour", "90 minutes", "2 hours", "24 hours"],
  de: ["1 Minute", "10 Minuten", "1 Stunde", "90 Minuten", "2 Stunden", "24 Stunden"],
  fr: ["1 minute", "10 minutes", "1 heure", "90 minutes", "2 heures", "24 heures"],
  es: ["1 minuto", "10 minutos", "1 hora", "90 minutos", "2 horas", "24 horas"],
  // No plural: the counter is the same for one and for many.
  ja: ["1 分間", "10 分間", "1 時間", "90 分間", "2 時間", "24 時間"],
};
const MAX_AGES = [60, 600, 3600, 5400, 7200, 86400];

const LOCALES = Object.keys(EXPECTED) as PageLocale[];
const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const escapeText = (value: string) => value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);

describe("verificationMessage", () => {
  it.each(LOCALES)("%s: subject, text and HTML in the language, the link once as href and once as text", (locale) => {
    const expected = EXPECTED[locale];
    const { subject, text, html } = verificationMessage({ url: URL_, host: "app.example", maxAge: 600, theme: {}, locale });
    expect(subject).toBe(expected.subject);
    expect(text).toBe(`${expected.heading}\n\n${URL_}\n\n${expected.text}\n`);
    expect(html).toMatch(new RegExp(`^<!DOCTYPE html>\\n<html lang="${locale}">`));
    expect(html).toContain(`<title>${escapeText(expected.subject)}</title>`);
    const [before, after] = expected.heading.split("app.example");
    expect(html).toContain(`${escapeText(before!)}<strong>app&#8203;.example</strong>${escapeText(after!)}`);
    expect(html).toContain(`>${escapeText(expected.button)}</a>`);
    expect(html).toContain(escapeText(expected.text));
    expect(count(html, "https://app.example/api/")).toBe(1);
    expect(count(html, `href="${HREF}"`)).toBe(1);
    expect(count(text, URL_)).toBe(1);
    // GHSA-pgjx-7f9g-9463: the address is never in the message, not even in the link's text.
    for (const part of [subject, text, html]) expect(part).not.toContain("alice@example.com");
  });

  it.each(LOCALES)("%s: the validity in words, singular and plural", (locale) => {
    for (const [index, maxAge] of MAX_AGES.entries()) {
      const words = DURATIONS[locale][index]!;
      const { text, html } = verificationMessage({ url: URL_, host: "app.example", maxAge, theme: {}, locale });
      expect(text, `${locale} ${maxAge}`).toContain(words);
      expect(html, `${locale} ${maxAge}`).toContain(words);
    }
    const one = verificationMessage({ url: URL_, host: "app.example", maxAge: 60, theme: {}, locale }).text;
    expect(one).not.toMatch(/\b1 (minutes|Minuten|minutos)\b/);
    const hour = verificationMessage({ url: URL_, host: "app.example", maxAge: 3600, theme: {}, locale }).text;
    expect(hour).not.toMatch(/\b1 (hours|Stunden|heures|horas)\b/);
  });

  it("speaks English without a locale, or with one the pages do not speak", () => {
    const english = verificationMessage({ url: URL_, host: "app.example", maxAge: 600, theme: {} });
    expect(english.subject).toBe("Sign in to app.example");
    expect(english.html).toContain('<html lang="en">');
    const unknown = verificationMessage({ url: URL_, host: "app.example", maxAge: 600, theme: {}, locale: "xx" as PageLocale });
    expect(unknown).toEqual(english);
    const hostile = verificationMessage({ url: URL_, host: "app.example", maxAge: 600, theme: {}, locale: '"><script>' as PageLocale });
    expect(hostile).toEqual(english);
  });

  it.each(LOCALES)("%s: a hostile host, link and theme stay text", (locale) => {
    const host = `<img src=x onerror="alert(1)">.evil'\`&\u0000.test`;
    const url = `https://app.example/x?a=1&b="><script>alert(1)</script>`;
    const theme = { brandColor: "red;}</style><script>", buttonText: "url(javascript:alert(1))" };
    const { subject, text, html } = verificationMessage({ url, host, maxAge: 600, theme, locale });
    expect(html).not.toMatch(/<(img|script)/i);
    expect(html).not.toContain("javascript:");
    expect(html).toContain('href="https://app.example/x?a=1&#38;b=&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(html).toContain("<strong>&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#8203;.evil&#39;&#96;&#38;\u0000&#8203;.test</strong>");
    expect(count(html, "<strong>")).toBe(1);
    // Subject and text are plain text: the host and link as given, once each in the text.
    expect(subject).toContain(host);
    expect(count(text, host)).toBe(1);
    expect(count(text, url)).toBe(1);
  });
});
