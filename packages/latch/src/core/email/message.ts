import type { Theme } from "../../types.js";
import { escapeHtml, safeColor } from "../pages/html.js";

/** A sign-in email: subject, plain text and HTML. */
export interface VerificationMessage {
  subject: string;
  text: string;
  html: string;
}

/** "10 minutes", "1 minute", "2 hours": how long a link lives, in words. */
function validity(seconds: number): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes % 60 === 0 && minutes >= 120) return `${minutes / 60} hours`;
  if (minutes === 60) return "1 hour";
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * The sign-in email latch sends: the site's host, a button, the link as text, and how long it
 * works. It never contains the recipient's address (GHSA-pgjx-7f9g-9463: an address rendered
 * into the mail is attacker-chosen HTML), and everything in it is escaped. The host is broken
 * with zero-width spaces in the HTML so mail clients do not turn it into a second, plain link.
 *
 * @example
 * ```ts
 * const { subject, text, html } = verificationMessage({ url, host: "app.example", maxAge: 600, theme: {} });
 * ```
 */
export function verificationMessage(params: { url: string; host: string; maxAge: number; theme: Theme }): VerificationMessage {
  const { url, host, maxAge, theme } = params;
  const brand = safeColor(theme.brandColor, "#346df1");
  const buttonText = safeColor(theme.buttonText, "#ffffff");
  const lasts = validity(maxAge);
  const shownHost = escapeHtml(host).replace(/\./g, "&#8203;.");
  const href = escapeHtml(url);
  const font = "font-family:Helvetica,Arial,sans-serif";
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in to ${escapeHtml(host)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:480px;margin:auto;background:#ffffff;border-radius:12px">
<tr><td style="padding:32px 24px 8px;${font};font-size:20px;color:#18181b;text-align:center">Sign in to <strong>${shownHost}</strong></td></tr>
<tr><td style="padding:16px 24px;text-align:center"><a href="${href}" target="_blank" style="display:inline-block;padding:12px 24px;border-radius:8px;background:${brand};color:${buttonText};${font};font-size:16px;font-weight:bold;text-decoration:none">Sign in</a></td></tr>
<tr><td style="padding:8px 24px 32px;${font};font-size:14px;line-height:20px;color:#52525b;text-align:center">The link works once, for ${lasts}. If you did not ask to sign in, ignore this email: nothing happens without the link.</td></tr>
</table></body></html>`;
  const text = `Sign in to ${host}\n\n${url}\n\nThe link works once, for ${lasts}. If you did not ask to sign in, ignore this email: nothing happens without the link.\n`;
  return { subject: `Sign in to ${host}`, text, html };
}
