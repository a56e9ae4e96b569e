import type { Theme } from "../../types.js";

/** Escapes text for HTML content and double-quoted attributes. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A CSS color latch accepts from the theme; anything else falls back to the default. */
export function safeColor(value: string | undefined, fallback: string): string {
  return value && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([\d\s.,%]+\)|hsla?\([\d\s.,%deg]+\))$/.test(value) ? value : fallback;
}

/**
 * Security headers of every built-in page: no framing, no referrer leak, nothing loaded from
 * elsewhere — images only from the page's own origin or inline (RFC 9700 §4.2.4).
 */
export const PAGE_HEADERS: Record<string, string> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
};

/**
 * The headers of a page that runs one inline script: the page CSP, plus that script's nonce and
 * fetches to the page's own origin. Everything else stays as strict as on every other page.
 */
export function scriptPageHeaders(nonce: string): Record<string, string> {
  return { ...PAGE_HEADERS, "content-security-policy": `${PAGE_HEADERS["content-security-policy"]}; script-src 'nonce-${nonce}'; connect-src 'self'` };
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

/** Wraps page content in the themed document; `origin` is the origin the page is served on. */
export function renderDocument(title: string, theme: Theme, body: string, origin: string | undefined): string {
  const brand = safeColor(theme.brandColor, "#346df1");
  const buttonText = safeColor(theme.buttonText, "#ffffff");
  const scheme = theme.colorScheme === "dark" || theme.colorScheme === "light" ? theme.colorScheme : "light dark";
  const logoUrl = pageLogo(theme.logo, origin);
  const logo = logoUrl ? `<img class="logo" src="${escapeHtml(logoUrl)}" alt="">` : "";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
:root{color-scheme:${scheme};--brand:${brand};--brand-text:${buttonText};--bg:light-dark(#f4f4f5,#18181b);--card:light-dark(#fff,#27272a);--text:light-dark(#18181b,#f4f4f5);--muted:light-dark(#52525b,#a1a1aa);--border:light-dark(#e4e4e7,#3f3f46)}
*{box-sizing:border-box}body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--text)}
main{width:100%;max-width:22rem;padding:2rem;background:var(--card);border:1px solid var(--border);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.25rem;margin:0 0 1rem}p{color:var(--muted);margin:0 0 1rem}.logo{display:block;max-height:56px;margin:0 auto 1rem}
form{margin:0 0 .75rem}button,.button{display:block;width:100%;padding:.7rem 1rem;border:0;border-radius:8px;background:var(--brand);color:var(--brand-text);font:inherit;font-weight:600;cursor:pointer;text-align:center;text-decoration:none}
label{display:block;font-size:.9rem;font-weight:600;margin:.5rem 0 .25rem}input{display:block;width:100%;padding:.6rem .7rem;margin:0 0 .5rem;border:1px solid var(--border);border-radius:8px;background:var(--card);color:var(--text);font:inherit}
.credentials button,.email button{margin-top:1rem}.divider{text-align:center;margin:1rem 0}.passkey button{margin-top:.75rem}.passkey .secondary{background:transparent;color:var(--text);border:1px solid var(--border)}
input:focus-visible,button:focus-visible,.button:focus-visible{outline:3px solid var(--text);outline-offset:2px}.error{color:light-dark(#b91c1c,#fca5a5);background:light-dark(#fef2f2,#450a0a);border-radius:8px;padding:.6rem .8rem}
</style></head><body><main>${logo}${body}</main></body></html>`;
}
