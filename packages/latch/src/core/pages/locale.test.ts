import { describe, expect, it } from "vitest";
import { negotiateLocale, pageLanguage, resolvePageLocales } from "./locale.js";
import { MESSAGES, PAGE_LOCALES } from "./messages/index.js";

const ALL = PAGE_LOCALES;

describe("negotiateLocale (Accept-Language, RFC 9110 §12.5.4)", () => {
  it.each<[string | null | undefined, string]>([
    [undefined, "en"],
    [null, "en"],
    ["", "en"],
    ["de", "de"],
    ["fr-FR,fr;q=0.9,en;q=0.8", "fr"],
    ["ja-JP", "ja"],
    ["es-419,es;q=0.9", "es"],
    ["en-GB", "en"],
    // The region falls back to the language.
    ["de-CH", "de"],
    ["DE-at", "de"],
    // Weights decide, not the order…
    ["en;q=0.5, de;q=0.9", "de"],
    ["en;q=0.5, fr", "fr"],
    // …and equal weights keep the order.
    ["ja;q=0.8, es;q=0.8", "ja"],
    // A language latch lacks is skipped for the next one.
    ["zh-CN, pt;q=0.9, es;q=0.8, en;q=0.7", "es"],
    ["it, nl", "en"],
    // q=0 means "not acceptable".
    ["de;q=0, fr;q=0.1", "fr"],
    ["*", "en"],
    ["pl, *;q=0.5", "en"],
    // Malformed ranges and weights are skipped, not guessed at.
    ["de;q=2, fr", "fr"],
    ["de;q=abc, es", "es"],
    ["d€, ja", "ja"],
    [" ; , ,, fr ", "fr"],
    ["de-CH;q=0.900", "de"],
    ["de;q=0.9999, fr;q=0.5", "fr"],
  ])("%j → %s", (header, expected) => {
    expect(negotiateLocale(header, ALL)).toBe(expected);
  });

  it("chooses only among the allowed languages, the first being the fallback", () => {
    expect(negotiateLocale("fr, de;q=0.5", ["en", "de"])).toBe("de");
    expect(negotiateLocale("fr", ["de", "en"])).toBe("de");
    expect(negotiateLocale(undefined, ["ja", "en"])).toBe("ja");
  });

  it("reads a bounded part of a huge header and answers at once", () => {
    const huge = `${"xx;q=0.1,".repeat(20_000)}de`;
    const started = performance.now();
    expect(negotiateLocale(huge, ALL)).toBe("en");
    expect(negotiateLocale(`fr,${"-".repeat(100_000)}`, ALL)).toBe("fr");
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe("resolvePageLocales (the `locale` option)", () => {
  it("auto or nothing: every language, English first", () => {
    expect(resolvePageLocales(undefined).locales).toEqual(["en", "de", "fr", "es", "ja"]);
    expect(resolvePageLocales("auto")).toEqual({ locales: ["en", "de", "fr", "es", "ja"], unknown: [] });
  });

  it("one language fixes it; a list keeps its order without repeats", () => {
    expect(resolvePageLocales("ja")).toEqual({ locales: ["ja"], unknown: [] });
    expect(resolvePageLocales(["de", "en", "de"])).toEqual({ locales: ["de", "en"], unknown: [] });
  });

  it("reports names it does not know, and falls back to every language when none is left", () => {
    const untyped: unknown = ["xx", "fr"];
    expect(resolvePageLocales(untyped as readonly ("fr" | "en")[])).toEqual({ locales: ["fr"], unknown: ["xx"] });
    const nothing: unknown = "klingon";
    expect(resolvePageLocales(nothing as "en")).toEqual({ locales: PAGE_LOCALES, unknown: ["klingon"] });
  });
});

describe("pageLanguage", () => {
  it("negotiates when several languages are allowed, and says so (Vary)", () => {
    const language = pageLanguage(ALL, new Headers({ "accept-language": "de-CH,de;q=0.9" }));
    expect(language).toEqual({ locale: "de", messages: MESSAGES.de, negotiated: true });
  });

  it("ignores Accept-Language when one language is configured", () => {
    expect(pageLanguage(["fr"], new Headers({ "accept-language": "de" }))).toEqual({ locale: "fr", messages: MESSAGES.fr, negotiated: false });
  });
});
