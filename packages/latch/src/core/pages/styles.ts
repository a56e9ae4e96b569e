import type { Theme } from "../../types.js";
import { readableTextOn, safeColor } from "./colors.js";

// Text on its background reads at 4.5:1 or better in both palettes (WCAG 1.4.3), and field
// borders at 3:1 (WCAG 1.4.11): muted #52525b on white is 7.7:1, #a1a1aa on #18181b 6.9:1.
const LIGHT =
  "color-scheme:light;--bg:#f4f4f5;--card:#fff;--text:#18181b;--muted:#52525b;--border:#e4e4e7;--field:#fff;--field-border:#8a8a93;--subtle:#f4f4f5;--error:#b91c1c;--error-bg:#fef2f2;--error-border:#fecaca;--shadow:0 1px 2px rgba(24,24,27,.05),0 12px 32px -8px rgba(24,24,27,.12)";
const DARK =
  "color-scheme:dark;--bg:#09090b;--card:#18181b;--text:#f4f4f5;--muted:#a1a1aa;--border:#27272a;--field:#09090b;--field-border:#71717a;--subtle:#27272a;--error:#fecaca;--error-bg:#450a0a;--error-border:#7f1d1d;--shadow:0 1px 2px rgba(0,0,0,.4),0 12px 32px -8px rgba(0,0,0,.6)";

const DEFAULT_BRAND = "#346df1";

/**
 * The variables of the theme (the palette for its color scheme, the brand and the text on it),
 * and what must follow the base rules: a button text color only the browser can compute.
 */
function variables(theme: Theme): { before: string; after: string } {
  const brand = safeColor(theme.brandColor, DEFAULT_BRAND);
  const given = theme.buttonText === undefined ? undefined : safeColor(theme.buttonText, "");
  const text = given ? { color: given } : readableTextOn(brand);
  const brandVars = `--brand:${brand};--brand-text:${text.color}`;
  const root = `:root{${theme.colorScheme === "dark" ? DARK : LIGHT};${brandVars}}`;
  const auto = theme.colorScheme === "dark" || theme.colorScheme === "light" ? "" : `@media (prefers-color-scheme:dark){:root{${DARK}}}`;
  // After the base rules' plain color, so a browser without relative colors keeps that one.
  const after = text.relative ? `\nbutton,.button{color:${text.relative}}.secondary{color:var(--text)}` : "";
  return { before: `${root}${auto}`, after };
}

const BASE = `*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;min-height:100vh;min-height:100dvh;display:flex;align-items:center;justify-content:center;padding:1.5rem 1rem;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans","Hiragino Sans","Yu Gothic UI",Meiryo,Arial,sans-serif;-webkit-font-smoothing:antialiased}
main{width:100%;max-width:24rem;padding:2.25rem 2rem 2rem;background:var(--card);border:1px solid var(--border);border-radius:16px;box-shadow:var(--shadow)}
.logo{display:block;max-width:100%;max-height:48px;margin:0 auto 1.5rem}
.icon{display:flex;align-items:center;justify-content:center;width:3rem;height:3rem;margin:0 auto 1rem;border-radius:999px;background:var(--subtle);color:var(--text)}
.icon svg{display:block}
h1{margin:0 0 .5rem;font-size:1.375rem;line-height:1.3;font-weight:650;letter-spacing:-.01em;text-align:center;overflow-wrap:anywhere}
p{margin:0 0 1.25rem;color:var(--muted);text-align:center}
h1+form,h1+.error{margin-top:1.5rem}
.code{font-size:.8125rem}
form{margin:0}
form+form{margin-top:.75rem}
label{display:block;margin:0 0 .375rem;font-size:.875rem;font-weight:600;color:var(--text)}
input{display:block;width:100%;height:2.75rem;margin:0 0 1rem;padding:0 .75rem;border:1px solid var(--field-border);border-radius:8px;background:var(--field);color:var(--text);font:inherit}
input::placeholder{color:var(--muted);opacity:1}
input[aria-invalid=true]{border-color:var(--error)}
button,.button{display:flex;align-items:center;justify-content:center;width:100%;min-height:2.75rem;margin:0;padding:.625rem 1rem;border:1px solid transparent;border-radius:8px;background:var(--brand);color:var(--brand-text);font:inherit;font-weight:600;line-height:1.25;text-align:center;text-decoration:none;cursor:pointer;transition:box-shadow .15s}
button:hover,.button:hover{box-shadow:inset 0 0 0 99px rgba(0,0,0,.1)}
.secondary{background:var(--card);color:var(--text);border-color:var(--field-border)}
.secondary:hover{box-shadow:none;background:var(--subtle)}
:focus-visible{outline:2px solid var(--text);outline-offset:2px}
input:focus-visible{outline-offset:1px;border-color:var(--text)}
.divider{display:flex;align-items:center;gap:.75rem;margin:1.5rem 0;font-size:.875rem}
.divider::before,.divider::after{content:"";flex:1;border-top:1px solid var(--border)}
.error{margin:0 0 1.25rem;padding:.75rem .875rem;border:1px solid var(--error-border);border-radius:8px;background:var(--error-bg);color:var(--error);font-size:.9375rem;text-align:left}
.passkey .secondary{margin-top:.75rem}
.passkey p{margin-bottom:.75rem}
@media (max-width:30rem){body{padding:0;align-items:stretch}main{max-width:none;border:0;border-radius:0;box-shadow:none;padding:2rem 1.25rem}}
@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;

/**
 * The style sheet of every built-in page: system fonts, a light and a dark palette (both, by
 * `prefers-color-scheme`, for `colorScheme: "auto"`), the brand color on the main buttons with
 * a text color that reads on it, and a visible focus ring on everything focusable.
 *
 * @example
 * ```ts
 * `<style>${pageStyles({ colorScheme: "dark", brandColor: "#0f766e" })}</style>`
 * ```
 */
export function pageStyles(theme: Theme): string {
  const { before, after } = variables(theme);
  return `${before}\n${BASE}${after}`;
}
