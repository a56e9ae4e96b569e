import { describe, expect, expectTypeOf, it } from "vitest";
import type { PageLocale } from "../../types.js";
import { MESSAGES, PAGE_LOCALES, type Messages } from "./messages/index.js";

/** The texts that take a number rather than a string. */
const COUNTED = new Set(["rateLimited.text", "email.minutes", "email.hours"]);

/** Every text of a catalogue by its path ("signIn.errors.default"); a function is called with `arg`. */
function texts(messages: Messages, arg: { text: string; count: number }): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (typeof value === "string") out.set(path, value);
    else if (typeof value === "function") {
      const call = value as (argument: unknown) => unknown;
      const result = COUNTED.has(path) ? call(arg.count) : call(arg.text);
      out.set(path, String(result));
    } else if (typeof value === "object" && value !== null) {
      for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key);
    } else out.set(path, `<not text: ${typeof value}>`);
  };
  walk(messages, "");
  return out;
}

const ARG = { text: "⟪ARG⟫", count: 7 };
const english = texts(MESSAGES.en, ARG);

describe("the catalogue of the built-in pages", () => {
  it("holds English and at least four more languages", () => {
    expect(PAGE_LOCALES[0]).toBe("en");
    expect(PAGE_LOCALES).toEqual(["en", "de", "fr", "es", "ja"]);
    expectTypeOf(MESSAGES).toEqualTypeOf<{ readonly [L in PageLocale]: Messages }>();
  });

  it.each(PAGE_LOCALES.filter((l) => l !== "en"))("%s has every text English has, and nothing else", (locale) => {
    const translated = texts(MESSAGES[locale], ARG);
    expect([...translated.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it.each(PAGE_LOCALES)("%s: every text is non-empty, trimmed, and uses its parameter", (locale) => {
    for (const [path, text] of texts(MESSAGES[locale], ARG)) {
      expect(text.trim(), `${locale} ${path}`).toBe(text);
      expect(text.length, `${locale} ${path}`).toBeGreaterThan(0);
      expect(text, `${locale} ${path}`).not.toMatch(/undefined|NaN|\[object/);
    }
    const withArgument = texts(MESSAGES[locale], ARG);
    for (const path of ["signIn.withProvider", "passkey.signedInAs", "emailLanding.heading", "verifyRequest.goTo", "error.code", "email.subject", "email.heading", "email.text"]) {
      expect(withArgument.get(path), `${locale} ${path}`).toContain(ARG.text);
    }
    for (const path of COUNTED) expect(withArgument.get(path), `${locale} ${path}`).toContain("7");
    // One minute reads as a word or as "1", never as "1 minutes"; one hour never as "1 hours".
    expect(MESSAGES[locale].rateLimited.text(1)).not.toMatch(/1 (minutes|Minuten|minutos)/);
    expect(MESSAGES[locale].email.minutes(1)).not.toMatch(/1 (minutes|Minuten|minutos)/);
    expect(MESSAGES[locale].email.hours(1)).not.toMatch(/1 (hours|Stunden|heures|horas)/);
    // Without a name the signed-in line says so plainly.
    expect(MESSAGES[locale].passkey.signedInAs(undefined)).not.toContain("undefined");
  });

  it.each(PAGE_LOCALES.filter((l) => l !== "en"))("%s is translated: almost no text is left in English", (locale) => {
    const translated = texts(MESSAGES[locale], ARG);
    // Words that are the same in both languages.
    const same = new Set(["error.headings.default", "signIn.emailPlaceholder", ...(locale === "fr" ? ["email.minutes"] : [])]);
    const untranslated = [...translated].filter(([path, text]) => text === english.get(path) && !same.has(path)).map(([path]) => path);
    expect(untranslated).toEqual([]);
  });
});
