import type { PageLocale, Theme } from "../../types.js";
import { escapeHtml, safeColor } from "../pages/html.js";
import { isPageLocale, MESSAGES, type Messages } from "../pages/messages/index.js";

/** A sign-in email: subject, plain text and HTML. */
export interface VerificationMessage {
  subject: string;
  text: string;
  html: string;
}

/** "10 minutes", "1 minute", "2 hours": how long a link lives, in words. */
function validity(seconds: number, words: Messages["email"]): string {
  const minutes = Math.max(1, Math.round(seconds / 60));
  if (minutes % 60 === 0 && minutes >= 120) return words.hours(minutes / 60);
  if (minutes === 60) return words.hours(1);
  return words.minutes(minutes);
}

// Stands for the host while the heading is escaped; no catalogue text contains it.
const HOST_MARK = "\u0000";

/** The heading as HTML: its words escaped, the host bold and broken by zero-width spaces. */
function headingHtml(heading: (host: string) => string, host: string): string {
  const shownHost = escapeHtml(host).replace(/\./g, "&#8203;.");
  return escapeHtml(heading(HOST_MARK)).split(HOST_MARK).join(`<strong>${shownHost}</strong>`);
}

/**
 * The sign-in email latch sends: the site's host, a button, the link as text, and how long it
 * works, in one of the languages of the built-in pages (`locale`, default English: pass the
 * `locale` that `sendVerificationRequest` receives to match the page that asked for the link).
 * It never contains the recipient's address (GHSA-pgjx-7f9g-9463: an address rendered into the
 * mail is attacker-chosen HTML), and everything in it is escaped. The host is broken with
 * zero-width spaces in the HTML so mail clients do not turn it into a second, plain link.
 *
 * @example
 * ```ts
 * const { subject, text, html } = verificationMessage({ url, host: "app.example", maxAge: 600, theme: {}, locale: "de" });
 * ```
 */
export function verificationMessage(params: { url: string; host: string; maxAge: number; theme: Theme; locale?: PageLocale | undefined }): VerificationMessage {
  const { url, host, maxAge, theme } = params;
  // A JavaScript caller may pass anything: what is not a page language reads as English.
  const locale = isPageLocale(params.locale) ? params.locale : "en";
  const words = MESSAGES[locale].email;
  const brand = safeColor(theme.brandColor, "#346df1");
  const buttonText = safeColor(theme.buttonText, "#ffffff");
  const lasts = words.text(validity(maxAge, words));
  const subject = words.subject(host);
  const href = escapeHtml(url);
  const font = "font-family:Helvetica,Arial,sans-serif";
  const html = `<!DOCTYPE html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5">
<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="max-width:480px;margin:auto;background:#ffffff;border-radius:12px">
<tr><td style="padding:32px 24px 8px;${font};font-size:20px;color:#18181b;text-align:center">${headingHtml(words.heading, host)}</td></tr>
<tr><td style="padding:16px 24px;text-align:center"><a href="${href}" target="_blank" style="display:inline-block;padding:12px 24px;border-radius:8px;background:${brand};color:${buttonText};${font};font-size:16px;font-weight:bold;text-decoration:none">${escapeHtml(words.button)}</a></td></tr>
<tr><td style="padding:8px 24px 32px;${font};font-size:14px;line-height:20px;color:#52525b;text-align:center">${escapeHtml(lasts)}</td></tr>
</table></body></html>`;
  const text = `${words.heading(host)}\n\n${url}\n\n${lasts}\n`;
  return { subject, text, html };
}
