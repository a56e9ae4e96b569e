import type { Theme } from "../../types.js";
import type { PageLanguage } from "./locale.js";
import { icon as iconBadge, type IconName } from "./icons.js";
import { pageStyles } from "./styles.js";

export { safeColor } from "./colors.js";

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A hidden form field. */
export function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** The origin of an absolute URL a page links to (its own origin); undefined for a path. */
export function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

/**
 * Headers of a built-in page: no framing, no referrer leak, nothing loaded from elsewhere —
 * images only from the page's own origin or inline (RFC 9700 §4.2.4); its language, and
 * `Vary: Accept-Language` when that header chose it. With a `nonce` the page may run that one
 * inline script and fetch from its own origin; everything else stays as strict.
 *
 * @example
 * ```ts
 * pageHeaders(language, randomHex(16));
 * ```
 */
export function pageHeaders(language: PageLanguage, nonce?: string): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": nonce === undefined ? CSP : `${CSP}; script-src 'nonce-${nonce}'; connect-src 'self'`,
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "content-language": language.locale,
    ...(language.negotiated ? { vary: "Accept-Language" } : {}),
  };
}

const DATA_IMAGE = /^data:image\/(?:png|gif|jpeg|webp|avif|svg\+xml)[;,]/i;

/**
 * The theme's logo as the page may show it: an inline `data:image/…` URL, or a URL on the page's
 * own origin. A logo elsewhere (a CDN, `//host/…`) would tell a third party who opens the
 * sign-in and callback pages, so it is left out; so is anything when the origin is unknown.
 */
function pageLogo(logo: string | undefined, origin: string | undefined): string | undefined {
  if (!logo) return undefined;
  if (DATA_IMAGE.test(logo)) return logo;
  if (origin === undefined) return undefined;
  try {
    const url = new URL(logo, origin);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === origin && !url.username && !url.password ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** What a page is made of; `body` is HTML, everything else text. */
export interface DocumentParts {
  title: string;
  theme: Theme;
  language: PageLanguage;
  body: string;
  /** The origin the page is served on, when known: a logo must be on it. */
  origin: string | undefined;
  /** The badge above the heading, shown when the theme has no logo. */
  icon?: IconName | undefined;
}

/** Wraps page content in the themed document: `<html lang>`, one `<main>` landmark, the logo (or icon) first. */
export function renderDocument({ title, theme, language, body, origin, icon }: DocumentParts): string {
  const logoUrl = pageLogo(theme.logo, origin);
  const logo = logoUrl ? `<img class="logo" src="${escapeHtml(logoUrl)}" alt="">` : icon ? iconBadge(icon) : "";
  return `<!DOCTYPE html>
<html lang="${language.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>
${pageStyles(theme)}
</style></head><body><main>${logo}${body}</main></body></html>`;
}
