import type { EmailConfig, EmailUserConfig } from "../types.js";

export { verificationMessage, type VerificationMessage } from "../core/email/message.js";

/** What `Email()` accepts: the usual email options, and the function that sends the link. */
export type GenericEmailUserConfig<Id extends string = string> = EmailUserConfig<Id> & Pick<EmailConfig, "sendVerificationRequest">;

/**
 * Sign-in links sent by email through whatever the app uses to send mail — an HTTP email API,
 * a queue: `sendVerificationRequest` gets the recipient, the link and the language of latch's
 * pages for the request (`locale`). `verificationMessage` builds latch's own subject, text and
 * HTML for it in that language (no address in it, everything escaped). The flow and its
 * safeguards are the Nodemailer provider's (see `latch/providers/nodemailer`); use that one to
 * send through SMTP. Auth.js's `Email` provider was Nodemailer under the id `"email"`:
 * `Nodemailer({ id: "email", server, from })` keeps its URLs.
 *
 * @example
 * ```ts
 * import Email, { verificationMessage } from "latch/providers/email";
 * Email({
 *   from: "Acme <login@acme.test>",
 *   async sendVerificationRequest({ identifier, url, provider, theme, locale }) {
 *     const { subject, text, html } = verificationMessage({ url, host: new URL(url).host, maxAge: provider.maxAge ?? 600, theme, locale });
 *     const response = await fetch("https://api.mail.example/send", {
 *       method: "POST",
 *       headers: { authorization: `Bearer ${provider.apiKey}`, "content-type": "application/json" },
 *       body: JSON.stringify({ from: provider.from, to: identifier, subject, text, html }),
 *     });
 *     if (!response.ok) throw new Error(`mail API answered ${response.status}`);
 *   },
 * });
 * ```
 */
export default function Email<const Id extends string = "email">(options: GenericEmailUserConfig<Id>): EmailConfig<NoInfer<Id>>;
export default function Email(options: GenericEmailUserConfig): EmailConfig {
  const config: EmailConfig = { id: "email", name: "Email", maxAge: 10 * 60, ...options, type: "email" };
  if (typeof config.sendVerificationRequest !== "function") {
    // Fails when a link is to be sent (the sign-in page says EmailSignin), not when the config
    // is built: `next build` imports the config.
    config.sendVerificationRequest = () => {
      throw new TypeError('latch: Email() needs sendVerificationRequest; to send through SMTP, use Nodemailer from "latch/providers/nodemailer".');
    };
  }
  return config;
}
