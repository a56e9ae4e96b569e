import type { PageLocale } from "../../../types.js";
import type { Messages } from "./catalogue.js";
import { de } from "./de.js";
import { en } from "./en.js";
import { es } from "./es.js";
import { fr } from "./fr.js";
import { ja } from "./ja.js";

export type { ErrorPageCode, Messages, SignInErrorCode } from "./catalogue.js";

/** One catalogue per language the pages speak: a language without one does not compile. */
export const MESSAGES: { readonly [L in PageLocale]: Messages } = { en, de, fr, es, ja };

/** Whether a value names a language the pages speak. */
export function isPageLocale(value: unknown): value is PageLocale {
  return typeof value === "string" && Object.hasOwn(MESSAGES, value);
}

/** Every language the pages speak, English first (the fallback of `locale: "auto"`). */
export const PAGE_LOCALES: readonly PageLocale[] = Object.keys(MESSAGES).filter(isPageLocale);
