import type { AuthConfig, PageLocale } from "../../types.js";
import { isPageLocale, MESSAGES, PAGE_LOCALES, type Messages } from "./messages/index.js";

/** The language one page is rendered in. */
export interface PageLanguage {
  locale: PageLocale;
  messages: Messages;
  /** Chosen by the request's `Accept-Language`: the page must say `Vary: Accept-Language`. */
  negotiated: boolean;
}

/**
 * The languages the `locale` option allows, the fallback first; one entry fixes the language.
 * Unknown names are dropped and reported in `unknown`; nothing usable means every language.
 *
 * @example
 * ```ts
 * resolvePageLocales(["de", "en"]); // { locales: ["de", "en"], unknown: [] }
 * ```
 */
export function resolvePageLocales(option: AuthConfig["locale"]): { locales: readonly PageLocale[]; unknown: string[] } {
  if (option === undefined || option === "auto") return { locales: PAGE_LOCALES, unknown: [] };
  // Read as unknown: a JavaScript config may hold anything.
  const listed: readonly unknown[] = Array.isArray(option) ? option : [option];
  const locales = [...new Set(listed.filter(isPageLocale))];
  const unknown = listed.filter((value) => !isPageLocale(value)).map(String);
  return { locales: locales.length > 0 ? locales : PAGE_LOCALES, unknown };
}

// Browsers send a few ranges; anything longer is cut rather than parsed at length.
const MAX_HEADER_LENGTH = 1024;
const MAX_RANGES = 32;
const LANGUAGE_RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/i;
const QUALITY = /^q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/i;

/** The ranges of an `Accept-Language` value, most wanted first (RFC 9110 §12.5.4); malformed ones are skipped. */
function languageRanges(header: string): string[] {
  const ranges: Array<{ range: string; q: number; index: number }> = [];
  for (const [index, part] of header.slice(0, MAX_HEADER_LENGTH).split(",").slice(0, MAX_RANGES).entries()) {
    const [range = "", ...params] = part.split(";").map((piece) => piece.trim());
    if (!LANGUAGE_RANGE.test(range)) continue;
    let q = 1;
    const weight = params.find((param) => /^q=/i.test(param));
    if (weight !== undefined) {
      const match = QUALITY.exec(weight);
      if (!match?.[1]) continue;
      q = Number(match[1]);
    }
    if (q > 0) ranges.push({ range: range.toLowerCase(), q, index });
  }
  return ranges.sort((a, b) => b.q - a.q || a.index - b.index).map(({ range }) => range);
}

/**
 * The language to answer in: the first of the request's `Accept-Language` ranges, by weight,
 * that names one of `available` exactly or by its primary subtag (`de-CH` → `de`); `*` or no
 * match gives the first of `available`.
 *
 * @example
 * ```ts
 * negotiateLocale("fr-CA, de;q=0.8", ["en", "de", "fr"]); // "fr"
 * ```
 */
export function negotiateLocale(acceptLanguage: string | null | undefined, available: readonly PageLocale[]): PageLocale {
  const fallback = available[0] ?? "en";
  if (!acceptLanguage) return fallback;
  for (const range of languageRanges(acceptLanguage)) {
    if (range === "*") return fallback;
    const primary = range.split("-")[0];
    const match = available.find((locale) => locale === range || locale === primary);
    if (match) return match;
  }
  return fallback;
}

/**
 * The language of a page for a request: fixed when the config allows one language, otherwise
 * negotiated from `Accept-Language`.
 *
 * @example
 * ```ts
 * const language = pageLanguage(resolved.locales, request.headers);
 * ```
 */
export function pageLanguage(locales: readonly PageLocale[], headers: Headers): PageLanguage {
  const negotiated = locales.length > 1;
  const locale = negotiated ? negotiateLocale(headers.get("accept-language"), locales) : (locales[0] ?? "en");
  return { locale, messages: MESSAGES[locale], negotiated };
}
